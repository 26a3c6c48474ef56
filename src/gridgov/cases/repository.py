"""Queries on cases, already scoped to what the principal may see.

Who sees a case is the door's rule for ``Case`` (:mod:`gridgov.authz.scope`): whoever's
jurisdiction holds its grid, and a department the case was dispatched to (as lead or assisting, now
or earlier). Anything else is missing (404), never forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, exists, false, func, or_, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped, starts_with
from gridgov.cases import intake_rows, search
from gridgov.cases.intake_rows import grid_workers
from gridgov.cases.numbering import next_case_no_and_read
from gridgov.cases.search import CaseFilter
from gridgov.catalogue import lookup
from gridgov.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseDepartment,
    CaseLogEntry,
    CasePhoto,
    Department,
    Grid,
    Instruction,
    Matter,
    Post,
    Training,
    User,
)
from gridgov.models.accounts import AGENCY_ROLES, GRID_WORKER_ROLES
from gridgov.models.analysis import CaseFact
from gridgov.territory import rules


def get_case(session: Session, principal: Principal, case_no: str, *, for_update: bool = False) -> Case | None:
    stmt = scoped(select(Case).where(Case.case_no == case_no), principal, Case)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _matches(text: str):
    """``text`` anywhere in the case's number, title, description or address, case-insensitive,
    its ``%`` and ``_`` taken literally (a bound parameter: same on SQLite and PostgreSQL)."""
    like = search.like_pattern(text)
    return or_(*(column.ilike(like, escape="\\") for column in
                 (Case.case_no, Case.title, Case.description, Case.address)))


def _filtered(principal: Principal, found: CaseFilter | None, *, state=None, states=None, grid=None,
              overdue_at=None, q=None, department_code=None):
    """The scoped select of the cases ``principal`` may see that match the filter (and the worklists'
    own conditions): the door's rule first, so a filter only ever narrows it."""
    stmt = scoped(select(Case), principal, Case)
    if found is not None:
        wanted = found.states()
        if wanted:
            stmt = stmt.where(Case.state.in_(wanted))
        if found.grid:
            stmt = stmt.where(starts_with(Case.grid_code, found.grid[:areas.GRID_CODE_LEN]))
        if found.area:  # a range, not LIKE: the index serves it under any collation (issue 19)
            stmt = stmt.where(starts_with(Case.grid_code, areas.area_prefix(found.area)))
        if found.type == search.NONE:
            stmt = stmt.where(Case.type_code.is_(None))
        elif found.type:
            stmt = stmt.where(Case.type_code.in_(found.type_codes))
        stmt = _figures(stmt, found)
        if found.department:
            stmt = stmt.where(exists().where(CaseDepartment.case_id == Case.id,
                                             CaseDepartment.department_code == found.department))
        if found.date_from:
            stmt = stmt.where(Case.created_at >= found.created_since())
        if found.date_to:
            stmt = stmt.where(Case.created_at < found.created_before())
        if found.q:
            stmt = stmt.where(_matches(found.q))
        if found.nos:
            stmt = stmt.where(Case.case_no.in_(found.nos.split(",")))
    if state:
        stmt = stmt.where(Case.state == state)
    if states:
        stmt = stmt.where(Case.state.in_(list(states)))
    if grid:
        stmt = stmt.where(starts_with(Case.grid_code, grid))
    if q:
        stmt = stmt.where(_matches(q))
    if department_code:
        stmt = stmt.where(Case.lead_department_code == department_code)
    if overdue_at is not None:
        late = exists().where(
            CaseClock.case_id == Case.id, CaseClock.stopped_at.is_(None), CaseClock.due_at < overdue_at
        )
        stmt = stmt.where(late if (found is None or found.overdue is not False) else ~late)
    return stmt


