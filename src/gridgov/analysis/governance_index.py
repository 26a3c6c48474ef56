"""The governance index (治理指数, issue 16): the service. Gathers the counts every indicator needs for
an area and its children (per area) and for each month of the period (trend), then scores them with
:mod:`.index_rules` under the profile's ``[governance_index]``.

Where the counts come from (no copies here):

* cases: the fact rows through :func:`gridgov.analysis.store.aggregate` (a period's cases are those
  reported in it, like the case list's ``from``/``to``); safety-related cases with the category filter;
* complaints against grid workers: :func:`gridgov.analysis.complaints.complaint_counts`;
* visit completion of the special groups: :func:`gridgov.analysis.visits.visit_completion`;
* residents and houses: :func:`gridgov.registry.counts.register_counts` (the register as of now).

Jurisdiction: the area must lie inside the caller's (else 404 like a missing one); every source reads
through the scope door, so a department counts the cases it leads and none of the register.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.analysis import complaints, index_rules, store, visits
from gridgov.authz.principal import Principal
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.registry.counts import register_counts
from gridgov.territory import service as territory

MAX_MONTHS = 24
"""The longest period one request may span (a trend point per month)."""
DEFAULT_MONTHS = 6
CASE_COUNTS = ("reported", "closed", "closed_on_time", "reworked", "evaluated", "satisfied")
NOT_FOUND = "区域 {code} 不存在或不在您的辖区内"


@dataclass(frozen=True)
class Place:
    code: str
    name: str

    @property
    def prefix(self) -> str:
        return areas.scope_prefix(self.code)


# ---------------------------------------------------------------- the request's values


def parse_period(date_from: str | None, date_to: str | None, *, today: date) -> tuple[date, date]:
    """``from``/``to`` (YYYY-MM-DD, inclusive); by default the last six months to today. 422 in Chinese."""
    def day(value: str | None, label: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"{label}应为 YYYY-MM-DD 格式的日期，而不是 {value!r}") from None

    end = day(date_to, "结束日期") or today
    start = day(date_from, "开始日期") or _add_months(end.replace(day=1), 1 - DEFAULT_MONTHS)
    if start > end:
        raise Invalid("开始日期不能晚于结束日期")
    if len(months_between(start, end)) > MAX_MONTHS:
        raise Invalid(f"时间范围不能超过 {MAX_MONTHS} 个月")
    return start, end


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def months_between(start: date, end: date) -> list[tuple[date, date]]:
    """The months the period touches, each clipped to the period: ``[(first, last), ...]``."""
    out = []
    first = start.replace(day=1)
    while first <= end:
        nxt = _add_months(first, 1)
        out.append((max(first, start), min(end, date.fromordinal(nxt.toordinal() - 1))))
        first = nxt
    return out


def resolve_area(session: Session, principal: Principal, code: str | None) -> tuple[Place, list[Place]]:
    """The chosen place (an area or a grid inside the jurisdiction; the caller's own by default)
    and its children (areas, or the grids of a village; a grid has none). 404 outside."""
    code = (code or "").strip() or principal.scope_code
    if not code.isdigit() or len(code) not in (areas.AREA_CODE_LEN, areas.GRID_CODE_LEN):
        if code == principal.scope_code:  # a system principal or a department without a place
            raise NotFound(NOT_FOUND.format(code=code or "—"))
        raise Invalid(f"区域应为 12 位区划代码或 15 位网格编码，而不是 {code!r}")
    if not principal.covers(code) and not principal.system:
        raise NotFound(NOT_FOUND.format(code=code))
    try:
        if len(code) == areas.GRID_CODE_LEN:
            grid = territory.access_grid(session, principal, code)
            return Place(grid.code, grid.name), []
        area = territory.access_area(session, principal, code)
    except (NotFound, areas.CodeError):
        raise NotFound(NOT_FOUND.format(code=code)) from None
    children = [Place(a.code, a.name) for a in territory.list_areas(session, principal, code)]
    if not children:
        page = territory.list_grids(session, principal, area=code, q=None, page=1, page_size=500)
        children = [Place(g.code, g.name) for g in page.items]
    return Place(area.code, area.name), children


# ---------------------------------------------------------------- gathering the counts


def _roll_up(by_code: dict[str, int], places: list[Place], into: dict[str, dict[str, int]], name: str) -> None:
    """Add counts keyed by a grid or area code to the place whose prefix the code starts with."""
    for code, n in by_code.items():
        for p in places:
            if code.startswith(p.prefix):
                into[p.code][name] += n
                break


def _where(place: Place) -> tuple[str | None, dict]:
    """The store's ``area`` and ``filters`` selecting the place's cases (a grid is a filter)."""
    if len(place.code) == areas.GRID_CODE_LEN:
        return None, {"grid": place.code}
    return place.code, {}


def _case_counts(session, principal, place: Place, start: date, end: date, *, group_by: str,
                 config) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The case counts of the place (totals) and by ``area`` (its children), ``grid`` or ``month`` (keys
    as the store's)."""
    area, where = _where(place)
    total: dict[str, int] = defaultdict(int)
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    groups, totals = store.aggregate(session, principal, group_by=group_by, area=area, date_from=start,
                                     date_to=end, filters=where or None)
    for name in CASE_COUNTS:
        total[name] = totals.get(name, 0)
        for g in groups:
            per[g.key][name] += g.counts.get(name, 0)
    if config.safety_categories:
        groups, totals = store.aggregate(session, principal, group_by=group_by, area=area, date_from=start,
                                         date_to=end, filters={**where, "matter": list(config.safety_categories)})
        total["safety_cases"] = totals.get("reported", 0)
        for g in groups:
            per[g.key]["safety_cases"] += g.counts.get("reported", 0)
    return total, per


def _other_counts(session, principal, place: Place, start: date, end: date, *, children: list[Place], needed,
                  profile, cipher, now: datetime) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Complaints and visit completion of the place and of each child."""
    total: dict[str, int] = defaultdict(int)
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if "complaints" in needed:
        found = complaints.complaint_counts(session, principal, group_by="grid", date_from=start, date_to=end,
                                            area=place.code)
        total["complaints"] = sum(found.values())
        _roll_up(found, children, per, "complaints")
    if "visits" in needed:
        done = visits.visit_completion(session, principal, group_by="grid", date_from=start, date_to=end,
                                       area=place.code, profile=profile, cipher=cipher, now=now)
        total["visits_due"] = sum(v.due for v in done.values())
        total["visits_done"] = sum(v.done for v in done.values())
        _roll_up({k: v.due for k, v in done.items()}, children, per, "visits_due")
        _roll_up({k: v.done for k, v in done.items()}, children, per, "visits_done")
    return total, per


def _register(session, principal, place: Place, children: list[Place]) -> dict[str, dict[str, int]]:
    """Residents and houses of the place (key ``""``) and of each child, as of now."""
    key_len = len(children[0].prefix) if children else len(place.prefix)
    found = register_counts(session, principal, prefix=place.prefix, key_len=key_len)
    out: dict[str, dict[str, int]] = {}
    for key, count in found.items():
        out[key] = {"residents": count.residents, "houses": count.houses, "occupied_houses": count.occupied_houses}
    by_child = {c.code: out.get(c.prefix, {}) for c in children}
    by_child[""] = out.get("", {})
    return by_child


# ---------------------------------------------------------------- links to the lists behind a figure


def case_list_url(place: str, start: date, end: date, **extra: str) -> str:
    where = {"grid" if len(place) == areas.GRID_CODE_LEN else "area": place, "from": start.isoformat(),
             "to": end.isoformat(), **extra}
    return "/api/v1/cases?" + urlencode(where)


COUNT_FILTERS = {"closed": {"kpi": "closed"}, "closed_on_time": {"kpi": "closed_on_time"},
                 "reworked": {"kpi": "reworked"}, "evaluated": {"kpi": "evaluated"},
                 "satisfied": {"kpi": "satisfied"}, "reported": {}}
"""The case list's filters that give exactly the cases a case count counts."""


def links(code: str, counts_of: str, place: str, start: date, end: date, config) -> list[dict[str, str]]:
    """The lists behind one count of an indicator (label, url)."""
    label = index_rules.COUNT_LABELS[counts_of]
    if counts_of in COUNT_FILTERS:
        return [{"label": label, "url": case_list_url(place, start, end, **COUNT_FILTERS[counts_of])}]
    if counts_of == "safety_cases":
        return [{"label": f"{label}（{c}）", "url": case_list_url(place, start, end, matter=c)}
                for c in config.safety_categories]
    prefix = areas.scope_prefix(place)
    if counts_of == "residents":
        return [{"label": label, "url": "/api/v1/people?" + urlencode({"grid": prefix})}]
    if counts_of in ("houses", "occupied_houses"):
        return [{"label": "实有房屋", "url": "/api/v1/houses?" + urlencode({"grid": prefix})}]
    if counts_of in ("visits_done", "visits_due"):
        # the visit list takes a village's or a grid's code (an upper level is reached through its children)
        if len(prefix) not in (areas.AREA_CODE_LEN, areas.GRID_CODE_LEN) or counts_of == "visits_due":
            return []
        return [{"label": "走访记录", "url": "/api/v1/visits?" + urlencode({"grid": prefix})}]
    return [{"label": label, "url": "/api/v1/complaints"}]


# ---------------------------------------------------------------- the answer


def _row(key: str, name: str, counts: dict[str, int], config, *, place: str, start: date, end: date) -> dict:
    result = index_rules.compute(counts, config)
    groups = []
    for g in result.groups:
        items = []
        for i in g.indicators:
            f = index_rules.FORMULAS[i.code]
            items.append({
                "code": i.code, "value": None if i.value is None else round(i.value, 4),
                "score": None if i.score is None else round(i.score, 1),
                "numerator": i.numerator, "denominator": i.denominator,
                "links": links(i.code, f.numerator, place, start, end, config)
                + links(i.code, f.denominator, place, start, end, config),
            })
        groups.append({"code": g.code, "score": None if g.score is None else round(g.score, 1), "indicators": items})
    return {"key": key, "name": name, "index": None if result.score is None else round(result.score, 1),
            "groups": groups}


def definition(config) -> dict:
    """The index's make-up as the profile sets it: groups, indicators, weights and scoring bounds."""
    groups = []
    for gcode, g in config.groups.items():
        items = []
        for code, ind in config.indicators.items():
            if ind.group != gcode:
                continue
            f = index_rules.FORMULAS[code]
            items.append({"code": code, "name": index_rules.INDICATORS[code], "weight": ind.weight, "best": ind.best,
                          "worst": ind.worst, "unit": f.unit, "source": f.source,
                          "direction": "higher" if index_rules.higher_is_better(ind.best, ind.worst) else "lower",
                          "numerator": index_rules.COUNT_LABELS[f.numerator],
                          "denominator": index_rules.COUNT_LABELS[f.denominator], "scale": f.scale})
        groups.append({"code": gcode, "name": g.name, "weight": g.weight, "indicators": items})
    return {"name": config.name, "groups": groups}


def governance_index(session: Session, principal: Principal, *, area: str | None, date_from: str | None,
                     date_to: str | None, profile, cipher, now: datetime) -> dict:
    """The index of the area over the period: its total, one row per child (per area) and one per
    month (trend), each with every indicator's raw counts and the lists behind them."""
    config = profile.governance_index
    start, end = parse_period(date_from, date_to, today=local(now).date())
    place, children = resolve_area(session, principal, area)
    needed = index_rules.needed_sources(config)
    reg = _register(session, principal, place, children) if "register" in needed else {"": {}}

    # an area's children are the store's own grouping (one level down: towns … a village's grids)
    total, per = _case_counts(session, principal, place, start, end, group_by="area" if children else "grid",
                              config=config)
    other_total, other_per = _other_counts(session, principal, place, start, end, children=children, needed=needed,
                                           profile=profile, cipher=cipher, now=now)
    total_counts = {**total, **other_total, **reg[""]}
    rows = [_row(c.code, c.name, {**per[c.code], **other_per[c.code], **reg.get(c.code, {})}, config,
                 place=c.code, start=start, end=end) for c in children]

    trend = []
    _, by_month = _case_counts(session, principal, place, start, end, group_by="month", config=config)
    for first, last in months_between(start, end):
        m_total = by_month.get(first.strftime("%Y-%m"), {})
        m_other, _ = _other_counts(session, principal, place, first, last, children=[], needed=needed,
                                   profile=profile, cipher=cipher, now=now)
        trend.append(_row(first.strftime("%Y-%m"), first.strftime("%Y年%m月"), {**m_total, **m_other, **reg[""]},
                          config, place=place.code, start=first, end=last))
    return {
        "area": {"code": place.code, "name": place.name},
        "from": start.isoformat(), "to": end.isoformat(),
        "definition": definition(config),
        "total": _row(place.code, place.name, total_counts, config, place=place.code, start=start, end=end),
        "areas": rows,
        "trend": trend,
    }
