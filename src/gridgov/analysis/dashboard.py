"""The leaders' dashboard (领导驾驶舱, issue 16): the figures of an area over a range of months, each
one a link to exactly the cases it counts.

Every figure comes from :func:`gridgov.analysis.stats.case_stats` (the numbers of
``GET /api/v1/stats/cases``, jurisdiction enforced there: an area outside the user's is a 404), and
every group's ``cases_url`` (``/api/v1/cases?…``, the filters that select exactly its cases) becomes
the 辖区事件 page with the same query string (:func:`page_url`), which reads the same filters. The
page shows: the trend by month (the 12 months up to the range's end), the ranking of the area's
children (towns under a county…), of departments, the figures by case type, the grids for the
choropleth, the open overdue cases and the open supervision orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy.orm import Session

from gridgov.analysis import dashboard_repository as repo
from gridgov.analysis import kpi
from gridgov.analysis.stats import case_stats
from gridgov.authz import Principal
from gridgov.cases import service as case_service
from gridgov.cases import supervision
from gridgov.cases.search import CaseFilter
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.territory import service as territory

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TREND_MONTHS = 12
"""How many months the trend shows, up to the range's last month."""
MAX_MONTHS = 36
"""The longest range of months one page may ask for."""
LIST_ROWS = 10
"""Rows the overdue and supervision lists show (each links to the whole list)."""
GROUPS = ("area", "department", "type", "grid")
"""The groupings of the range's figures, beside the trend (``month``)."""
COUNTERS = (("reported", "上报"), ("closed", "结案"), ("closed_on_time", "按期结案"), ("overdue", "超期"),
            ("returned", "退回"), ("satisfied", "满意"))
"""The counters the tables show, in order (every figure links to its cases)."""


