"""Scoped queries of the mediation register (ZJ§17, issue 18): every one through the door
(:mod:`gridgov.authz.scope`), so a mediator sees its bodies' mediations only, staff their jurisdiction's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.models import Case, User
from gridgov.models.mediation import Mediation, MediationBody, MediationMember, MediationParty, MediationSession


def bodies(session: Session, principal: Principal) -> Sequence[MediationBody]:
    stmt = scope.scoped(select(MediationBody).order_by(MediationBody.area_code, MediationBody.name, MediationBody.id),
                        principal, MediationBody)
    return session.scalars(stmt).all()


def get_body(session: Session, principal: Principal, body_id: int, *, for_update: bool = False):
    return scope.get_visible(session, principal, MediationBody, body_id, for_update=for_update)


def members(session: Session, principal: Principal, body_ids: list[int]) -> list[tuple[int, int, str, str]]:
    """(body id, user id, username, display name) of the members of the bodies, as the principal sees them."""
    if not body_ids:
        return []
    stmt = scope.scoped(select(MediationMember.body_id, User.id, User.username, User.display_name)
                        .join(User, User.id == MediationMember.user_id)
                        .where(MediationMember.body_id.in_(body_ids)).order_by(MediationMember.id),
                        principal, MediationMember)
    return [tuple(r) for r in session.execute(stmt)]


def member(session: Session, principal: Principal, body_id: int, user_id: int) -> MediationMember | None:
    stmt = scope.scoped(select(MediationMember).where(MediationMember.body_id == body_id,
                                                      MediationMember.user_id == user_id), principal, MediationMember)
    return session.scalars(stmt).first()


def user(session: Session, principal: Principal, user_id: int) -> User | None:
    """An account inside the principal's jurisdiction (the one to link as a mediator)."""
    return scope.get_visible(session, principal, User, user_id)


def mediations(session: Session, principal: Principal, *, status: str | None, offset: int, limit: int,
               case_id: int | None = None) -> tuple[list[tuple[Mediation, Any, str]], int]:
    """(mediation, its case's number/title/state, its body's name), newest first, and how many in all."""
    where = [Mediation.status == status] if status else []
    if case_id is not None:
        where.append(Mediation.case_id == case_id)
    count = scope.scoped(select(func.count(Mediation.id)).where(*where), principal, Mediation)
    stmt = scope.scoped(select(Mediation, Case.case_no, Case.title, Case.state, MediationBody.name)
                        .join(Case, Case.id == Mediation.case_id)
                        .join(MediationBody, MediationBody.id == Mediation.body_id)
                        .where(*where).order_by(Mediation.passed_at.desc(), Mediation.id.desc())
                        .offset(offset).limit(limit), principal, Mediation)
    rows = [(m, (no, title, state), name) for m, no, title, state, name in session.execute(stmt)]
    return rows, session.scalar(count) or 0


def mediation(session: Session, principal: Principal, mediation_id: int) -> tuple[Mediation, Any, str] | None:
    stmt = scope.scoped(select(Mediation, Case.case_no, Case.title, Case.state, MediationBody.name)
                        .join(Case, Case.id == Mediation.case_id)
                        .join(MediationBody, MediationBody.id == Mediation.body_id)
                        .where(Mediation.id == mediation_id), principal, Mediation)
    row = session.execute(stmt).first()
    return None if row is None else (row[0], (row[1], row[2], row[3]), row[4])


def parties(session: Session, principal: Principal, mediation_ids: list[int]) -> Sequence[MediationParty]:
    if not mediation_ids:
        return []
    stmt = scope.scoped(select(MediationParty).where(MediationParty.mediation_id.in_(mediation_ids))
                        .order_by(MediationParty.mediation_id, MediationParty.seq), principal, MediationParty)
    return session.scalars(stmt).all()


def sessions(session: Session, principal: Principal, mediation_id: int) -> list[tuple[MediationSession, str]]:
    stmt = scope.scoped(select(MediationSession, User.display_name)
                        .outerjoin(User, User.id == MediationSession.mediator_id)
                        .where(MediationSession.mediation_id == mediation_id)
                        .order_by(MediationSession.held_on, MediationSession.id), principal, MediationSession)
    return [(s, name or "") for s, name in session.execute(stmt)]


def user_names(session: Session, principal: Principal, ids: set[int]) -> dict[int, str]:
    """Display names of the agency users who passed mediations (found for the system: a mediator may not
    see the agency's accounts, but the name of who passed it the case is part of the case)."""
    if not ids:
        return {}
    stmt = scope.scoped(select(User.id, User.display_name).where(User.id.in_(ids)), scope.SYSTEM, User)
    return dict(session.execute(stmt).all())


def mediator_accounts(session: Session, principal: Principal) -> list[tuple[int, str, str]]:
    """(id, username, display name) of the active mediators' accounts inside the jurisdiction (to link)."""
    stmt = scope.scoped(select(User.id, User.username, User.display_name)
                        .where(User.role == "mediator", User.is_active.is_(True)).order_by(User.username),
                        principal, User)
    return [tuple(r) for r in session.execute(stmt)]
