"""Queries of the public board and of board complaints.

Board reads are public by law (LZ§10, JS§19, JM§8), so they take no principal; they select only
the columns a board may show, so no private phone, ID number or mask is ever loaded for a board.
Complaint reads are for the grid agencies and go through the one scope door
(:mod:`gridgov.authz.scope`, the rule for ``BoardComplaint``: its grid code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.models import Area, Grid, SupervisionPhone, User
from gridgov.models.accounts import AGENCY_ROLES
from gridgov.models.deliberation import Deliberation
from gridgov.models.legal import LegalProfessional, LegalSchedule
from gridgov.models.staff import Post, StaffMember
from gridgov.models.territory import BoardComplaint, GridStatus


@dataclass(frozen=True)
class BoardPostRow:
    """One active post on a board: only public columns."""

    staff_id: int
    name: str
    work_phone: str
    role: str
    changed_at: datetime | None


def get_active_grid(session: Session, code: str) -> Grid | None:
    """The grid if it is in service; a retired grid has no board."""
    grid = session.get(Grid, code)
    return grid if grid is not None and grid.status == GridStatus.ACTIVE else None


@dataclass(frozen=True)
class BoardLegalRow:
    """A legal professional's schedule serving a grid: public columns only (the office phone)."""

    name: str
    kind: str
    institution: str
    title: str
    public_phone: str
    place_code: str
    rule: str
    weekday: int | None
    nth: int | None
    dates: str
    hours: str
    place: str
    valid_from: date
    valid_to: date | None


def board_legal(session: Session, grid_code: str, places: list[str], today: date) -> list[BoardLegalRow]:
    """The schedules in force on ``today`` (or later) of active legal professionals attached to the
    grid or an area it lies in (``places``: the grid and its village, town …), public columns only."""
    stmt = (select(LegalProfessional.name, LegalProfessional.kind, LegalProfessional.institution,
                   LegalProfessional.title, LegalProfessional.public_phone, LegalSchedule.area_code,
                   LegalSchedule.rule, LegalSchedule.weekday, LegalSchedule.nth, LegalSchedule.dates,
                   LegalSchedule.hours, LegalSchedule.place, LegalSchedule.valid_from, LegalSchedule.valid_to)
            .join(LegalSchedule, LegalSchedule.professional_id == LegalProfessional.id)
            .where(LegalProfessional.active.is_(True), LegalSchedule.area_code.in_(places),
                   or_(LegalSchedule.valid_to.is_(None), LegalSchedule.valid_to >= today))
            .order_by(LegalProfessional.kind, LegalProfessional.name, LegalSchedule.id))
    return [BoardLegalRow(*row) for row in session.execute(stmt).all()]


def list_board_posts(session: Session, grid_code: str, today: date) -> list[BoardPostRow]:
    """Posts in force on ``today`` at the grid or one of its micro-grids, with public columns."""
    stmt = (
        select(
            StaffMember.id,
            StaffMember.name,
            StaffMember.work_phone,
            Post.role,
            StaffMember.updated_at,
            Post.created_at,
            Post.activated_at,
        )
        .join(StaffMember, StaffMember.id == Post.staff_id)
        .where(
            or_(Post.grid_code == grid_code, Post.scope_code.startswith(grid_code)),
            Post.status == "active",
            Post.start_date <= today,
            or_(Post.end_date.is_(None), Post.end_date >= today),
        )
        .order_by(StaffMember.name, Post.id)
    )
    rows = []
    for staff_id, name, phone, role, staff_at, created_at, activated_at in session.execute(stmt):
        stamps = [t for t in (staff_at, created_at, activated_at) if t is not None]
        rows.append(BoardPostRow(staff_id, name, phone or "", role, max(stamps) if stamps else None))
    return rows


# ---------------------------------------------------------------- complaints


def add_complaint(session: Session, complaint: BoardComplaint) -> BoardComplaint:
    session.add(complaint)
    session.flush()
    return complaint