def _figures(stmt, found: CaseFilter):
    """The figures' filters (:mod:`.search`): the matter, and what the case's fact row says."""
    if found.matter:
        stmt = stmt.where(Case.category == found.matter) if found.matter != search.NONE else stmt.where(false())
    fact: list = []
    if found.lead:
        fact.append(CaseFact.department_code.is_(None) if found.lead == search.NONE
                    else CaseFact.department_code == found.lead)
    if found.worker:
        fact.append(CaseFact.worker_id.is_(None) if found.worker == search.NONE
                    else CaseFact.worker_id == int(found.worker))
    for counter, wanted in found.kpi_terms():
        column = getattr(CaseFact, counter)
        fact.append(column > 0 if wanted else column == 0)
    if fact:
        stmt = stmt.where(exists().where(CaseFact.case_id == Case.id, *fact))
    return stmt


COUNT_CAP = 10_000
"""The most matches a case list counts exactly (issue 19): a province's unfiltered list holds millions,
and counting them all costs seconds on every page; past the cap the list says 10000 件以上 and the
user narrows it with the filters."""


def list_cases(
    session: Session,
    principal: Principal,
    *,
    found: CaseFilter | None = None,
    state: str | None = None,
    states: Sequence[str] | None = None,
    grid: str | None = None,
    overdue_at=None,
    q: str | None = None,
    department_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
    count: bool = True,
) -> tuple[list[Case], int]:
    """One page of the visible cases matching ``found`` (:mod:`.search`) and the worklists' own
    conditions, newest first, with how many match in all, counted up to :data:`COUNT_CAP` + 1 (more
    than the cap reads as "more than COUNT_CAP"); ``count=False``: not counted (0). ``overdue_at`` is
    the instant a running clock must be due before for the case to count as overdue (with
    ``found.overdue`` False: the cases with no such clock)."""
    stmt = _filtered(principal, found, state=state, states=states, grid=grid, overdue_at=overdue_at, q=q,
                     department_code=department_code)
    total = session.scalar(select(func.count()).select_from(
        stmt.order_by(None).limit(COUNT_CAP + 1).subquery())) or 0 if count else 0
    rows = session.scalars(stmt.order_by(Case.created_at.desc(), Case.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def clocks_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[CaseClock]]:
    found: dict[int, list[CaseClock]] = {i: [] for i in case_ids}
    if case_ids:
        for clock in session.scalars(select(CaseClock).where(CaseClock.case_id.in_(list(case_ids)))):
            found[clock.case_id].append(clock)
    return found


def pressed_case_ids(session: Session, case_ids: Sequence[int], now: datetime) -> set[int]:
    """Of these cases, those with a running clock in warning or overdue at ``now``: the status a case's
    row shows (its most pressing running clock's, :func:`gridgov.cases.clocks.worst`) is one of those.
    The rule is :func:`gridgov.cases.deadlines.clock_status`'s: a final status if set, else overdue after
    ``due_at``, warning from ``warn_at``."""
    if not case_ids:
        return set()
    pressed = or_(CaseClock.final_status.in_(("warning", "overdue")),
                  CaseClock.final_status.is_(None) & or_(CaseClock.due_at < now, CaseClock.warn_at <= now))
    return set(session.scalars(select(CaseClock.case_id).distinct().where(
        CaseClock.case_id.in_(list(case_ids)), CaseClock.stopped_at.is_(None), pressed)))


def clock_of(session: Session, case_id: int, kind: str) -> CaseClock | None:
    return session.scalar(select(CaseClock).where(CaseClock.case_id == case_id, CaseClock.kind == kind))


def departments_of(session: Session, case_id: int, *,
                   active_only: bool = True) -> list[tuple[CaseDepartment, Department]]:
    stmt = select(CaseDepartment, Department).join(Department, Department.code == CaseDepartment.department_code)
    stmt = stmt.where(CaseDepartment.case_id == case_id)
    if active_only:
        stmt = stmt.where(CaseDepartment.ended_at.is_(None))
    return [(cd, d) for cd, d in session.execute(stmt.order_by(CaseDepartment.id)).all()]


ALERTED = "emergency"
"""``case_departments.part`` of a department sent an urgent case straight away (LZ§16), beside
``lead`` and ``assisting``; the row ends when the department acknowledges the report."""


def is_alerted(session: Session, case_id: int, department_code: str) -> bool:
    """Whether the department was sent the case as an emergency and has not acknowledged it yet."""
    return session.scalar(select(CaseDepartment.id).where(
        CaseDepartment.case_id == case_id, CaseDepartment.department_code == department_code,
        CaseDepartment.part == ALERTED, CaseDepartment.ended_at.is_(None)).limit(1)) is not None


def alerted_departments(session: Session, case_id: int) -> list[tuple[CaseDepartment, Department]]:
    """The departments the case was sent to straight away (LZ§16), acknowledged or not."""
    return [(cd, d) for cd, d in departments_of(session, case_id, active_only=False) if cd.part == ALERTED]


def alerts_of(session: Session, case_id: int, department_code: str | None) -> list[CaseDepartment]:
    """The department's emergency reports of the case not yet acknowledged."""
    return list(session.scalars(select(CaseDepartment).where(
        CaseDepartment.case_id == case_id, CaseDepartment.department_code == department_code,
        CaseDepartment.part == ALERTED, CaseDepartment.ended_at.is_(None))))


def matter_department_kind(session: Session, category: str) -> str:
    """The competent department's kind of the matter a case names ("" when none is recorded)."""
    return session.scalar(select(Matter.department_kind).where(Matter.code == category)) or ""


def nearest_department(session: Session, grid_code: str, kind: str) -> Department | None:
    """The active department of ``kind`` nearest above a grid (its town's, else its county's, else
    its city's)."""
    above = rules.ancestor_codes(grid_code[: rules.AREA_CODE_LEN])
    # The system's look-up, as :func:`get_department`: the competent department may lie above the
    # reporter's jurisdiction.
    found = session.scalars(scoped(select(Department).where(
        Department.kind == kind, Department.is_active.is_(True), Department.area_code.in_(above)),
        SYSTEM, Department)).all()
    return max(found, key=lambda d: above.index(d.area_code), default=None)


def alerted_case_ids(session: Session, department_code: str, case_ids: Sequence[int]) -> set[int]:
    """Which of the cases the department was sent as an emergency (acknowledged or not)."""
    if not case_ids:
        return set()
    return set(session.scalars(select(CaseDepartment.case_id).where(
        CaseDepartment.department_code == department_code, CaseDepartment.part == ALERTED,
        CaseDepartment.case_id.in_(list(case_ids)))))


def count_by_state(session: Session, principal: Principal) -> dict[str, int]:
    """State → number of the cases the principal may see in it (states with none are left out)."""
    stmt = scoped(select(Case.state, func.count()).select_from(Case), principal, Case).group_by(Case.state)
    return dict(session.execute(stmt).all())


def count_by_type(session: Session, principal: Principal) -> dict[str | None, int]:
    """Type code (None: registered without one) → number of the cases the principal may see."""
    stmt = scoped(select(Case.type_code, func.count()).select_from(Case), principal, Case).group_by(Case.type_code)
    return dict(session.execute(stmt).all())


def open_cases_located(session: Session, principal: Principal, states: Sequence[str], *, limit: int) -> list[Case]:
    """The newest visible cases in ``states`` that have coordinates (the map's), at most ``limit``."""
    stmt = scoped(select(Case), principal, Case).where(
        Case.state.in_(list(states)), Case.lon.is_not(None), Case.lat.is_not(None)
    ).order_by(Case.created_at.desc()).limit(limit)
    return list(session.scalars(stmt))


def count_cases(session: Session) -> int:
    """Every case there is (what ``gridgov cases verify-log --all`` checked), as the system."""
    return session.scalar(scoped(select(func.count()).select_from(Case), SYSTEM, Case)) or 0


def log_of(session: Session, case_id: int) -> list[CaseLogEntry]:
    return list(session.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case_id).order_by(CaseLogEntry.seq)))


