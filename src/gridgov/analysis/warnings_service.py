"""Early warnings (预警, JM§21): what the agencies should look at now, each with the figures that
raised it and, where there are cases, the link to exactly those cases.

The kinds (rules in :mod:`gridgov.analysis.warning_rules`, thresholds in the profile's ``[warnings]``):

* ``grid_jump`` / ``type_jump``: a grid's or a case type's count of the last complete week far above
  its own baseline;
* ``repeat_address`` / ``repeat_nearby``: cases at one address, or within a small radius, in the last days;
* ``department_overdue``: a department's share of overdue cases rising;
* ``worker_complaints``: repeated complaints from the public board about one grid worker;
* ``visits_overdue``: a grid's overdue visits to special groups (counted by the registry's care
  service, of the tags the reader's role may see; no person is named).

Everything is computed for a principal (its jurisdiction, narrowed to ``area`` if given): a warning is
drawn only from rows the principal may see. Services take ``now`` and never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis import warning_rules as rules
from gridgov.analysis import warnings_repository as repo
from gridgov.analysis.warnings_schemas import KIND_LABELS, WarningItem, WarningList
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.cases.search import MAX_NOS
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import SHANGHAI, local
from gridgov.registry.care import overdue_visits_by_grid

CASES_API = "/api/v1/cases"


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def _cases_url(**params: str | None) -> str:
    return f"{CASES_API}?{urlencode({k: v for k, v in params.items() if v})}"


def _place(me: Principal) -> dict[str, str]:
    """The case list's filter for the principal's own area or grid (the list is scoped anyway: this
    narrows it when the warnings were asked for an area inside the jurisdiction)."""
    if me.system or not me.scope_code.isdigit():
        return {}
    return {"area" if len(me.scope_code) == areas.AREA_CODE_LEN else "grid": me.scope_code}


def _narrowed(principal: Principal, area: str | None) -> Principal:
    """The principal seeing only ``area`` (an area or grid inside its jurisdiction; else 404)."""
    if not area:
        return principal
    if not area.isdigit() or len(area) not in (areas.AREA_CODE_LEN, areas.GRID_CODE_LEN) \
            or not covers(principal, area):
        raise NotFound(f"区划 {area} 不存在或不在你的辖区内")
    return replace(principal, scope_code=area)


def warnings_for(session: Session, principal: Principal, *, profile, cipher, now: datetime,
                 area: str | None = None, kind: str | None = None, case_types=None,
                 role: str | None = None) -> WarningList:
    """The warnings of the principal's jurisdiction (or of ``area`` in it), ``kind`` only if given.
    ``role``: the tags of which role the visit counts use (the job's desks); the principal's by default."""
    if kind and kind not in KIND_LABELS:
        raise Invalid(f"没有预警类别 {kind}", details=[{"field": "kind", "message": "取值无效"}])
    me = _narrowed(principal, area)
    settings = profile.warnings
    today = local(now).date()
    items: list[WarningItem] = []

    def wanted(k: str) -> bool:
        return kind is None or kind == k

    if wanted("grid_jump"):
        items += _jumps(session, me, settings, today, by="grid", case_types=case_types)
    if wanted("type_jump"):
        items += _jumps(session, me, settings, today, by="type", case_types=case_types)
    if wanted("repeat_address") or wanted("repeat_nearby"):
        items += [w for w in _repeats(session, me, settings, today, now) if wanted(w.kind)]
    if wanted("department_overdue"):
        items += _departments(session, me, settings, today, now)
    if wanted("worker_complaints"):
        items += _complaints(session, me, settings, today)
    if wanted("visits_overdue"):
        items += _visits(session, me, settings, today, now, profile=profile, cipher=cipher, role=role)
    return WarningList(as_of=today, items=items, total=len(items))


# ---------------------------------------------------------------------------------------------
# 1. weekly jumps


def _jumps(session, me: Principal, settings, today: date, *, by: str, case_types) -> list[WarningItem]:
    k = settings.baseline_weeks
    week = rules.last_complete_week(today)
    starts = [_instant(week - timedelta(weeks=k - i)) for i in range(k + 2)]
    counts = repo.weekly_counts(session, me, by=by, starts=starts)
    candidates = [key for key, c in counts.items() if c[-1] >= settings.min_weekly_count]
    seen = repo.keys_seen_before(session, me, by=by, keys=candidates, before=starts[0])
    names = (repo.grid_names(session, me, set(candidates)) if by == "grid"
             else (case_types.names() if case_types is not None else {}))
    end = week + timedelta(days=6)
    found = []
    for key in sorted(candidates):
        c = counts[key]
        jump = rules.weekly_jump(c[-1], c[:-1], has_history=key in seen,
                                 alarm_probability=settings.alarm_probability,
                                 min_weekly_count=settings.min_weekly_count)
        if jump is None:
            continue
        name = names.get(key, key)
        what = "网格" if by == "grid" else "事件类型"
        explanation = (f"{week:%Y-%m-%d} 至 {end:%Y-%m-%d} 这一周上报 {jump.count} 件，此前 {k} 周平均每周 "
                       f"{jump.mean:.1f} 件；按泊松分布，达到 {jump.threshold} 件即预警（偶然达到的概率不超过 "
                       f"{settings.alarm_probability:g}），出现 {jump.count} 件或更多的概率约为 "
                       f"{jump.probability:.1e}。")
        found.append(WarningItem(
            key=f"week:{by}:{key}:{week.isoformat()}", kind=f"{by}_jump", kind_label=KIND_LABELS[f"{by}_jump"],
            title=f"{what}事件量突增：{name}", explanation=explanation,
            area=key if by == "grid" else me.scope_code, grid=key if by == "grid" else None,
            type=key if by == "type" else None,
            figures={"week_start": week.isoformat(), "count": jump.count, "baseline_mean": round(jump.mean, 3),
                     "threshold": jump.threshold, "probability": jump.probability,
                     "baseline": ",".join(map(str, c[:-1]))},
            cases_url=_cases_url(**({"grid": key} if by == "grid" else {"type": key, **_place(me)}),
                                 **{"from": week.isoformat(), "to": end.isoformat()}),
        ))
    return found


# ---------------------------------------------------------------------------------------------
# 2. repeats


def _repeats(session, me: Principal, settings, today: date, now: datetime) -> list[WarningItem]:
    since_day = today - timedelta(days=settings.repeat_days - 1)
    rows = repo.recent_cases(session, me, since=_instant(since_day), until=now)
    by_id = {r.id: r for r in rows}
    span = {"from": since_day.isoformat(), "to": today.isoformat()}
    found: list[WarningItem] = []
    grouped: set[frozenset[int]] = set()
    for key, ids in rules.same_address([(r.id, r.address_id, r.address) for r in rows], settings.repeat_min_cases):
        first = by_id[ids[0]]
        grouped.add(frozenset(ids))
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        found.append(_repeat_item("repeat_address", f"addr:{digest}:{ids[0]}", [by_id[i] for i in ids], settings,
                                  title=f"同一地址重复事件：{first.address or '（无地址文字）'}",
                                  what=f"近 {settings.repeat_days} 天同一地址上报 {len(ids)} 件", span=span))
    points = [(r.id, r.lon, r.lat) for r in rows if r.lon is not None and r.lat is not None]
    for ids in rules.clusters(points, settings.repeat_radius_m, settings.repeat_min_cases):
        if frozenset(ids) in grouped:
            continue  # the same cases already warned about as one address
        cases = [by_id[i] for i in ids]
        found.append(_repeat_item("repeat_nearby", f"near:{ids[0]}", cases, settings,
                                  title=f"邻近位置重复事件：{cases[0].address or cases[0].case_no} 附近",
                                  what=(f"近 {settings.repeat_days} 天在 {settings.repeat_radius_m} 米范围内"
                                        f"上报 {len(ids)} 件"), span=span))
    return found


def _repeat_item(kind, key, cases, settings, *, title, what, span) -> WarningItem:
    numbers = [c.case_no for c in cases]
    if len(numbers) <= MAX_NOS:  # exactly these cases
        url = _cases_url(nos=",".join(numbers))
    else:  # too many to list: the cases of their grids (or town) in the days looked at, a superset
        grids = {c.grid_code for c in cases}
        url = _cases_url(**({"grid": grids.pop()} if len(grids) == 1
                            else {"area": cases[0].grid_code[:9] + "000"}), **span)
    return WarningItem(
        key=key, kind=kind, kind_label=KIND_LABELS[kind], title=title,
        explanation=f"{what}（预警线 {settings.repeat_min_cases} 件）：{'、'.join(numbers[:20])}"
                    + ("等" if len(numbers) > 20 else "") + "。",
        area=cases[0].grid_code, grid=cases[0].grid_code,
        figures={"count": len(cases), "days": settings.repeat_days, "min_cases": settings.repeat_min_cases,
                 **({"radius_m": settings.repeat_radius_m} if kind == "repeat_nearby" else {})},
        case_nos=numbers, cases_url=url)


# ---------------------------------------------------------------------------------------------
# 3. departments


def _departments(session, me: Principal, settings, today: date, now: datetime) -> list[WarningItem]:
    w = settings.overdue_window_days
    recent_from = today - timedelta(days=w - 1)
    edges = [_instant(recent_from - timedelta(days=w)), _instant(recent_from), _instant(today + timedelta(days=1))]
    figures = repo.department_overdue(session, me, edges=edges, now=now)
    raised = {code: r for code, (prev, recent) in figures.items()
              if (r := rules.overdue_rise(recent, prev, min_cases=settings.overdue_min_cases,
                                          rise=settings.overdue_rise)) is not None}
    names = repo.department_names(session, me, set(raised))
    year, week, _ = today.isocalendar()
    found = []
    for code in sorted(raised):
        r = raised[code]
        name, area = names.get(code, (code, me.scope_code))
        up = (r.recent_share - r.previous_share) * 100
        found.append(WarningItem(
            key=f"dept:{code}:{year}-W{week:02d}", kind="department_overdue",
            kind_label=KIND_LABELS["department_overdue"], title=f"部门超期占比上升：{name}",
            explanation=(f"近 {w} 天交办的 {r.recent_cases} 件中超期 {r.recent_overdue} 件（{r.recent_share:.0%}），"
                         f"此前 {w} 天 {r.previous_cases} 件中超期 {r.previous_overdue} 件（{r.previous_share:.0%}），"
                         f"上升 {up:.1f} 个百分点（预警线 {settings.overdue_rise * 100:g} 个百分点）。"),
            area=area, department=code,
            figures={"recent_cases": r.recent_cases, "recent_overdue": r.recent_overdue,
                     "previous_cases": r.previous_cases, "previous_overdue": r.previous_overdue,
                     "window_days": w, "rise": settings.overdue_rise},
            cases_url=_cases_url(department=code, **{"from": recent_from.isoformat(), "to": today.isoformat()}),
        ))
    return found


# ---------------------------------------------------------------------------------------------
# 4. complaints about a worker, 5. overdue visits


def _complaints(session, me: Principal, settings, today: date) -> list[WarningItem]:
    since_day = today - timedelta(days=settings.complaint_days - 1)
    rows = [r for r in repo.complaints_by_worker(session, me, since=_instant(since_day))
            if r[1] >= settings.complaint_min]
    names = repo.staff_names(session, me, {r[0] for r in rows})
    found = []
    for staff_id, count, first_id, grid, _town in sorted(rows, key=lambda r: r[0]):
        name = names.get(staff_id, f"人员 {staff_id}")
        found.append(WarningItem(
            key=f"complaint:{staff_id}:{first_id}", kind="worker_complaints",
            kind_label=KIND_LABELS["worker_complaints"], title=f"网格员被重复投诉：{name}",
            explanation=(f"近 {settings.complaint_days} 天公示牌收到针对该网格员的投诉 {count} 件"
                         f"（预警线 {settings.complaint_min} 件）。"),
            area=grid, grid=grid, worker=staff_id,
            figures={"count": count, "days": settings.complaint_days, "min": settings.complaint_min},
            link="/complaints",
        ))
    return found


def _visits(session, me: Principal, settings, today: date, now: datetime, *, profile, cipher,
            role: str | None) -> list[WarningItem]:
    counts = overdue_visits_by_grid(session, me, profile=profile, cipher=cipher, now=now, role=role)
    raised = {g: n for g, n in counts.items() if n >= settings.visit_overdue_min}
    names = repo.grid_names(session, me, set(raised))
    year, week, _ = today.isocalendar()
    return [WarningItem(
        key=f"visits:{grid}:{year}-W{week:02d}", kind="visits_overdue", kind_label=KIND_LABELS["visits_overdue"],
        title=f"特殊人群走访逾期：{names.get(grid, grid)}",
        explanation=f"该网格有 {n} 人次特殊人群走访已逾期（预警线 {settings.visit_overdue_min} 人次）。",
        area=grid, grid=grid, figures={"overdue": n, "min": settings.visit_overdue_min},
        link=f"/registry/care?{urlencode({'grid': grid})}",
    ) for grid, n in sorted(raised.items())]
