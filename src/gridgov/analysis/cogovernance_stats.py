"""``GET /api/v1/stats/cogovernance``: what was done with others (共建共治, issue 18), counted from the activity
ledger (:class:`gridgov.models.cogovernance.CogovActivity`) per area, grid, month, or grid and month.

Every part of :mod:`gridgov.cogovernance` (and the resident channel, for an informant's report) writes one
ledger line in the transaction that records the thing: a legal visit, a deliberation, a mediation, an
informant's report, a team's task done, a project's report. Each group here has a count per kind and a
total. Jurisdiction is the door's: the lines are read through :func:`gridgov.authz.scope.scoped` (departments
and partners count none), and an ``area`` outside the user's is a 404 like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis import stats
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped, starts_with
from gridgov.models.cogovernance import ACTIVITY_LABELS, ActivityKind, CogovActivity

GROUP_BY = {"area": "下一级区划", "grid": "网格", "month": "月份", "grid_month": "网格和月份"}
KINDS = [str(k) for k in ActivityKind]
OWN_LEVEL = "本级"


def _child(code: str, base: str | None, children: list[str]) -> str:
    """The child of ``base`` (an area one level down, or a village's grid) a ledger line's place lies in;
    the base itself for what was done at its own level."""
    for child in children:
        if code.startswith(child):
            return child
    return base or code


def _row(key: str, name: str, counts: dict[str, int]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key, "name": name}
    row.update({kind: counts.get(kind, 0) for kind in KINDS})
    row["total"] = sum(counts.get(kind, 0) for kind in KINDS)
    return row


def activity_stats(session: Session, principal: Principal, *, group_by: str = "area", area: str | None = None,
                   date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
    """The counts per kind of each group, with the totals; ``area`` defaults to the user's jurisdiction."""
    area, start, end = stats.checked_conditions(group_by, area, date_from, date_to, groupings=GROUP_BY)
    base, _fixed = stats.base_area(session, principal, area)
    stmt = scoped(select(CogovActivity.area_code, CogovActivity.occurred_on, CogovActivity.kind, func.count()),
                  principal, CogovActivity)
    if base:
        stmt = stmt.where(starts_with(CogovActivity.area_code, areas.scope_prefix(base)))
    if start:
        stmt = stmt.where(CogovActivity.occurred_on >= start)
    if end:
        stmt = stmt.where(CogovActivity.occurred_on <= end)
    stmt = stmt.group_by(CogovActivity.area_code, CogovActivity.occurred_on, CogovActivity.kind)
    children = stats.child_areas(session, principal, base) if group_by == "area" else []
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for place, day, kind, count in session.execute(stmt).all():
        code = place[: areas.GRID_CODE_LEN]  # a micro-grid's line counts for its grid
        month = f"{day.year:04d}-{day.month:02d}"
        if group_by == "area":
            key = _child(code, base, children)
        elif group_by == "grid":
            key = code
        elif group_by == "month":
            key = month
        else:
            key = f"{code}/{month}"
        groups[key][kind] += count
        totals[kind] += count
    for child in children:
        groups.setdefault(child, defaultdict(int))
    place_keys = [k.split("/")[0] for k in groups] if group_by != "month" else []
    names = stats.group_names(session, "grid", sorted(set(place_keys)), None, None) if place_keys else {}
    items = []
    for key in sorted(groups):
        if group_by == "month":
            name = key
        elif group_by == "grid_month":
            place, month = key.split("/")
            name = f"{names.get(place, place)} {month}"
        else:
            name = names.get(key, key) + (f"（{OWN_LEVEL}）" if key == base else "")
        row = _row(key, name, groups[key])
        if group_by == "grid_month":
            row["place"], row["month"] = key.split("/")
        items.append(row)
    return {"group_by": group_by, "area": base, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "kinds": [{"key": k, "label": ACTIVITY_LABELS[ActivityKind(k)]} for k in KINDS],
            "items": items, "totals": _row("", "合计", totals)}