def last_evaluation_entry(session: Session, case_id: int) -> CaseLogEntry | None:
    """The case's last feedback or reporter's evaluation (who gave its current evaluation)."""
    return session.scalar(select(CaseLogEntry).where(CaseLogEntry.case_id == case_id,
                                                     CaseLogEntry.action.in_(("feedback", "evaluate")))
                          .order_by(CaseLogEntry.seq.desc()).limit(1))


def photos_of(session: Session, case_id: int) -> list[CasePhoto]:
    return list(session.scalars(select(CasePhoto).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)))


def get_department(session: Session, code: str) -> Department | None:
    return session.get(Department, code)


def agency_users(session: Session, area_code: str) -> list[int]:
    """Active agency staff bound exactly to an area (the agency of that area)."""
    return list(session.scalars(select(User.id).where(
        User.scope_code == area_code, User.is_active.is_(True),
        User.role.in_(sorted(AGENCY_ROLES)),
    )))


def department_users(session: Session, department_code: str, roles: Sequence[str]) -> list[int]:
    return list(session.scalars(select(User.id).where(
        User.department_code == department_code, User.is_active.is_(True), User.role.in_(list(roles)),
    )))


GRID_WORKERS = grid_workers(bindparam("grid"))


def grid_worker_users(session: Session, grid_code: str) -> list[int]:
    return list(session.scalars(GRID_WORKERS, {"grid": grid_code}))


