"""Public figures (公开统计): the city's and each county's totals, small cells suppressed.

Anyone may read them (``Permission.PUBLIC``); they are summed as the system (``authz.scope.SYSTEM``)
through :func:`gridgov.analysis.store.aggregate`, at two levels only (the city of the profile and
its counties, 区/县/县级市): no town, no grid, no person, no case.

Measures, of the cases reported in each month (or in the chosen months together): reported (上报数),
closed (结案数), closure rate (结案率 = closed ÷ valid), on-time closure rate (按期结案率 =
closed_on_time ÷ closed) and satisfaction rate (满意率 = satisfied ÷ evaluated), as docs/kpi.md
defines them.

Suppression (docs/analysis.md ``## 公开统计``):

1. *Primary*: a count under :data:`THRESHOLD` (5), zero included, is shown as ``<5`` (``null``).
2. *Complementary*: in each period and for each count, the city's figure is the sum of its
   counties'; where exactly one county's cell is suppressed and the city's is shown, the smallest
   other county's cell is suppressed too, so no subtraction gives a suppressed figure back.
3. *Rates*: a rate is shown only when every count it is computed from (numerator and denominator,
   e.g. valid cases for the closure rate) is shown after steps 1–2.
"""

from __future__ import annotations

import calendar as months
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.analysis import kpi, store
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.errors import Invalid, NotFound
from gridgov.models import Area
from gridgov.territory.demo import demo_city_of

THRESHOLD = 5
"""Counts under this are suppressed (local default, the common small-cell rule of official statistics)."""
MAX_MONTHS = 36
"""The longest span a request may cover."""

COUNTS = ("reported", "valid", "closed", "closed_on_time", "evaluated", "satisfied")
"""The counts suppression looks at (every count a published figure rests on)."""
SHOWN_COUNTS = ("reported", "closed")
SHOWN_RATES = ("closure_rate", "closed_on_time_rate", "satisfaction_rate")
MEASURES = {**{c: kpi.COUNTER_LABELS[c] for c in SHOWN_COUNTS},
            **{r: kpi.RATE_BY_NAME[r].label for r in SHOWN_RATES}}
"""The published columns and their Chinese labels, in order."""
SUPPRESSED = "<5"


def suppress_column(city: int, counties: dict[str, int]) -> tuple[bool, dict[str, bool]]:
    """Which cells of one count in one period are suppressed: (city's, each county's).

    Primary: under :data:`THRESHOLD`. Complementary: when exactly one county is suppressed and
    the city is shown, the smallest other county too (the first by code on a tie)."""
    hidden = {code: value < THRESHOLD for code, value in counties.items()}
    city_hidden = city < THRESHOLD
    if not city_hidden and sum(hidden.values()) == 1:
        others = sorted((value, code) for code, value in counties.items() if not hidden[code])
        if others:
            hidden[others[0][1]] = True
    return city_hidden, hidden


