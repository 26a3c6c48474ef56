"""The figures' store (issue 16): sums of ``case_facts`` columns by group, within a principal's
jurisdiction, read from the pre-aggregated cells (``models/analysis_store.py``) where they can answer.

``aggregate`` answers exactly what a plain GROUP BY over the fact rows answers (:func:`aggregate_plain`,
kept as the reference and the fallback): the whole calendar months of the period are summed from the
cells of the area (a few hundred rows, whatever the number of cases), the days of a month cut by
``date_from``/``date_to`` at either edge from the fact rows of those days only (index
``ix_case_facts_grid_day``/``ix_case_facts_day``). The cells hold one dimension at a time, so a
query that crosses two (a department's figures by type, a type filter grouped by matter, an area
below a town by type) or a jurisdiction narrower than the area asked goes to the fact rows whole;
those are small by construction (a department's cases: ``ix_case_facts_department_day``; a village).
See docs/analysis.md (## Store) for the measurement behind the choice.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, func, literal_column, or_, select, type_coerce
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS, CaseFact
from gridgov.models.analysis_store import CELL_VALUES, DIM_LEVELS, DIMENSIONS, LEVELS, FactCell

GROUP_BYS = ("area", "grid", "type", "matter", "department", "worker", "month")
COUNT_NAMES = CELL_VALUES[1:]
"""What each group counts: every FACT_COUNTER, then ``<duration>_sum`` and ``<duration>_n``."""


@dataclass
class Group:
    key: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """How the cells answer a query: dimension, the key it is held at (None: grouped by key), the
    level of the cells read and what the groups are keyed by (``area``, ``month`` or ``key``)."""

    dim: str
    key: str | None
    level: int
    group: str


DayRange = tuple[date | None, date | None]


# ---------------------------------------------------------------------------------------------
# The plain GROUP BY over the fact rows (reference and fallback)


def _child_len(prefix: str) -> int | None:
    for level in LEVELS:
        if level > len(prefix):
            return level
    return None


def _area_key(code: str) -> str:
    return code if len(code) > areas.AREA_CODE_LEN else code.ljust(areas.AREA_CODE_LEN, "0")


def _month_expr(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), CaseFact.reported_day), Date)
    return type_coerce(func.date(CaseFact.reported_day, literal_column("'start of month'")), Date)


def _fact_key(session: Session, group_by: str, prefix: str):
    if group_by == "area":
        child = _child_len(prefix)
        return func.substr(CaseFact.grid_code, literal_column("1"), literal_column(str(child or 17)))
    if group_by == "grid":
        return func.substr(CaseFact.grid_code, literal_column("1"), literal_column("15"))
    if group_by == "month":
        return _month_expr(session)
    if group_by == "worker":
        return CaseFact.worker_id
    return getattr(CaseFact, f"{group_by}_code")


def _key_text(group_by: str, value: Any) -> str:
    if value is None:
        return ""
    if group_by == "month":
        return f"{value:%Y-%m}" if isinstance(value, date) else str(value)[:7]
    if group_by in ("area", "grid"):
        return _area_key(str(value))
    return str(value)


def _filter_clauses(filters: Mapping[str, Any] | None) -> list:
    clauses = []
    for name, value in (filters or {}).items():
        if value is None or value == "":
            continue
        column = CaseFact.worker_id if name == "worker" else getattr(CaseFact, f"{name}_code", None)
        if column is None:
            raise ValueError(f"未知的筛选条件：{name}")
        clauses.append(column == (int(value) if name == "worker" else str(value)))
    return clauses


def _day_clause(ranges: Sequence[DayRange]):
    parts = []
    for lo, hi in ranges:
        bounds = []
        if lo is not None:
            bounds.append(CaseFact.reported_day >= lo)
        if hi is not None:
            bounds.append(CaseFact.reported_day <= hi)
        parts.append(and_(*bounds) if bounds else literal_column("1") == literal_column("1"))
    return or_(*parts)


def _fact_rows(session: Session, principal: Principal, group_by: str, prefix: str,
               ranges: Sequence[DayRange], filters: Mapping[str, Any] | None) -> dict[str, list[int]]:
    """``{key: [rows, *COUNT_NAMES]}`` from the fact rows reported in ``ranges``."""
    if not ranges:
        return {}
    key = _fact_key(session, group_by, prefix)
    values = [func.count().label("rows"), *(func.sum(getattr(CaseFact, c)) for c in FACT_COUNTERS)]
    for d in FACT_DURATIONS:
        col = getattr(CaseFact, d)
        values += [func.sum(col), func.count(col)]
    stmt = select(key, *values).where(_day_clause(ranges), *_filter_clauses(filters))
    if prefix:
        stmt = stmt.where(scope.starts_with(CaseFact.grid_code, prefix))
    stmt = scope.scoped(stmt, principal, CaseFact).group_by(key)
    out: dict[str, list[int]] = {}
    for row in session.execute(stmt):
        k = _key_text(group_by, row[0])
        acc = out.setdefault(k, [0] * len(CELL_VALUES))
        for i, v in enumerate(row[1:]):
            acc[i] += int(v or 0)
    return out


def _prefix(principal: Principal, area: str | None) -> str:
    return areas.scope_prefix(area) if area else ("" if principal.system else principal.prefix)


def _finish(merged: Mapping[str, list[int]]) -> tuple[list[Group], dict[str, int]]:
    groups = [
        Group(key=k, counts=dict(zip(COUNT_NAMES, v[1:], strict=True)))
        for k, v in sorted(merged.items())
        if v[0] > 0
    ]
    totals = {name: sum(g.counts[name] for g in groups) for name in COUNT_NAMES}
    return groups, totals


def _check_group_by(group_by: str) -> None:
    if group_by not in GROUP_BYS:
        raise ValueError(f"不支持的分组：{group_by}")


def aggregate_plain(session: Session, principal: Principal, *, group_by: str, area: str | None,
                    date_from: date | None, date_to: date | None,
                    filters: Mapping[str, Any] | None = None) -> tuple[list[Group], dict[str, int]]:
    """The figures by GROUP BY over every fact row of the area and period (the reference)."""
    _check_group_by(group_by)
    prefix = _prefix(principal, area)
    return _finish(_fact_rows(session, principal, group_by, prefix, [(date_from, date_to)], filters))


# ---------------------------------------------------------------------------------------------
# The cells


def plan(principal: Principal, group_by: str, prefix: str, filters: Mapping[str, Any] | None) -> Plan | None:
    """How the cells answer the query, or None when only the fact rows can."""
    held: dict[str, str] = {}
    dept = scope.department_of(principal)
    if dept is not None:
        if not dept:
            return None
        held["department"] = dept
    elif not principal.system and not prefix.startswith(principal.prefix):
        return None  # an area above the jurisdiction: the cells of the area would count too much
    for name, value in (filters or {}).items():
        if value is None or value == "":
            continue
        if name not in DIMENSIONS or held.get(name, str(value)) != str(value):
            return None
        held[name] = str(value)
    if len(held) > 1 or (prefix and len(prefix) not in LEVELS):
        return None
    if group_by in DIMENSIONS:
        if held and group_by not in held:
            return None
        level, dim, key, by = len(prefix) or LEVELS[0], group_by, held.get(group_by), "key"
    else:
        dim, key = next(iter(held.items()), ("all", None))
        if group_by == "grid":
            level, by = 15, "area"
        elif group_by == "area":
            child = _child_len(prefix)
            if child is None:
                return None
            level, by = child, "area"
        else:
            level, by = len(prefix) or LEVELS[0], "month"
    if level not in (LEVELS if dim == "all" else DIM_LEVELS):
        return None
    if group_by == "grid" and dim != "all":
        return None
    return Plan(dim=dim, key=key, level=level, group=by)


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_period(date_from: date | None, date_to: date | None) -> tuple[DayRange | None, list[DayRange]]:
    """The whole months of the period (first days of the first and last month; None: no whole
    month; either end None: open) and the day ranges left at its edges."""
    if date_from is not None and date_to is not None and date_from > date_to:
        return None, []
    first = None if date_from is None else (date_from if date_from.day == 1 else _next_month(date_from))
    last = None
    if date_to is not None:
        month_end = date_to.day == calendar.monthrange(date_to.year, date_to.month)[1]
        last = _month_start(date_to) if month_end else _month_start(_month_start(date_to) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None, [(date_from, date_to)]
    edges: list[DayRange] = []
    if date_from is not None and first != date_from:
        edges.append((date_from, first - timedelta(days=1)))
    if date_to is not None and last is not None and _next_month(last) <= date_to:
        edges.append((_next_month(last), date_to))
    return (first, last), edges


def _cell_rows(session: Session, principal: Principal, p: Plan, prefix: str, months: DayRange,
               group_by: str) -> dict[str, list[int]]:
    group_col = {"area": FactCell.area, "month": FactCell.month, "key": FactCell.key}[p.group]
    stmt = select(group_col, *(func.sum(getattr(FactCell, c)) for c in CELL_VALUES)).where(
        FactCell.dim == p.dim, FactCell.level == p.level
    )
    if prefix:
        stmt = stmt.where(scope.starts_with(FactCell.area, prefix))
    if p.key is not None:
        stmt = stmt.where(FactCell.key == p.key)
    if months[0] is not None:
        stmt = stmt.where(FactCell.month >= months[0])
    if months[1] is not None:
        stmt = stmt.where(FactCell.month <= months[1])
    stmt = scope.scoped(stmt, principal, FactCell).group_by(group_col)
    out: dict[str, list[int]] = {}
    for row in session.execute(stmt):
        out[_key_text(group_by, row[0])] = [int(v or 0) for v in row[1:]]
    return out


def _merge(parts: Iterable[Mapping[str, list[int]]]) -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    for part in parts:
        for k, v in part.items():
            acc = merged.setdefault(k, [0] * len(CELL_VALUES))
            for i, x in enumerate(v):
                acc[i] += x
    return merged


def aggregate(session: Session, principal: Principal, *, group_by: str, area: str | None,
              date_from: date | None, date_to: date | None,
              filters: Mapping[str, Any] | None = None) -> tuple[list[Group], dict[str, int]]:
    """The figures of the cases reported from ``date_from`` to ``date_to`` (inclusive; None: open)
    under ``area`` (None: the jurisdiction), grouped by ``group_by``; groups without a case are left
    out, and ``totals`` sums the groups. Equal to :func:`aggregate_plain`."""
    _check_group_by(group_by)
    prefix = _prefix(principal, area)
    p = plan(principal, group_by, prefix, filters)
    months, edges = split_period(date_from, date_to)
    if p is None or months is None:
        ranges = [(date_from, date_to)] if months is not None or edges else []
        return _finish(_fact_rows(session, principal, group_by, prefix, ranges, filters))
    parts = [_cell_rows(session, principal, p, prefix, months, group_by)]
    parts.append(_fact_rows(session, principal, group_by, prefix, edges, filters))
    return _finish(_merge(parts))
