"""Queries on cases, already scoped to what the principal may see.

Who sees a case is the door's rule for ``Case`` (:mod:`gridgov.authz.scope`): whoever's
jurisdiction holds its grid, and a department the case was dispatched to (as lead or assisting, now
or earlier). Anything else is missing (404), never forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.cases import intake_rows, search
from gridgov.cases.intake_rows import grid_workers
from gridgov.cases.numbering import next_case_no_and_read
from gridgov.cases.search import CaseFilter
from gridgov.catalogue import lookup
from gridgov.models import (
    Case,
    CaseClock,
    CaseDepartment,
    CaseLogEntry,
    CasePhoto,
    Department,
    Grid,
    Instruction,
    User,
)
from gridgov.models.accounts import AGENCY_ROLES


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
            stmt = stmt.where(Case.grid_code.startswith(found.grid[:areas.GRID_CODE_LEN]))
        if found.area:
            stmt = stmt.where(Case.grid_code.startswith(areas.area_prefix(found.area)))
        if found.type:
            stmt = stmt.where(Case.category == found.type)
        if found.department:
            stmt = stmt.where(exists().where(CaseDepartment.case_id == Case.id,
                                             CaseDepartment.department_code == found.department))
        if found.date_from:
            stmt = stmt.where(Case.created_at >= found.created_since())
        if found.date_to:
            stmt = stmt.where(Case.created_at < found.created_before())
        if found.q:
            stmt = stmt.where(_matches(found.q))
    if state:
        stmt = stmt.where(Case.state == state)
    if states:
        stmt = stmt.where(Case.state.in_(list(states)))
    if grid:
        stmt = stmt.where(Case.grid_code.startswith(grid))
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
) -> tuple[list[Case], int]:
    """One page of the visible cases matching ``found`` (:mod:`.search`) and the worklists' own
    conditions, newest first, with how many match in all. ``overdue_at`` is the instant a running
    clock must be due before for the case to count as overdue (with ``found.overdue`` False: the
    cases with no such clock)."""
    stmt = _filtered(principal, found, state=state, states=states, grid=grid, overdue_at=overdue_at, q=q,
                     department_code=department_code)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Case.created_at.desc(), Case.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def clocks_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[CaseClock]]:
    found: dict[int, list[CaseClock]] = {i: [] for i in case_ids}
    if case_ids:
        for clock in session.scalars(select(CaseClock).where(CaseClock.case_id.in_(list(case_ids)))):
            found[clock.case_id].append(clock)
    return found


def clock_of(session: Session, case_id: int, kind: str) -> CaseClock | None:
    return session.scalar(select(CaseClock).where(CaseClock.case_id == case_id, CaseClock.kind == kind))


def departments_of(session: Session, case_id: int, *,
                   active_only: bool = True) -> list[tuple[CaseDepartment, Department]]:
    stmt = select(CaseDepartment, Department).join(Department, Department.code == CaseDepartment.department_code)
    stmt = stmt.where(CaseDepartment.case_id == case_id)
    if active_only:
        stmt = stmt.where(CaseDepartment.ended_at.is_(None))
    return [(cd, d) for cd, d in session.execute(stmt.order_by(CaseDepartment.id)).all()]


def count_by_state(session: Session, principal: Principal) -> dict[str, int]:
    """State → number of the cases the principal may see in it (states with none are left out)."""
    stmt = scoped(select(Case.state, func.count()).select_from(Case), principal, Case).group_by(Case.state)
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