def _month(value: str | None, field: str, label: str, errors: list[dict[str, str]]) -> date | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        if len(text) != 7:
            raise ValueError(text)
        return date.fromisoformat(text + "-01")
    except ValueError:
        errors.append({"field": field, "error": f"{label}应为年月（如 2026-11）"})
        return None


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def period(month_from: str | None, month_to: str | None, by: str | None, today: date) -> tuple[date, date, str]:
    """The first month, the last month and ``by`` (``month``: one row per month; ``period``: the
    months together). Defaults: the twelve months up to ``today``'s, by month. Bad values → 422."""
    errors: list[dict[str, str]] = []
    first = _month(month_from, "from", "起始月份", errors)
    last = _month(month_to, "to", "截止月份", errors)
    by = by or "month"
    if by not in ("month", "period"):
        errors.append({"field": "by", "error": "统计方式应为 month（按月）或 period（整个期间）"})
    if not errors:
        last = last or date(today.year, today.month, 1)
        first = first or _shift(last, -11)
        if first > last:
            errors.append({"field": "to", "error": "截止月份不能早于起始月份"})
        elif (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
            errors.append({"field": "from", "error": f"一次最多统计 {MAX_MONTHS} 个月"})
    if errors:
        raise Invalid("统计条件有误：" + "；".join(e["error"] for e in errors), details=errors)
    return first, last, by


def _end(month: date) -> date:
    return date(month.year, month.month, months.monthrange(month.year, month.month)[1])


def _areas(session: Session, profile) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    code = demo_city_of(profile).area_code
    city = session.execute(scoped(select(Area.code, Area.name), SYSTEM, Area).where(Area.code == code)).first()
    if city is None:
        raise NotFound("本市区划尚未导入，暂无公开统计")
    counties = session.execute(scoped(select(Area.code, Area.name), SYSTEM, Area)
                               .where(Area.parent_code == code).order_by(Area.code)).all()
    return (city[0], city[1]), [(c, n) for c, n in counties]


def _cells(counts: dict[str, int], hidden: set[str]) -> dict[str, Any]:
    cells: dict[str, Any] = {c: (None if c in hidden else counts[c]) for c in SHOWN_COUNTS}
    for name in SHOWN_RATES:
        rate = kpi.RATE_BY_NAME[name]
        parts = {rate.numerator, rate.denominator} | ({rate.minus} if rate.minus else set())
        cells[name] = None if parts & hidden else rate.of(counts)
    return cells


def published(by_area: dict[str, dict[str, int]], city: str, counties: list[str]) -> dict[str, dict[str, Any]]:
    """One period's published cells per area (steps 1–3 of the module's rule): counts and rates,
    ``None`` where suppressed. ``by_area`` holds the city's and each county's summed counts."""
    hidden: dict[str, set[str]] = {code: set() for code in by_area}
    for count in COUNTS:
        city_hidden, county_hidden = suppress_column(by_area[city][count], {c: by_area[c][count] for c in counties})
        if city_hidden:
            hidden[city].add(count)
        for code, h in county_hidden.items():
            if h:
                hidden[code].add(count)
    return {code: _cells(counts, hidden[code]) for code, counts in by_area.items()}


def public_stats(session: Session, profile, *, month_from: str | None = None, month_to: str | None = None,
                 by: str | None = None, today: date) -> dict[str, Any]:
    """The answer of ``GET /api/v1/public/stats`` (see the module): the city and its counties, per
    month or for the period, every suppressed cell ``null`` (shown ``<5``)."""
    first, last, by = period(month_from, month_to, by, today)
    (city_code, city_name), counties = _areas(session, profile)
    day_from, day_to = first, _end(last)
    # {period key: {area code: counts}}
    table: dict[str, dict[str, dict[str, int]]] = {}
    if by == "period":
        key = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}～{last:%Y-%m}"
        groups, totals = store.aggregate(session, SYSTEM, group_by="area", area=city_code, date_from=day_from,
                                         date_to=day_to)
        found = {g.key: g.counts for g in groups}
        table[key] = {city_code: totals, **{c: found.get(c, kpi.empty()) for c, _ in counties}}
    else:
        keys, month = [], first
        while month <= last:
            keys.append(f"{month:%Y-%m}")
            month = _shift(month, 1)
        table = {k: {} for k in keys}
        for code in [city_code] + [c for c, _ in counties]:
            groups, _ = store.aggregate(session, SYSTEM, group_by="month", area=code, date_from=day_from,
                                        date_to=day_to)
            found = {g.key: g.counts for g in groups}
            for k in keys:
                table[k][code] = found.get(k, kpi.empty())
    names = {city_code: city_name, **dict(counties)}
    items = []
    for key, by_area in table.items():
        cells = published(by_area, city_code, [c for c, _ in counties])
        items += [{"period": key, "area": code, "name": names[code],
                   "level": "city" if code == city_code else "county", **cells[code]} for code in by_area]
    return {"city": {"code": city_code, "name": city_name}, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}",
            "by": by, "threshold": THRESHOLD, "suppressed": SUPPRESSED, "measures": MEASURES, "items": items}
