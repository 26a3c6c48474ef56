"""The monthly analysis report of an area (issue 16, JM§21 "定期分析研判"): its figures.

:func:`build_report` answers one JSON-able dict, the figures a report shows and keeps: the month's
KPIs against the previous month and the same month a year earlier, a twelve-month trend, rankings
of the child areas and of the departments, the case types with the most cases, the overdue and
supervised cases, and the hooks of the appraisal (departments below the threshold, ZJ§29) and of
the early warnings. Every figure carries ``cases_url``: the case list (``GET /api/v1/cases``) with
the filters that give exactly the cases it counts (``&kpi=overdue``: those its overdue count counts).

All figures come from the shared statistics (:func:`gridgov.analysis.store.aggregate`,
:func:`gridgov.analysis.stats.case_stats`), under the jurisdiction of the principal who asks, in
four aggregate calls and one short list: a county's report stays fast at millions of cases.
A period is a cohort: the cases *reported* in it (``case_facts.reported_day``).
"""

from __future__ import annotations

import json
import re
from calendar import monthrange
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.errors import DomainError, Invalid, NotFound
from gridgov.models import Area

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MIN_YEAR, MAX_YEAR = 2000, 2099
TOP_TYPES = 10
"""How many case types the report lists (the rest are in the stats API)."""
OVERDUE_LISTED = 20
"""How many overdue cases the report names (the count and its link give them all)."""
TREND_MONTHS = 12
RANK_COUNTERS = ("closed_on_time", "closed")
"""The ranking's measure: the first rate (``kpi.RATES``) whose numerator is one of these, in this
order (按期结案率, else 结案率)."""
NOT_FOUND = "没有这个区域，或不在您的辖区内"

MONTH_FORMAT_ERROR = "月份格式应为 YYYY-MM，例如 2026-11"
APPRAISAL_MISSING = "考核评分尚未接入：低于考核线的部门待考核模块上线后列出"
WARNINGS_MISSING = "预警模块尚未接入"


# ---------------------------------------------------------------- months


def parse_month(value: str) -> tuple[int, int]:
    """``"2026-11"`` → ``(2026, 11)``; anything else → :class:`Invalid` (422, Chinese)."""
    if not isinstance(value, str) or not re.match(MONTH_PATTERN, value):
        raise Invalid(MONTH_FORMAT_ERROR)
    year, month = int(value[:4]), int(value[5:])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"月份应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间")
    return year, month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift(year: int, month: int, by: int) -> tuple[int, int]:
    """The month ``by`` months after (negative: before) ``year-month``."""
    n = year * 12 + (month - 1) + by
    return n // 12, n % 12 + 1


def month_span(year: int, month: int) -> tuple[date, date]:
    """The first and last day of the month."""
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def previous_month(day: date) -> str:
    return month_key(*shift(day.year, day.month, -1))


def first_working_day(calendar, year: int, month: int) -> date:
    """The first working day of the month (``gridgov.calendar.WorkCalendar`` with its overrides)."""
    day, last = month_span(year, month)
    while day <= last:
        if calendar.is_workday(day):
            return day
        day = date.fromordinal(day.toordinal() + 1)
    raise ValueError(f"{month_key(year, month)} 没有工作日")  # only an absurd override table gets here


# ---------------------------------------------------------------- links


def page_url(api_url: str | None) -> str | None:
    """The same list as a page (``/cases/mine`` takes the filters of ``GET /api/v1/cases``)."""
    if not api_url:
        return None
    return api_url.replace("/api/v1/cases", "/cases/mine", 1)


# ---------------------------------------------------------------- the figures


def _kpi():
    from gridgov.analysis import kpi

    return kpi


def _rate_defs() -> list[dict]:
    """``kpi.RATES`` as dicts (name, label, numerator, denominator)."""
    return [{"name": r.name, "label": r.label, "numerator": r.numerator, "denominator": r.denominator}
            for r in _kpi().RATES]


def _counter_labels() -> dict[str, str]:
    kpi = _kpi()
    return {c: kpi.COUNTER_LABELS.get(c, c) for c in kpi.COUNTERS}


def _duration_labels() -> dict[str, str]:
    kpi = _kpi()
    return {f"avg_{d}": kpi.DURATION_LABELS.get(d, d) for d in kpi.DURATIONS}


def rank_rate(rates: list[dict]) -> dict:
    for counter in RANK_COUNTERS:
        for r in rates:
            if r["numerator"] == counter:
                return r
    return rates[0]


