"""``GET /api/v1/stats/cases``: the KPIs of a jurisdiction grouped by area, grid, type, matter,
department, worker or month, each group with the link to the very cases it counts.

Jurisdiction is the service's: an ``area`` outside the user's is a 404 (like a missing one); the
figures themselves are summed through the door (:mod:`.store`). A group's ``cases_url`` lists on
``GET /api/v1/cases`` exactly the cases counted in its ``reported``; adding ``&kpi=<counter>``
lists those counted by that counter (docs/kpi.md).
"""

from __future__ import annotations

import calendar as months
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis import kpi, store
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, department_of, scoped
from gridgov.cases import casetypes
from gridgov.cases.categories import category_names
from gridgov.errors import Invalid, NotFound
from gridgov.models import Area, Department, Grid, User

GROUP_LABELS = {"area": "下一级区划", "grid": "网格", "type": "事件类型", "matter": "事项", "department": "牵头部门",
                "worker": "网格员", "month": "月份"}
NONE_NAMES = {"area": "（无）", "grid": "（无）", "type": "未分类", "matter": "未分类", "department": "未分派",
              "worker": "无网格员", "month": "（无）"}
CASES_URL = "/api/v1/cases"


def checked_conditions(group_by: str, area: str | None, date_from, date_to, *,
                       groupings: dict[str, str] = GROUP_LABELS) -> tuple[str | None, date | None, date | None]:
    """The area and the days of a figures' question, or one 422 naming every bad field: ``group_by`` one of
    ``groupings`` (key → Chinese name), ``area`` a territorial code, ``from``/``to`` ISO days in order."""
    errors: list[dict[str, str]] = []
    if group_by not in groupings:
        errors.append({"field": "group_by", "error": "分组方式取值无效（可选：" + "、".join(
            f"{k}（{v}）" for k, v in groupings.items()) + "）"})
    if area:
        try:
            areas.area_level(area)
        except areas.CodeError as exc:
            errors.append({"field": "area", "error": f"区划代码无效：{exc}"})
    days: dict[str, date | None] = {}
    for name, value in (("from", date_from), ("to", date_to)):
        days[name] = None
        if isinstance(value, date) or not value:
            days[name] = value or None
            continue
        try:
            days[name] = date.fromisoformat(str(value))
        except ValueError:
            label = "起始" if name == "from" else "截止"
            errors.append({"field": name, "error": f"{label}日期应为日期（如 2026-11-01）"})
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors.append({"field": "to", "error": "截止日期不能早于起始日期"})
    if errors:
        raise Invalid("统计条件有误：" + "；".join(e["error"] for e in errors), details=errors)
    return area or None, days["from"], days["to"]


def base_area(session: Session, principal: Principal, area: str | None) -> tuple[str | None, dict[str, str]]:
    """The area the figures are of (the one asked for, else the user's own) and the filters every
    link carries so the case list sees what the figures count (a department: the cases it leads;
    a grid's staff: their grid)."""
    fixed: dict[str, str] = {}
    dept = department_of(principal)
    if dept is not None:
        fixed["lead"] = dept or store.NONE_KEY
    scope = "" if principal.system else principal.scope_code
    if len(scope) > areas.AREA_CODE_LEN:
        fixed["grid"] = scope[: areas.GRID_CODE_LEN]
    own = scope[: areas.AREA_CODE_LEN] or None
    if area is None:
        return own, fixed
    if not (principal.system or principal.covers(area)):
        raise NotFound(f"区划 {area} 不存在或不在你的辖区内")
    if session.scalar(scoped(select(Area.code), SYSTEM, Area).where(Area.code == area)) is None:
        raise NotFound(f"区划 {area} 不存在或不在你的辖区内")
    return area, fixed


def group_names(session: Session, group_by: str, keys: list[str], profile, case_types) -> dict[str, str]:
    """Chinese names of the groups' keys (codes and user ids are looked up as the system: the keys
    come from figures already summed through the door)."""
    keys = [k for k in keys if k != store.NONE_KEY]
    if not keys:
        return {}
    if group_by == "month":
        return {k: k for k in keys}
    if group_by == "type":
        types = case_types or (casetypes.load(None, profile) if profile is not None else None)
        return {k: (types.get(k).name if types and types.get(k) else k) for k in keys}
    if group_by == "matter":
        return category_names(session, profile, keys) if profile is not None else {}
    if group_by == "department":
        return dict(session.execute(scoped(select(Department.code, Department.name), SYSTEM, Department)
                                    .where(Department.code.in_(keys))).all())
    if group_by == "worker":
        ids = [int(k) for k in keys if k.isdigit()]
        rows = session.execute(scoped(select(User.id, User.display_name), SYSTEM, User).where(User.id.in_(ids)))
        return {str(i): n for i, n in rows.all()}
    names: dict[str, str] = {}
    area_keys = [k for k in keys if len(k) == areas.AREA_CODE_LEN]
    grid_keys = [k for k in keys if len(k) > areas.AREA_CODE_LEN]
    if area_keys:
        names.update(session.execute(scoped(select(Area.code, Area.name), SYSTEM, Area)
                                     .where(Area.code.in_(area_keys))).all())
    if grid_keys:
        names.update(session.execute(scoped(select(Grid.code, Grid.name), SYSTEM, Grid)
                                     .where(Grid.code.in_(grid_keys))).all())
    return names


