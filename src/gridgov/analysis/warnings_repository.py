"""Scoped queries of the early warnings: every read goes through :mod:`gridgov.authz.scope`, so a
principal's warnings are drawn only from what it may see (the job passes the principal of each
agency it tells). Counts come from the cases table with the same conditions as ``GET /api/v1/cases``
(:mod:`gridgov.cases.repository`), so each warning's ``cases_url`` lists exactly what it counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models import Case, CaseClock, CaseDepartment, Department, Grid, User
from gridgov.models.accounts import AGENCY_ROLES
from gridgov.models.staff import StaffMember
from gridgov.models.territory import BoardComplaint


def weekly_counts(session: Session, principal: Principal, *, by: str, starts: Sequence[datetime]
                  ) -> dict[str, list[int]]:
    """Per grid (``by="grid"``) or case type (``by="type"``), the cases reported in each week
    ``[starts[i], starts[i+1])``, oldest first (len(starts) - 1 weeks)."""
    column = Case.grid_code if by == "grid" else Case.type_code
    weeks = len(starts) - 1
    week = case(*[(Case.created_at >= starts[i], i) for i in range(weeks - 1, -1, -1)], else_=-1)
    stmt = scoped(select(column, week.label("w"), func.count()).where(
        Case.created_at >= starts[0], Case.created_at < starts[-1], column.is_not(None)), principal, Case)
    found: dict[str, list[int]] = {}
    for key, w, n in session.execute(stmt.group_by(column, week)):
        if 0 <= w < weeks:
            found.setdefault(key, [0] * weeks)[w] += n
    return found


def keys_seen_before(session: Session, principal: Principal, *, by: str, keys: Sequence[str],
                     before: datetime) -> set[str]:
    """Which of ``keys`` (grids or types) had a case reported before ``before``."""
    if not keys:
        return set()
    column = Case.grid_code if by == "grid" else Case.type_code
    stmt = scoped(select(column).where(column.in_(list(keys)), Case.created_at < before).distinct(), principal, Case)
    return set(session.scalars(stmt))


def recent_cases(session: Session, principal: Principal, *, since: datetime, until: datetime) -> list:
    """The cases reported in ``[since, until)`` (not merged into another), with what the repeat
    rules need: id, case_no, address_id, address, lon, lat, grid_code."""
    stmt = scoped(select(Case.id, Case.case_no, Case.address_id, Case.address, Case.lon, Case.lat, Case.grid_code)
                  .where(Case.created_at >= since, Case.created_at < until, Case.merged_into_id.is_(None)),
                  principal, Case)
    return list(session.execute(stmt.order_by(Case.id)))


def _overdue(now: datetime):
    """A case that ran overdue: a clock the sweep marked overdue, or a running clock past its due time
    (an IN over the clocks, which the database evaluates once, not per case)."""
    return Case.id.in_(select(CaseClock.case_id).where(
        or_(CaseClock.overdue_at.is_not(None), and_(CaseClock.stopped_at.is_(None), CaseClock.due_at < now))))


def department_overdue(session: Session, principal: Principal, *, edges: Sequence[datetime], now: datetime
                       ) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
    """Per department (every case it was dispatched to, as lead or assisting: the case list's
    ``department`` filter), (cases, overdue) of the previous window ``[edges[0], edges[1])`` and the
    recent one ``[edges[1], edges[2])``: {code: (previous, recent)}."""
    recent = case((Case.created_at >= edges[1], 1), else_=0)
    late = case((_overdue(now), 1), else_=0)
    sent = aliased(CaseDepartment)  # the door's rule of a department correlates CaseDepartment itself
    inner = scoped(select(sent.department_code.label("d"), Case.id.label("c"), recent.label("r"), late.label("o"))
                   .select_from(sent).join(Case, Case.id == sent.case_id)
                   .where(Case.created_at >= edges[0], Case.created_at < edges[2]), principal, Case)
    sub = inner.distinct().subquery()
    stmt = select(sub.c.d, sub.c.r, func.count(), func.sum(sub.c.o)).group_by(sub.c.d, sub.c.r)
    found: dict[str, list[tuple[int, int]]] = {}
    for code, r, n, o in session.execute(stmt):
        found.setdefault(code, [(0, 0), (0, 0)])[int(r)] = (int(n), int(o or 0))
    return {k: (v[0], v[1]) for k, v in found.items()}


def complaints_by_worker(session: Session, principal: Principal, *, since: datetime) -> list:
    """Per staff member named by complaints received since ``since``: (staff_id, count, first id,
    a grid of them, the town)."""
    stmt = scoped(select(BoardComplaint.staff_id, func.count(), func.min(BoardComplaint.id),
                         func.min(BoardComplaint.grid_code), func.min(BoardComplaint.town_code))
                  .where(BoardComplaint.received_at >= since, BoardComplaint.staff_id.is_not(None)),
                  principal, BoardComplaint)
    return list(session.execute(stmt.group_by(BoardComplaint.staff_id)))


def grid_names(session: Session, principal: Principal, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(scoped(select(Grid.code, Grid.name).where(Grid.code.in_(sorted(codes))),
                                       principal, Grid)).all())


def department_names(session: Session, principal: Principal, codes: set[str]) -> dict[str, tuple[str, str]]:
    """code → (name, area code) of the departments (those above the jurisdiction too)."""
    if not codes:
        return {}
    rows = session.execute(scoped(select(Department.code, Department.name, Department.area_code)
                                  .where(Department.code.in_(sorted(codes))), principal, Department, ancestors=True))
    return {c: (n, a) for c, n, a in rows}


def staff_names(session: Session, principal: Principal, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(scoped(select(StaffMember.id, StaffMember.name)
                                       .where(StaffMember.id.in_(sorted(ids))), principal, StaffMember)).all())


def agency_desks(session: Session, principal: Principal) -> dict[tuple[str, str], list[int]]:
    """The active agency users, by (area, role): whom the job tells, each desk with what it may see."""
    stmt = scoped(select(User.scope_code, User.role, User.id)
                  .where(User.is_active.is_(True), User.role.in_(sorted(r.value for r in AGENCY_ROLES))),
                  principal, User)
    found: dict[tuple[str, str], list[int]] = {}
    for scope_code, role, uid in session.execute(stmt.order_by(User.id)):
        found.setdefault((scope_code, role), []).append(uid)
    return found