@dataclass(frozen=True)
class Query:
    area: str
    first: date
    """The first day of the range's first month."""
    last: date
    """The last day of the range's last month."""

    @property
    def month_from(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def month_to(self) -> str:
        return f"{self.last:%Y-%m}"


def _month(text: str, field: str, label: str) -> date:
    m = MONTH.match(text)
    if not m:
        raise Invalid(f"{label}应为年月（如 2026-03）", details=[{"field": field, "error": "格式应为 YYYY-MM"}])
    return date(int(m.group(1)), int(m.group(2)), 1)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _add_months(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def parse(me: Principal, *, area: str | None, month_from: str | None, month_to: str | None, now: datetime) -> Query:
    """The page's query: the area (the user's own by default) and the range of months (this month by
    default; ``from`` alone or ``to`` alone is one month). Bad values are a 422 in Chinese."""
    this_month = local(now).date().replace(day=1)
    month_from, month_to = (month_from or "").strip(), (month_to or "").strip()
    first = _month(month_from, "from", "起始月份") if month_from else None
    last = _month(month_to, "to", "截止月份") if month_to else None
    first, last = first or last or this_month, last or first or this_month
    if first > last:
        raise Invalid("起始月份不能晚于截止月份", details=[{"field": "from", "error": "晚于截止月份"}])
    if _add_months(first, MAX_MONTHS) <= last:
        raise Invalid(f"月份范围最长 {MAX_MONTHS} 个月", details=[{"field": "to", "error": "范围过长"}])
    code = (area or "").strip() or me.scope_code[:12]
    if not re.fullmatch(r"\d{12}", code):
        raise NotFound("区域不存在")
    return Query(area=code, first=first, last=_month_end(last))


def page_url(cases_url: str) -> str:
    """The 辖区事件 page with the filters of an API link to the cases (``/api/v1/cases?…``)."""
    _path, _, query = cases_url.partition("?")
    return "/cases/mine?" + query if query else "/cases/mine"


def _rows(answer: dict) -> list[dict]:
    rows = []
    for item in answer["items"]:
        row = dict(item)
        row["href"] = page_url(item["cases_url"])
        rows.append(row)
    return rows


def _months(answer: dict, first: date, last: date) -> list[dict]:
    """The trend's rows, one per month from ``first`` to ``last``: a month with no case is a row of
    zeros whose link lists that month with the same filters as the others (from the totals' link)."""
    rows = {r["key"]: r for r in _rows(answer)}
    fixed = [(k, v) for k, v in parse_qsl(urlsplit(answer["totals"]["cases_url"]).query) if k not in ("from", "to")]
    out, month = [], first.replace(day=1)
    while month <= last:
        key = f"{month:%Y-%m}"
        if key not in rows:
            span = [("from", max(month, first).isoformat()), ("to", min(_month_end(month), last).isoformat())]
            rows[key] = {"key": key, "name": key, **{c: 0 for c in kpi.COUNTERS},
                         "href": "/cases/mine?" + urlencode(fixed + span)}
        out.append(rows[key])
        month = _add_months(month, 1)
    return out


def build(session: Session, me: Principal, q: Query, *, now: datetime, profile=None, case_types=None) -> dict:
    """Everything the dashboard shows for ``q``; 404 for an area outside the user's jurisdiction.
    The user's own area is asked for as "mine" (no ``area``): a grid's staff then count their grid,
    not the village the grid lies in."""
    area = territory.get_area_read(session, me, q.area)
    asked = None if q.area == me.scope_code[:12] else q.area
    span = {"area": asked, "now": now, "profile": profile, "case_types": case_types}
    groups = {g: case_stats(session, me, group_by=g, date_from=q.first, date_to=q.last, **span) for g in GROUPS}
    trend_first = min(q.first, _add_months(q.last.replace(day=1), 1 - TREND_MONTHS))
    trend = case_stats(session, me, group_by="month", date_from=trend_first, date_to=q.last, **span)
    totals = groups["area"]["totals"]
    late = case_service.list_cases(session, me, now=now, found=CaseFilter(area=q.area, overdue=True),
                                   page=1, page_size=LIST_ROWS)
    orders = supervision_rows(session, me, q.area, now=now)
    return {
        "area": area,
        "query": q,
        "totals": totals,
        "totals_href": page_url(totals["cases_url"]),
        "trend": _months(trend, trend_first, q.last),
        "children": sorted(_rows(groups["area"]), key=lambda r: (-r["reported"], r["key"])),
        "departments": sorted(_rows(groups["department"]), key=lambda r: (-r["reported"], r["key"])),
        "types": sorted(_rows(groups["type"]), key=lambda r: (-r["reported"], r["key"])),
        "grids": sorted(_rows(groups["grid"]), key=lambda r: (-r["reported"], r["key"])),
        "late": late.items,
        "late_total": late.total,
        "late_href": "/cases/mine?" + urlencode({"area": q.area, "overdue": "true"}),
        "orders": orders,
    }


def supervision_rows(session: Session, me: Principal, area: str, *, now: datetime) -> list:
    """The open supervision orders (督办) on the visible cases under ``area``, the soonest due first."""
    pairs = repo.open_orders(session, me, area, limit=LIST_ROWS)
    users, depts = supervision.names(session, [o for o, _c in pairs])
    return [supervision.read(o, c, me, now, users, depts) for o, c in pairs]


def chart_data(data: dict) -> dict:
    """What the charts draw, as JSON for the page's script: names (text), values and each bar's link."""

    def series(rows: list[dict]) -> dict:
        return {"keys": [r["key"] for r in rows], "names": [r["name"] for r in rows],
                "reported": [r["reported"] for r in rows], "closed": [r["closed"] for r in rows],
                "overdue": [r["overdue"] for r in rows], "hrefs": [r["href"] for r in rows]}

    return {"trend": series(data["trend"]), "children": series(data["children"]),
            "departments": series(data["departments"]), "types": series(data["types"]),
            "grids": series(data["grids"])}