def _figures(counts: dict | None) -> dict:
    """Summed counters (zero when the month has no case) with their rates and stage averages."""
    kpi = _kpi()
    counts = {**kpi.empty(), **(counts or {})}
    return {**counts, **kpi.rates(counts), **kpi.averages(counts)}


def with_period(url: str, date_from: date, date_to: date, **extra: str) -> str:
    """``url`` (a case-list link) with another period and extra filters."""
    base, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    params.update({"from": date_from.isoformat(), "to": date_to.isoformat(), **extra})
    return f"{base}?{urlencode(params)}"


def _ranked(items: list[dict], rate: str) -> list[dict]:
    """Best first by the ranking rate (groups with no denominator last), then by cases reported."""
    def key(item):
        value = item.get(rate)
        return (value is None, -(value or 0), -int(item.get("reported", 0)), str(item.get("key")))

    out = []
    for n, item in enumerate(sorted(items, key=key), start=1):
        out.append({**item, "rank": n, "page_url": page_url(item.get("cases_url"))})
    return out


def build_report(session: Session, principal: Principal, area: str, month: str, now: datetime, *,
                 profile=None, cipher=None) -> dict:
    """The figures of the monthly report of ``area`` for ``month`` (``YYYY-MM``), counted under the
    principal's jurisdiction (an area outside it → :class:`NotFound`, like a missing one).
    ``profile``: names the case types and gives the appraisal's threshold and the warnings' rules
    (without it those two sections say they are not available); ``cipher``: what they may need."""
    from gridgov.analysis.monthly_repository import overdue_cases
    from gridgov.analysis.stats import case_stats
    from gridgov.analysis.store import aggregate

    year, mon = parse_month(month)
    if not isinstance(area, str) or not re.fullmatch(r"\d{12}", area) or not scope.covers(principal, area):
        raise NotFound(NOT_FOUND)
    row = scope.get_visible(session, principal, Area, area)
    if row is None:
        raise NotFound(NOT_FOUND)
    first, last = month_span(year, mon)
    prev_span, ly_span = month_span(*shift(year, mon, -1)), month_span(year - 1, mon)

    # 1–3. the month by child area, by department and by case type (names and links: the stats API)
    def stats(group_by: str) -> dict:
        return case_stats(session, principal, group_by=group_by, area=area, date_from=first, date_to=last,
                          now=now, profile=profile)

    children = stats("area")
    departments = stats("department")
    types = stats("type")
    link = children["totals"]["cases_url"]  # the month's cases, with the filters the principal's own carry

    # 4. one aggregate over thirteen months: the trend, the previous month and the same month last year
    groups, _totals = aggregate(session, principal, group_by="month", area=area,
                                date_from=month_span(*shift(year, mon, -TREND_MONTHS))[0], date_to=last)
    by_month = {str(g.key)[:7]: _figures(g.counts) for g in groups}

    def of(key: str) -> dict:
        return by_month.get(key) or _figures(None)

    current, previous, last_year = of(month), of(month_key(*shift(year, mon, -1))), of(month_key(year - 1, mon))
    rates = _rate_defs()
    ranking = rank_rate(rates)
    kinds = [("count", _counter_labels()), ("rate", {r["name"]: r["label"] for r in rates}),
             ("days", _duration_labels())]
    kpis = [{"name": name, "label": label, "kind": kind, "value": current.get(name),
             "previous": previous.get(name), "last_year": last_year.get(name)}
            for kind, labels in kinds for name, label in labels.items()]
    trend = [{"month": m, "reported": of(m)["reported"], "closed": of(m)["closed"], "rate": of(m)[ranking["name"]]}
             for m in (month_key(*shift(year, mon, k)) for k in range(-TREND_MONTHS + 1, 1))]
    by_type = sorted(types["items"], key=lambda i: (-int(i.get("reported", 0)), str(i.get("key"))))

    # 5. the overdue cases of the month, named (the count links to all of them)
    overdue = overdue_cases(session, principal, area, first, last, limit=OVERDUE_LISTED)
    return {
        "area": {"code": area, "name": row.name, "level": str(row.level)},
        "month": month,
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "previous": {"month": month_key(*shift(year, mon, -1)), "from": prev_span[0].isoformat(),
                     "to": prev_span[1].isoformat()},
        "last_year": {"month": month_key(year - 1, mon), "from": ly_span[0].isoformat(),
                      "to": ly_span[1].isoformat()},
        "totals": current,
        "cases_url": link,
        "previous_cases_url": with_period(link, *prev_span),
        "last_year_cases_url": with_period(link, *ly_span),
        "kpis": kpis,
        "ranking_rate": ranking,
        "trend": trend,
        "children": _ranked(children["items"], ranking["name"]),
        "departments": _ranked(departments["items"], ranking["name"]),
        "lagging_departments": lagging_departments(session, principal, area, month, now, profile=profile,
                                                   cipher=cipher),
        "types": [{**i, "page_url": page_url(i.get("cases_url"))} for i in by_type[:TOP_TYPES]],
        "types_total": len(by_type),
        "overdue": {"count": current["overdue"], "supervised": current["supervised"],
                    "cases_url": with_period(link, first, last, kpi="overdue"), "cases": overdue},
        "warnings": warnings_of(session, principal, area, month, now, profile=profile, cipher=cipher),
        "computed_at": now.isoformat(),
    }


