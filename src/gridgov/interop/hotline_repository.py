"""Scoped queries of the hotline's intake and category table: every read goes through
:mod:`gridgov.authz.scope` (a hotline client sees its own tickets, an agency those of its jurisdiction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible, scoped
from gridgov.cases.workflow import TRANSITIONS, CaseAction
from gridgov.models import Case
from gridgov.models.hotline import HotlineCategory, HotlineIntake


def intake_of(session: Session, principal: Principal, client_id: int, external_id: str, *,
              for_update: bool = False) -> HotlineIntake | None:
    stmt = scoped(select(HotlineIntake).where(HotlineIntake.client_id == client_id,
                                              HotlineIntake.external_id == external_id), principal, HotlineIntake)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def claim(session: Session, *, client_id: int, external_id: str, body_hash: str, now: datetime) -> int | None:
    """Claims the ticket: inserts its row unless one exists (``INSERT … ON CONFLICT DO NOTHING`` on the
    unique (client, ticket)); its id, or None when another request holds it. On PostgreSQL a concurrent
    request that inserted the same ticket and has not committed yet makes this wait for it: then None
    (it committed) or the row is ours (it rolled back). On SQLite the writing request holds the write lock
    from its first statement (BEGIN IMMEDIATE), so no other request is between the read and this."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(HotlineIntake).values(
        client_id=client_id, external_id=external_id, body_hash=body_hash, grid_code="", hotline_category="",
        hotline_category_name="", needs_triage=False, created_at=now,
    ).on_conflict_do_nothing(index_elements=["client_id", "external_id"]).returning(HotlineIntake.id)
    return session.execute(stmt).scalar()


def intake_by_id(session: Session, principal: Principal, intake_id: int) -> HotlineIntake | None:
    return get_visible(session, principal, HotlineIntake, intake_id)


def intake_of_case(session: Session, principal: Principal, case_id: int) -> HotlineIntake | None:
    stmt = scoped(select(HotlineIntake).where(HotlineIntake.case_id == case_id), principal, HotlineIntake)
    return session.scalar(stmt.limit(1))


TRIAGE_STATES = tuple(sorted(str(s) for s, a in TRANSITIONS if a is CaseAction.CLASSIFY))
"""The states a case may still be classified in (before a department signs for it): the queue's."""


def triage_queue(session: Session, principal: Principal, *, offset: int, limit: int
                 ) -> tuple[Sequence[tuple[HotlineIntake, Case]], int]:
    """The hotline's cases still without a type that may still be given one (visible to the principal),
    oldest first, and their count."""
    stmt = scoped(scoped(select(HotlineIntake, Case).join(Case, Case.id == HotlineIntake.case_id), principal,
                         HotlineIntake), principal, Case).where(
        HotlineIntake.needs_triage.is_(True), Case.type_code.is_(None),
        Case.state.in_(TRIAGE_STATES))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(HotlineIntake.created_at, HotlineIntake.id).offset(offset).limit(limit)).all()
    return [(r[0], r[1]) for r in rows], total


def mappings(session: Session, principal: Principal) -> Sequence[HotlineCategory]:
    stmt = scoped(select(HotlineCategory), principal, HotlineCategory)
    return session.scalars(stmt.order_by(HotlineCategory.area_code, HotlineCategory.code)).all()


def mapping_at(session: Session, principal: Principal, area_code: str, code: str) -> HotlineCategory | None:
    stmt = scoped(select(HotlineCategory).where(HotlineCategory.area_code == area_code,
                                                HotlineCategory.code == code), principal, HotlineCategory)
    return session.scalar(stmt)


def mapping_by_id(session: Session, principal: Principal, mapping_id: int) -> HotlineCategory | None:
    return get_visible(session, principal, HotlineCategory, mapping_id)


def mapping_for(session: Session, principal: Principal, areas: Sequence[str], code: str) -> HotlineCategory | None:
    """The row for ``code`` of the nearest of ``areas`` (nearest last, as ``areas.ancestor_codes`` lists them)
    the principal may apply (its jurisdiction and above)."""
    stmt = scoped(select(HotlineCategory).where(HotlineCategory.code == code,
                                                HotlineCategory.area_code.in_(list(areas))),
                  principal, HotlineCategory, ancestors=True)
    found = {row.area_code: row for row in session.scalars(stmt)}
    return next((found[a] for a in reversed(areas) if a in found), None)


def case_of(session: Session, principal: Principal, case_id: int | None) -> Case | None:
    return get_visible(session, principal, Case, case_id)