# ---------------------------------------------------------------------------------------------
# A grid with no worker on post (issue 13)


def workers_on_post(session: Session, grid_codes: Sequence[str], *, trained: bool) -> list:
    """(id, display name, grid code) of the accounts acting now as workers of these grids: active,
    of a worker role, whose staff record holds an active post of that role there and (``trained``:
    where the profile asks) passed pre-job training: the same test as the door's (B4). The system's
    view: whoever's jurisdiction the grids lie in."""
    if not grid_codes:
        return []
    on_post = exists().where(Post.staff_id == User.staff_id, Post.role == User.role,
                             Post.scope_code == User.scope_code, Post.status == "active")
    stmt = scoped(select(User.id, User.display_name, User.scope_code).where(
        User.scope_code.in_(list(grid_codes)), User.is_active.is_(True),
        User.role.in_(sorted(GRID_WORKER_ROLES)), on_post), SYSTEM, User)
    if trained:
        stmt = stmt.where(exists().where(Training.staff_id == User.staff_id, Training.kind == "pre_job",
                                         Training.passed.is_(True)))
    return list(session.execute(stmt.order_by(User.scope_code, User.id)).all())


def grid_outline(session: Session, grid_code: str):
    """(code, name, village, outline WKB) of an active grid, or None (the system's view)."""
    return session.execute(scoped(select(Grid.code, Grid.name, Grid.area_code, Grid.geom_wkb).where(
        Grid.code == grid_code, Grid.status == "active"), SYSTEM, Grid)).first()


def grids_near(session: Session, grid, margin: float) -> list:
    """(code, name, village, outline WKB) of the other active grids of ``grid``'s village or whose
    bounding box comes within ``margin`` degrees of its own (the system's view)."""
    bounds = session.execute(scoped(select(Grid.min_lon, Grid.min_lat, Grid.max_lon, Grid.max_lat).where(
        Grid.code == grid.code), SYSTEM, Grid)).one()
    near_box = (Grid.max_lon >= bounds.min_lon - margin) & (Grid.min_lon <= bounds.max_lon + margin) & (
        Grid.max_lat >= bounds.min_lat - margin) & (Grid.min_lat <= bounds.max_lat + margin)
    stmt = scoped(select(Grid.code, Grid.name, Grid.area_code, Grid.geom_wkb).where(
        Grid.code != grid.code, Grid.status == "active", or_(Grid.area_code == grid.area_code, near_box)),
        SYSTEM, Grid)
    return list(session.execute(stmt.order_by(Grid.code)).all())