# ---------------------------------------------------------------- how figures are written


def fmt_value(kind: str, value) -> str:
    """A count with thousands separators, a rate as a percentage, working days with one decimal;
    "—" when undefined."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind == "days":
        return f"{float(value):.1f}"
    return f"{int(value):,}"


def fmt_change(kind: str, value, base) -> str:
    """The change from ``base`` to ``value``: counts by their difference and its percentage, rates by
    percentage points; "—" when either is undefined."""
    if value is None or base is None:
        return "—"
    if kind == "rate":
        return f"{(float(value) - float(base)) * 100:+.1f} 个百分点"
    if kind == "days":
        return f"{float(value) - float(base):+.1f} 个工作日"
    diff = int(value) - int(base)
    if not base:
        return f"{diff:+,}"
    return f"{diff:+,}（{diff / int(base) * 100:+.1f}%）"


def title(figures: dict) -> str:
    year, month = parse_month(figures["month"])
    return f"{figures['area']['name']}{year}年{month}月网格化服务管理分析报告"


# ---------------------------------------------------------------- hooks of the other parts


def lagging_departments(session: Session, principal: Principal, area: str, month: str, now: datetime, *,
                        profile=None, cipher=None) -> dict:
    """The departments below the appraisal threshold in the month (ZJ§29: named on the report), from the
    appraisal (:func:`gridgov.analysis.appraisal.lagging_departments`: its stored scores of the month
    when a run is kept, else live ones), lowest first with score, threshold and its basis.

    HOOK: where the appraisal is not there (or no profile is given), the report says so
    (``available: False``) and names no one — never a guess."""
    try:
        from gridgov.analysis.appraisal import lagging_departments as below
    except ImportError:
        return {"available": False, "note": APPRAISAL_MISSING, "items": []}
    if profile is None:
        return {"available": False, "note": APPRAISAL_MISSING, "items": []}
    try:
        items = below(session, principal, month, area, profile=profile, cipher=cipher, now=now)
    except DomainError as exc:
        return {"available": False, "note": f"考核评分无法取得：{exc.message}", "items": []}
    return {"available": True, "note": "", "items": [_plain(i) for i in items]}


def warnings_of(session: Session, principal: Principal, area: str, month: str, now: datetime, *,
                profile=None, cipher=None) -> dict:
    """The early warnings standing when the report is generated (``as_of``), of the area, from
    :func:`gridgov.analysis.warnings_service.warnings_for`; HOOK like :func:`lagging_departments`."""
    try:
        from gridgov.analysis.warnings_service import warnings_for
    except ImportError:
        return {"available": False, "note": WARNINGS_MISSING, "items": []}
    if profile is None:
        return {"available": False, "note": WARNINGS_MISSING, "items": []}
    try:
        found = warnings_for(session, principal, profile=profile, cipher=cipher, now=now, area=area)
    except DomainError as exc:
        return {"available": False, "note": f"预警无法取得：{exc.message}", "items": []}
    inside = areas.area_prefix(area)  # the system's principal is not narrowed by ``area``: keep the area's own
    return {"available": True, "note": "", "as_of": str(found.as_of),
            "items": [_plain(w) for w in found.items if str(getattr(w, "area", "") or "").startswith(inside)]}


def _plain(item) -> dict:
    """A JSON-able dict of a row another part returns (a dict or a pydantic model)."""
    if hasattr(item, "model_dump"):
        return item.model_dump(mode="json")
    return json.loads(json.dumps(dict(item), default=str))
