"""Scoped queries of the register of legal professionals in the grids (法律进网格). Every query goes
through the door (:mod:`gridgov.authz.scope`): staff see the professionals registered in their
jurisdiction or serving it, a legal professional its own record, visits and referrals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.models import Case
from gridgov.models.legal import LegalProfessional, LegalReferral, LegalSchedule, LegalVisit


def professionals(session: Session, me: Principal) -> Sequence[LegalProfessional]:
    """Registered in the jurisdiction or serving it (a lawyer: its own)."""
    stmt = scoped(select(LegalProfessional).order_by(LegalProfessional.area_code, LegalProfessional.kind,
                                                     LegalProfessional.name, LegalProfessional.id),
                  me, LegalProfessional, ancestors=True)
    return session.scalars(stmt).all()


def professional(session: Session, me: Principal, pid: int, *, own_register: bool,
                 for_update: bool = False) -> LegalProfessional | None:
    """``own_register``: only one the jurisdiction's agency keeps (what it may change)."""
    return get_visible(session, me, LegalProfessional, pid, ancestors=not own_register, for_update=for_update)


def linked(session: Session, me: Principal) -> LegalProfessional | None:
    """The professional whose account is the principal's."""
    if not me.user_id:
        return None
    return session.scalar(scoped(select(LegalProfessional).where(LegalProfessional.user_id == me.user_id),
                                 me, LegalProfessional))


def user_linked_elsewhere(session: Session, user_id: int, pid: int | None) -> bool:
    """Whether another professional (any: the link is unique city-wide) uses the account already."""
    stmt = scoped(select(func.count()).select_from(LegalProfessional)
                  .where(LegalProfessional.user_id == user_id, LegalProfessional.id != (pid or 0)),
                  SYSTEM, LegalProfessional)
    return bool(session.scalar(stmt))


def schedules(session: Session, me: Principal, pid: int) -> Sequence[LegalSchedule]:
    stmt = scoped(select(LegalSchedule).where(LegalSchedule.professional_id == pid)
                  .order_by(LegalSchedule.valid_from, LegalSchedule.id), me, LegalSchedule, ancestors=True)
    return session.scalars(stmt).all()


def schedules_of(session: Session, me: Principal, pids: list[int]) -> Sequence[LegalSchedule]:
    if not pids:
        return []
    stmt = scoped(select(LegalSchedule).where(LegalSchedule.professional_id.in_(pids))
                  .order_by(LegalSchedule.valid_from, LegalSchedule.id), me, LegalSchedule, ancestors=True)
    return session.scalars(stmt).all()


def visits(session: Session, me: Principal, *, grid: str | None, since: date | None, until: date | None,
           professional_id: int | None, page: int, page_size: int) -> tuple[list[tuple[LegalVisit, str]], int]:
    stmt = scoped(select(LegalVisit, LegalProfessional.name)
                  .join(LegalProfessional, LegalProfessional.id == LegalVisit.professional_id), me, LegalVisit)
    if grid:
        stmt = stmt.where(LegalVisit.grid_code == grid)
    if since:
        stmt = stmt.where(LegalVisit.visited_on >= since)
    if until:
        stmt = stmt.where(LegalVisit.visited_on <= until)
    if professional_id:
        stmt = stmt.where(LegalVisit.professional_id == professional_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(LegalVisit.visited_on.desc(), LegalVisit.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return [(v, name) for v, name in rows], total


def referrals_to(session: Session, me: Principal, pid: int) -> list[tuple[LegalReferral, Case]]:
    """The referrals made to professional ``pid`` that the principal sees, newest first."""
    stmt = scoped(select(LegalReferral, Case).join(Case, Case.id == LegalReferral.case_id)
                  .where(LegalReferral.professional_id == pid)
                  .order_by(LegalReferral.referred_at.desc(), LegalReferral.id.desc()).limit(500),
                  me, LegalReferral)
    return [(r, c) for r, c in session.execute(stmt).all()]