def list_complaints(
    session: Session, principal: Principal, *, status: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[Sequence[BoardComplaint], int]:
    """One page of the complaints in the jurisdiction, newest first, and how many there are in all."""
    stmt = scoped(select(BoardComplaint), principal, BoardComplaint)
    if status:
        stmt = stmt.where(BoardComplaint.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    stmt = stmt.order_by(BoardComplaint.received_at.desc(), BoardComplaint.id.desc()).offset(offset).limit(limit)
    return session.scalars(stmt).all(), total


def get_complaint(session: Session, principal: Principal, complaint_id: int) -> BoardComplaint | None:
    stmt = scoped(select(BoardComplaint).where(BoardComplaint.id == complaint_id), principal, BoardComplaint)
    return session.scalars(stmt).first()


def find_complaint(session: Session, complaint_id: int) -> BoardComplaint | None:
    """A complaint by its number, unscoped: only for the complainant's lookup, which proves its
    right to see it by the phone given when it was made (see :func:`complaints.lookup_complaint`)."""
    return session.get(BoardComplaint, complaint_id)


def mark_handled(
    session: Session, complaint_id: int, *, action_taken: str, result: str, handled_by: int | None,
    handled_at: datetime,
) -> bool:
    """Sets the complaint handled only if it is still received: one atomic UPDATE, so two agencies
    acting at once cannot both record a handling. False if it was handled already."""
    result = session.execute(
        update(BoardComplaint)
        .where(BoardComplaint.id == complaint_id, BoardComplaint.status == "received")
        .values(status="handled", action_taken=action_taken, result=result, handled_by=handled_by,
                handled_at=handled_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim_overdue_complaints(session: Session, now: datetime) -> list[tuple[int, str, str, datetime]]:
    """Marks the unhandled complaints whose deadline passed and that are not yet marked; returns
    (id, town, grid, due) of each one this call marked (the conditional UPDATE is the claim)."""
    rows = session.execute(
        update(BoardComplaint)
        .where(BoardComplaint.status == "received", BoardComplaint.due_at < now, BoardComplaint.overdue_at.is_(None))
        .values(overdue_at=now)
        .returning(BoardComplaint.id, BoardComplaint.town_code, BoardComplaint.grid_code, BoardComplaint.due_at)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((r[0], r[1], r[2], r[3]) for r in rows)


def agency_users(session: Session, area_codes: Iterable[str]) -> list[int]:
    """Active agency staff bound exactly to one of the areas (the agencies of those areas)."""
    codes = sorted(set(area_codes))
    return list(session.scalars(select(User.id).where(
        User.scope_code.in_(codes), User.is_active.is_(True), User.role.in_(sorted(AGENCY_ROLES))
    ).order_by(User.id)))


# ---------------------------------------------------------------- supervision phones (JS§19)


def supervision_phones(session: Session, area_codes: Iterable[str]) -> dict[str, str]:
    """Area code → the supervision phone it set (public: boards show them)."""
    codes = sorted(set(area_codes))
    if not codes:
        return {}
    return dict(session.execute(select(SupervisionPhone.area_code, SupervisionPhone.phone)
                                .where(SupervisionPhone.area_code.in_(codes))).all())


def phone_areas(session: Session, principal: Principal, levels: Sequence[str]) -> Sequence[Area]:
    """The areas of these levels inside the jurisdiction, by code."""
    stmt = scoped(select(Area).where(Area.level.in_(list(levels))), principal, Area).order_by(Area.code)
    return session.scalars(stmt).all()


def visible_area(session: Session, principal: Principal, code: str) -> Area | None:
    return get_visible(session, principal, Area, code)


def save_supervision_phone(session: Session, area_code: str, phone: str, *, user_id: int | None,
                           now: datetime) -> None:
    """Sets the area's phone; an empty phone removes it (the board then falls back)."""
    row = session.get(SupervisionPhone, area_code)
    if not phone:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(SupervisionPhone(area_code=area_code, phone=phone, updated_by=user_id, updated_at=now))
    else:
        row.phone, row.updated_by, row.updated_at = phone, user_id, now
    session.flush()


def grid_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    codes = set(codes)
    if not codes:
        return {}
    return dict(session.execute(select(Grid.code, Grid.name).where(Grid.code.in_(codes))).all())


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(ids))).all())


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


BOARD_OUTCOMES = 10
"""How many published deliberation outcomes a board shows (the latest decided first)."""


def published_deliberations(session: Session, grid_code: str, village_code: str) -> list[tuple[int, str, str, date]]:
    """The outcomes of deliberations (议事协商, ZJ§20) the community decided to publish, of the grid or of its
    village/community: (id, topic, decision, date) only, never a name. Public like the board, so read as the
    system (``SYSTEM``): only the published columns leave this function."""
    stmt = scoped(select(Deliberation.id, Deliberation.topic, Deliberation.decision, Deliberation.decided_on)
                  .where(Deliberation.area_code.in_([grid_code, village_code]), Deliberation.publish.is_(True),
                         Deliberation.status.in_(("decided", "closed")), Deliberation.decided_on.is_not(None)),
                  SYSTEM, Deliberation)
    rows = session.execute(stmt.order_by(Deliberation.decided_on.desc(), Deliberation.id.desc()).limit(BOARD_OUTCOMES))
    return [(r[0], r[1], r[2], r[3]) for r in rows]