def active_assignment(session: Session, case_id: int) -> CaseAssignment | None:
    """The case's current assignment to a neighbouring grid's worker (a case already opened)."""
    return session.scalar(select(CaseAssignment).where(CaseAssignment.case_id == case_id,
                                                       CaseAssignment.ended_at.is_(None)))


# ---------------------------------------------------------------------------------------------
# A case being registered: the fast path (bench/intake.py)

NewRow = intake_rows.Row
"""A row of a case being registered (the case, its first entry, its first clock), built outside the
session and written by :func:`insert_new_case`."""


def number_and_matter(session: Session, county_code: str, now, grid_code: str, category: str, day):
    """The new case's number and the matter ``category`` names in force at ``grid_code`` on ``day``
    (a row, or None), in one round trip where the database allows (:mod:`.numbering`)."""
    return next_case_no_and_read(session, county_code, now, lookup.MATTER_IN_FORCE,
                                 lookup.matter_params(grid_code, category, day))


_grids = Grid.__table__
_GRID_ROW = select(_grids.c.code, _grids.c.area_code, _grids.c.status).where(_grids.c.code == bindparam("code"))


def intake_grid(session: Session, code: str):
    """The code, village and status of the grid a case being registered names (a Core row: no ORM
    object to build), or None; the caller checks it against the door (``covers``) next."""
    return session.execute(_GRID_ROW, {"code": code}).one_or_none()


def intake_instruction(session: Session, instruction_id: int) -> Instruction | None:
    """The instruction a case being registered names; the caller checks it is of the case's grid,
    already checked against the jurisdiction (same 422 either way)."""
    return session.get(Instruction, instruction_id)


def case_of_instruction(session: Session, instruction_id: int) -> str | None:
    """The number of the case registered from an instruction, if any (one per instruction)."""
    return session.scalar(select(Case.case_no).where(Case.instruction_id == instruction_id))


def insert_new_case(session: Session, case, entry, clock, *, tell_grid: str | None, notice: dict) -> int:
    """Inserts a new case with its first entry and clock (and, with ``tell_grid``, a notice to each
    of the grid's workers) by statements compiled once (:mod:`.intake_rows`, ``db.Prebuilt``);
    returns the case's id, also set on the rows. The grid was checked through the door before."""
    return intake_rows.write(session, case, entry, clock, tell_grid=tell_grid, notice=notice)


# ---------------------------------------------------------------------------------------------
# Duplicates (issue 14): cases near a point, and the links a merge leaves


def case_no_by_id(session: Session, case_id: int | None) -> str | None:
    """The number of the case a duplicate was merged into: part of the duplicate's own record (its
    file names it too), so read as the system."""
    if case_id is None:
        return None
    return session.scalar(scoped(select(Case.case_no), SYSTEM, Case).where(Case.id == case_id))


def merged_from(session: Session, principal: Principal, case_id: int) -> list[str]:
    """The numbers of the visible cases merged into this one, oldest first."""
    stmt = scoped(select(Case.case_no), principal, Case).where(Case.merged_into_id == case_id)
    return list(session.scalars(stmt.order_by(Case.id)))


def cases_in_box(session: Session, principal: Principal, *, states: Sequence[str], category: str | None,
                 since, box: tuple[float, float, float, float], exclude: str | None = None,
                 limit: int = 50) -> list[Case]:
    """Visible cases in ``states`` registered since ``since`` whose point lies in ``box`` (min lon,
    min lat, max lon, max lat), of ``category`` when given; the caller measures the distance."""
    stmt = scoped(select(Case), principal, Case).where(
        Case.state.in_(list(states)), Case.created_at >= since, Case.merged_into_id.is_(None),
        Case.lon.between(box[0], box[2]), Case.lat.between(box[1], box[3]),
    )
    if category:
        stmt = stmt.where(Case.category == category)
    if exclude:
        stmt = stmt.where(Case.case_no != exclude)
    return list(session.scalars(stmt.order_by(Case.created_at.desc()).limit(limit)))
