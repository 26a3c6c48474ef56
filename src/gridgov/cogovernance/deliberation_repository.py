"""Queries of deliberation (议事协商), scoped through the door (:mod:`gridgov.authz.scope`): a topic is
opened by the jurisdiction that holds its grid or community; its participants, meetings and follow-ups are
read only after it was opened. The few that work for the system (the case numbers of follow-ups already
linked to a topic opened through the door) say so by passing ``SYSTEM``."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.models import Area, Case, Grid, Instruction
from gridgov.models.deliberation import (
    Deliberation,
    DeliberationFollowUp,
    DeliberationMeeting,
    DeliberationParticipant,
)
from gridgov.models.territory import GridStatus


def get(session: Session, principal: Principal, deliberation_id: int, *,
        for_update: bool = False) -> Deliberation | None:
    stmt = scoped(select(Deliberation).where(Deliberation.id == deliberation_id), principal, Deliberation)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def listing(session: Session, principal: Principal, *, area: str | None, status: str | None, limit: int,
            offset: int) -> tuple[list[Deliberation], int]:
    stmt = scoped(select(Deliberation), principal, Deliberation)
    if area:
        stmt = stmt.where(Deliberation.area_code.startswith(area))
    if status:
        stmt = stmt.where(Deliberation.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Deliberation.raised_on.desc(), Deliberation.id.desc())
                           .limit(limit).offset(offset))
    return list(rows), total


def participants(session: Session, ids: Collection[int]) -> list[DeliberationParticipant]:
    """The participants of topics already opened through the door."""
    if not ids:
        return []
    return list(session.scalars(select(DeliberationParticipant).where(
        DeliberationParticipant.deliberation_id.in_(list(ids))).order_by(DeliberationParticipant.id)))


def meetings(session: Session, ids: Collection[int]) -> list[DeliberationMeeting]:
    if not ids:
        return []
    return list(session.scalars(select(DeliberationMeeting).where(
        DeliberationMeeting.deliberation_id.in_(list(ids))).order_by(DeliberationMeeting.held_on,
                                                                      DeliberationMeeting.id)))


def follow_ups(session: Session, ids: Collection[int]) -> list[DeliberationFollowUp]:
    if not ids:
        return []
    return list(session.scalars(select(DeliberationFollowUp).where(
        DeliberationFollowUp.deliberation_id.in_(list(ids))).order_by(DeliberationFollowUp.id)))


def case_rows(session: Session, case_ids: Collection[int]) -> dict[int, tuple[str, str, str]]:
    """Case id → (number, title, state) of the follow-ups of a topic already opened through the door."""
    if not case_ids:
        return {}
    stmt = scoped(select(Case.id, Case.case_no, Case.title, Case.state).where(Case.id.in_(list(case_ids))),
                  SYSTEM, Case)
    return {row[0]: (row[1], row[2], row[3]) for row in session.execute(stmt)}


def instruction_rows(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Instruction id → (title, status) of the task follow-ups of a topic already opened through the door."""
    if not ids:
        return {}
    stmt = scoped(select(Instruction.id, Instruction.title, Instruction.status)
                  .where(Instruction.id.in_(list(ids))), SYSTEM, Instruction)
    return {row[0]: (row[1], row[2]) for row in session.execute(stmt)}


def case_id_of(session: Session, principal: Principal, case_no: str) -> int | None:
    """The id of a case the principal may see (a follow-up just registered by it)."""
    return session.scalar(scoped(select(Case.id).where(Case.case_no == case_no), principal, Case))


def place_name(session: Session, principal: Principal, code: str) -> str | None:
    """The name of an active grid or of a village/community inside the jurisdiction; None otherwise."""
    if len(code) == 15:
        grid = get_visible(session, principal, Grid, code)
        return grid.name if grid is not None and grid.status == GridStatus.ACTIVE else None
    area = get_visible(session, principal, Area, code)
    return area.name if area is not None and str(area.level) == "village" else None