def child_areas(session: Session, principal: Principal, base: str | None) -> list[str]:
    """The areas (or a village's grids) one level below ``base`` that the user's figures may hold,
    listed even with no case (a ranking or a map shows every town)."""
    if base is not None and areas.area_level(base) is areas.LEVEL_ORDER[-1]:
        stmt = scoped(select(Grid.code), SYSTEM, Grid).where(Grid.area_code == base)
    elif base is not None:
        stmt = scoped(select(Area.code), SYSTEM, Area).where(Area.parent_code == base)
    else:
        return []
    codes = [str(c) for c in session.scalars(stmt)]
    if principal.system or department_of(principal) is not None:
        return codes
    return [c for c in codes if principal.covers(c) or c.startswith(principal.prefix)]


def _month_bounds(key: str, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    year, month = int(key[:4]), int(key[5:7])
    first, last = date(year, month, 1), date(year, month, months.monthrange(year, month)[1])
    return max(first, date_from) if date_from else first, min(last, date_to) if date_to else last


def _link(group_by: str | None, key: str | None, base: str | None, fixed: dict[str, str],
          date_from: date | None, date_to: date | None) -> str:
    params: dict[str, str] = {}
    if base:
        params["area"] = base
    params.update(fixed)
    if group_by == "month" and key and key != store.NONE_KEY:
        date_from, date_to = _month_bounds(key, date_from, date_to)
    if date_from:
        params["from"] = date_from.isoformat()
    if date_to:
        params["to"] = date_to.isoformat()
    if group_by == "area" and key:
        if len(key) > areas.AREA_CODE_LEN:
            params["grid"] = key
        else:
            params["area"] = key
    elif group_by in ("grid", "type", "matter", "worker") and key:
        params[group_by] = key
    elif group_by == "department" and key:
        params["lead"] = key
    return f"{CASES_URL}?{urlencode(params)}" if params else CASES_URL


def figures(counts: dict[str, int]) -> dict[str, Any]:
    """A group's counters, rates and stage averages, as the API lists them."""
    return {**{c: counts[c] for c in kpi.COUNTERS}, **kpi.rates(counts), **kpi.averages(counts)}


def case_stats(session: Session, principal: Principal, *, group_by: str, area: str | None = None,
               date_from: date | str | None = None, date_to: date | str | None = None, now=None,
               profile=None, case_types=None) -> dict[str, Any]:
    """The answer of ``GET /api/v1/stats/cases`` (see the module); 422 for bad values (Chinese, per
    field), 404 for an area outside the jurisdiction. ``now`` is accepted for the contract (the
    figures are those of the stored fact rows, kept current by every change and the sweep)."""
    area, day_from, day_to = checked_conditions(group_by, area, date_from, date_to)
    base, fixed = base_area(session, principal, area)
    filters: dict[str, Any] = {}
    if "grid" in fixed:
        filters["grid"] = fixed["grid"]
    groups, totals = store.aggregate(session, principal, group_by=group_by, area=base, date_from=day_from,
                                     date_to=day_to, filters=filters or None)
    if group_by == "area":
        present = {g.key for g in groups}
        groups += [store.Group(code) for code in child_areas(session, principal, base) if code not in present]
        groups.sort(key=lambda g: g.key)
    names = group_names(session, group_by, [g.key for g in groups], profile, case_types)
    items = [{"key": g.key, "name": NONE_NAMES[group_by] if g.key == store.NONE_KEY else names.get(g.key, g.key),
              **figures(g.counts), "cases_url": _link(group_by, g.key, base, fixed, day_from, day_to)}
             for g in groups]
    return {"group_by": group_by, "area": base, "from": day_from, "to": day_to, "items": items,
            "totals": {**figures(totals), "cases_url": _link(None, None, base, fixed, day_from, day_to)}}
