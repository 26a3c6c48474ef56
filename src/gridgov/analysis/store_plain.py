"""Summing fact rows with one plain GROUP BY: the reference the pre-aggregated store
(:mod:`gridgov.analysis.store`) must equal, and the vocabulary both speak (group keys, ``Group``).

:func:`aggregate_plain` sums ``case_facts`` through the door (:func:`gridgov.authz.scope.scoped`: a
department counts the cases it leads, everyone else the cases of its grids) with one GROUP BY,
reading every fact row of the area and period: ``store.aggregate`` answers the same from the cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis import kpi
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped, starts_with
from gridgov.models.analysis import CaseFact

GROUP_BY = ("area", "grid", "type", "matter", "department", "worker", "month")
"""What figures may be grouped by."""

NONE_KEY = "none"
"""The key of the group of cases with no type, department or worker (``?type=none`` … lists them)."""

_CHILD_LEN = {areas.LEVEL_ORDER[i]: n for i, n in enumerate((4, 6, 9, 12, 15))}
"""An area's children, as a prefix length of the grid code: a province's cities … a village's grids."""


@dataclass
class Group:
    """One group's key (area/grid/type/matter/department code, worker id, month ``YYYY-MM``) and its
    summed counters (every FACT_COUNTER, ``<duration>_sum`` and ``<duration>_n``)."""

    key: str
    counts: dict[str, int] = field(default_factory=kpi.empty)


def child_length(area: str | None) -> int:
    """The length of the code prefix naming an area's children (2: provinces, for no area)."""
    return 2 if not area else _CHILD_LEN[areas.area_level(area)]


def child_key(prefix: str) -> str:
    """The code of the child an area grouping's prefix stands for (12 digits, or a grid's 15)."""
    return prefix if len(prefix) > areas.AREA_CODE_LEN else prefix.ljust(areas.AREA_CODE_LEN, "0")


def _key(session: Session, group_by: str, area: str | None):
    if group_by == "area":
        return func.substr(CaseFact.grid_code, 1, child_length(area))
    if group_by == "month":
        if session.get_bind().dialect.name == "postgresql":
            return func.to_char(CaseFact.reported_day, "YYYY-MM")
        return func.substr(CaseFact.reported_day, 1, 7)
    return {"grid": CaseFact.grid_code, "type": CaseFact.type_code, "matter": CaseFact.matter_code,
            "department": CaseFact.department_code, "worker": CaseFact.worker_id}[group_by]


def _narrowed(stmt, *, area: str | None, date_from: date | None, date_to: date | None,
              filters: dict[str, Any] | None):
    if area:
        stmt = stmt.where(starts_with(CaseFact.grid_code, areas.area_prefix(area)))
    if date_from:
        stmt = stmt.where(CaseFact.reported_day >= date_from)
    if date_to:
        stmt = stmt.where(CaseFact.reported_day <= date_to)
    for name, value in (filters or {}).items():
        column = {"grid": CaseFact.grid_code, "type": CaseFact.type_code, "matter": CaseFact.matter_code,
                  "department": CaseFact.department_code, "worker": CaseFact.worker_id}[name]
        if value == NONE_KEY:
            stmt = stmt.where(column.is_(None))
        elif isinstance(value, (list, tuple)):
            stmt = stmt.where(column.in_(list(value)))
        else:
            stmt = stmt.where(column == value)
    return stmt


def aggregate_plain(session: Session, principal: Principal, *, group_by: str, area: str | None, date_from: date | None,
              date_to: date | None, filters: dict[str, Any] | None = None) -> tuple[list[Group], dict[str, int]]:
    """The groups (by ``group_by``) of the fact rows the principal may see under ``area``, reported
    from ``date_from`` to ``date_to`` (days, inclusive), narrowed by ``filters`` (grid, type — a
    code or a list —, matter, department, worker; ``"none"``: none), each with its summed counts;
    and the totals over all groups. ``group_by=area``: the children of ``area`` one level down."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    key = _key(session, group_by, area).label("key")
    sums = [func.coalesce(func.sum(getattr(CaseFact, c)), 0).label(c) for c in kpi.COUNTERS]
    for d in kpi.DURATIONS:
        column = getattr(CaseFact, d)
        sums += [func.coalesce(func.sum(column), 0).label(f"{d}_sum"), func.count(column).label(f"{d}_n")]
    stmt = scoped(select(key, *sums), principal, CaseFact)
    stmt = _narrowed(stmt, area=area, date_from=date_from, date_to=date_to, filters=filters).group_by(key)
    groups: list[Group] = []
    totals = kpi.empty()
    for row in session.execute(stmt).mappings():
        raw = row["key"]
        text = NONE_KEY if raw is None or raw == "" else str(raw)
        if group_by == "area":
            text = child_key(text)
        counts = {k: int(row[k] or 0) for k in totals}
        groups.append(Group(text, counts))
        for k, v in counts.items():
            totals[k] += v
    groups.sort(key=lambda g: g.key)
    return groups, totals
