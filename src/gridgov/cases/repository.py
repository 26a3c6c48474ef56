"""Queries on cases, already scoped to what the principal may see.

Who sees a case is the door's rule for ``Case`` (:mod:`gridgov.authz.scope`): whoever's
jurisdiction holds its grid, and a department the case was dispatched to (as lead or assisting, now
or earlier). Anything else is missing (404), never forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models import (
    Case,
    CaseClock,
    CaseDepartment,
    CaseLogEntry,
    CasePhoto,
    Department,
    User,
)
from gridgov.models.accounts import Role


def get_case(session: Session, principal: Principal, case_no: str, *, for_update: bool = False) -> Case | None:
    stmt = scoped(select(Case).where(Case.case_no == case_no), principal, Case)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def list_cases(
    session: Session,
    principal: Principal,
    *,
    state: str | None = None,
    states: Sequence[str] | None = None,
    grid: str | None = None,
    overdue_at=None,
    q: str | None = None,
    department_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Case], int]:
    stmt = scoped(select(Case), principal, Case)
    if state:
        stmt = stmt.where(Case.state == state)
    if states:
        stmt = stmt.where(Case.state.in_(list(states)))
    if grid:
        stmt = stmt.where(Case.grid_code.startswith(grid))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Case.case_no.like(like), Case.title.like(like), Case.address.like(like)))
    if department_code:
        stmt = stmt.where(Case.lead_department_code == department_code)
    if overdue_at is not None:
        late = exists().where(
            CaseClock.case_id == Case.id, CaseClock.stopped_at.is_(None), CaseClock.due_at < overdue_at
        )
        stmt = stmt.where(late)
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
        User.role.in_([Role.AGENCY_ADMIN, Role.AGENCY_DISPATCHER]),
    )))


def department_users(session: Session, department_code: str, roles: Sequence[str]) -> list[int]:
    return list(session.scalars(select(User.id).where(
        User.department_code == department_code, User.is_active.is_(True), User.role.in_(list(roles)),
    )))


def grid_workers(grid) -> Select:
    """The ids of the active workers of ``grid`` (a code, or a parameter in a statement built once:
    the roles are constants rather than an IN list expanded on every run)."""
    return select(User.id).where(
        User.scope_code == grid, User.is_active.is_(True),
        User.role.in_([literal_column(f"'{r}'") for r in (Role.LEADER, Role.FULLTIME, Role.PARTTIME,
                                                          Role.PROFESSIONAL)]),
    )


GRID_WORKERS = grid_workers(bindparam("grid"))


def grid_worker_users(session: Session, grid_code: str) -> list[int]:
    return list(session.scalars(GRID_WORKERS, {"grid": grid_code}))
