"""The figures' store (issue 16): sums of ``case_facts`` columns by group, within a principal's
jurisdiction, read from the pre-aggregated cells (``models/analysis_store.py``) where they can answer.

``aggregate`` answers exactly what a plain GROUP BY over the fact rows answers
(:func:`gridgov.analysis.store_plain.aggregate_plain`, the reference): the whole calendar months of
the period are summed from the cells of the area (a few dozen to a few thousand rows, whatever the
number of cases), the days of a month cut by ``date_from``/``date_to`` at either edge from the fact
rows of those days only. The cells hold one dimension at a time, at the levels of
``analysis_store.KEPT``, so a query that crosses two (a department's figures by type, a type filter
grouped by matter), a list filter, or a dimension below the levels kept (a town by type) or a
jurisdiction narrower than the area asked goes to the fact rows whole; those are small by
construction (a department's cases: ``ix_case_facts_department_day``; a town's: ``ix_case_facts_grid_day``).
See docs/analysis.md (## Store) for the measurement behind the choice.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, func, literal_column, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis.store_plain import GROUP_BY, NONE_KEY, Group, child_key, child_length  # noqa: F401 (the API)
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS, CaseFact
from gridgov.models.analysis_store import CELL_VALUES, DIMENSIONS, KEPT, FactCell

COUNT_NAMES = CELL_VALUES[1:]
"""What each group counts: every FACT_COUNTER, then ``<duration>_sum`` and ``<duration>_n``."""
_COLUMNS = {"grid": CaseFact.grid_code, "type": CaseFact.type_code, "matter": CaseFact.matter_code,
            "department": CaseFact.department_code, "worker": CaseFact.worker_id}


@dataclass(frozen=True)
class Plan:
    """How the cells answer a query: dimension, the key it is held at (None: grouped by key), the
    level of the cells read and what the groups are keyed by (``area``, ``month`` or ``key``)."""

    dim: str
    key: str | None
    level: int
    group: str
    prefix: str
    """The area the cells are read under ('' everywhere)."""


DayRange = tuple[date | None, date | None]

_CELL_SUMS = [func.sum(getattr(FactCell, c)) for c in CELL_VALUES]
"""Built once: building two dozen SQL expressions per request costs more than the query."""
_FACT_SUMS = [func.count(), *(func.sum(getattr(CaseFact, c)) for c in FACT_COUNTERS)]
for _d in FACT_DURATIONS:
    _FACT_SUMS += [func.sum(getattr(CaseFact, _d)), func.count(getattr(CaseFact, _d))]


# ---------------------------------------------------------------------------------------------
# The fact rows of some days (the edges of the period, or all of it when the cells cannot answer)


def _month_expr(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), CaseFact.reported_day), Date)
    return type_coerce(func.date(CaseFact.reported_day, literal_column("'start of month'")), Date)


def _fact_key(session: Session, group_by: str, area: str | None):
    if group_by == "area":
        return func.substr(CaseFact.grid_code, literal_column("1"), literal_column(str(child_length(area))))
    if group_by == "month":
        return _month_expr(session)
    return _COLUMNS[group_by]


def _key_text(group_by: str, value: Any) -> str:
    if value is None or value == "":
        return NONE_KEY
    if group_by == "month":
        return value.isoformat()[:7] if isinstance(value, date) else str(value)[:7]
    if group_by == "area":
        return child_key(str(value))
    return str(value)


def _filter_clauses(filters: Mapping[str, Any] | None) -> list:
    clauses = []
    for name, value in (filters or {}).items():
        column = _COLUMNS[name]
        if value == NONE_KEY:
            clauses.append(column.is_(None))
        elif isinstance(value, (list, tuple)):
            clauses.append(column.in_(list(value)))
        else:
            clauses.append(column == value)
    return clauses


def _day_clause(ranges: Sequence[DayRange]):
    parts = []
    for lo, hi in ranges:
        bounds = []
        if lo is not None:
            bounds.append(CaseFact.reported_day >= lo)
        if hi is not None:
            bounds.append(CaseFact.reported_day <= hi)
        parts.append(and_(*bounds) if bounds else true())
    return or_(*parts)


def _fact_rows(session: Session, principal: Principal, group_by: str, area: str | None,
               ranges: Sequence[DayRange], filters: Mapping[str, Any] | None) -> dict[str, list[int]]:
    """``{key: [rows, *COUNT_NAMES]}`` from the fact rows reported in ``ranges``."""
    if not ranges:
        return {}
    key = _fact_key(session, group_by, area)
    stmt = select(key, *_FACT_SUMS).where(_day_clause(ranges), *_filter_clauses(filters))
    if area:
        stmt = stmt.where(scope.starts_with(CaseFact.grid_code, areas.area_prefix(area)))
    stmt = scope.scoped(stmt, principal, CaseFact).group_by(key)
    out: dict[str, list[int]] = {}
    for row in session.connection().execute(stmt):  # Core rows: no ORM result processing
        acc = out.setdefault(_key_text(group_by, row[0]), [0] * len(CELL_VALUES))
        for i, v in enumerate(row[1:]):
            acc[i] += int(v or 0)
    return out


def _finish(merged: Mapping[str, list[int]]) -> tuple[list[Group], dict[str, int]]:
    kept = [(k, v) for k, v in sorted(merged.items()) if v[0] > 0]
    groups = [Group(key=k, counts=dict(zip(COUNT_NAMES, v[1:], strict=True))) for k, v in kept]
    sums = [sum(column) for column in zip(*(v for _k, v in kept), strict=True)] or [0] * len(CELL_VALUES)
    return groups, dict(zip(COUNT_NAMES, sums[1:], strict=True))


# ---------------------------------------------------------------------------------------------
# The cells


def plan(principal: Principal, group_by: str, area: str | None, filters: Mapping[str, Any] | None) -> Plan | None:
    """How the cells answer the query, or None when only the fact rows can: the cells hold one
    dimension at a time (a department's own key, one filter, or the grouping), dimensions down to
    towns, and the area must lie inside a territorial jurisdiction (an area above it would count
    what the principal does not see)."""
    held: dict[str, str] = {}
    prefix = areas.area_prefix(area) if area else ""
    dept = scope.department_of(principal)
    if dept is not None:
        if not dept:
            return None
        held["department"] = dept
    elif not principal.system:
        if not prefix and group_by != "area":
            prefix = principal.prefix  # the jurisdiction is what the fact rows are narrowed to anyway
        if not prefix.startswith(principal.prefix):
            return None
    for name, value in (filters or {}).items():
        if name not in DIMENSIONS or isinstance(value, (list, tuple)):
            return None
        text = "" if value == NONE_KEY else str(value)
        if held.get(name, text) != text:
            return None
        held[name] = text
    if len(held) > 1 or (prefix and len(prefix) not in KEPT["all"]):
        return None
    if group_by in DIMENSIONS:
        if held and group_by not in held:
            return None
        dim, key, by = group_by, held.get(group_by), "key"
    else:
        dim, key = next(iter(held.items()), ("all", None))
        by = "month" if group_by == "month" else "area"
    if group_by == "grid":
        level = 15 if dim == "all" else None
    elif group_by == "area":
        child = child_length(area) if len(prefix) < 15 else None
        level = child if child in KEPT[dim] else None
    else:  # the figures of the area itself: the first level kept at or below it (each case in one cell)
        level = next((lv for lv in KEPT[dim] if lv >= len(prefix)), None)
    if level is None:
        return None
    return Plan(dim=dim, key=key, level=level, group=by, prefix=prefix)


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


def _cell_rows(session: Session, principal: Principal, p: Plan, months: DayRange,
               group_by: str) -> dict[str, list[int]]:
    group_col = {"area": FactCell.area, "month": FactCell.period, "key": FactCell.key}[p.group]
    stmt = scope.scoped(select(group_col, *_CELL_SUMS), principal, FactCell).where(
        FactCell.dim == p.dim, FactCell.level == p.level
    )
    if p.prefix:
        stmt = stmt.where(scope.starts_with(FactCell.area, p.prefix))
    if p.key is not None:
        stmt = stmt.where(FactCell.key == p.key)
    if months[0] is not None:
        stmt = stmt.where(FactCell.period >= months[0])
    if months[1] is not None:
        stmt = stmt.where(FactCell.period <= months[1])
    stmt = stmt.group_by(group_col)
    out: dict[str, list[int]] = {}
    for row in session.connection().execute(stmt):  # Core rows: no ORM result processing
        k, values = _key_text(group_by, row[0]), [int(v or 0) for v in row[1:]]
        acc = out.get(k)
        if acc is None:
            out[k] = values
        else:  # the days of one month
            out[k] = [x + y for x, y in zip(acc, values, strict=True)]
    return out


def _merge(parts: Sequence[dict[str, list[int]]]) -> dict[str, list[int]]:
    filled = [p for p in parts if p]
    if len(filled) <= 1:
        return filled[0] if filled else {}
    merged: dict[str, list[int]] = {}
    for part in filled:
        for k, v in part.items():
            acc = merged.setdefault(k, [0] * len(CELL_VALUES))
            for i, x in enumerate(v):
                acc[i] += x
    return merged


def aggregate(session: Session, principal: Principal, *, group_by: str, area: str | None,
              date_from: date | None, date_to: date | None,
              filters: dict[str, Any] | None = None) -> tuple[list[Group], dict[str, int]]:
    """The groups (by ``group_by``) of the fact rows the principal may see under ``area``, reported
    from ``date_from`` to ``date_to`` (days, inclusive), narrowed by ``filters`` (grid, type — a
    code or a list —, matter, department, worker; ``"none"``: none), each with its summed counts;
    and the totals over all groups. ``group_by=area``: the children of ``area`` one level down.
    Exactly what :func:`~gridgov.analysis.store_plain.aggregate_plain` answers."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    p = plan(principal, group_by, area, filters)
    months, edges = split_period(date_from, date_to)
    if p is not None and p.dim == "all" and p.level in KEPT["day"]:  # the edges from the day cells
        days = replace(p, dim="day")
        parts = [_cell_rows(session, principal, days, edge, group_by) for edge in edges]
        if months is not None:
            parts.append(_cell_rows(session, principal, p, months, group_by))
        return _finish(_merge(parts))
    if p is None or months is None:
        ranges = [(date_from, date_to)] if months is not None or edges else []
        return _finish(_fact_rows(session, principal, group_by, area, ranges, filters))
    parts = [_cell_rows(session, principal, p, months, group_by),
             _fact_rows(session, principal, group_by, area, edges, filters)]
    return _finish(_merge(parts))
