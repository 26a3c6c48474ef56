"""Public figures (``/public/stats``, ``GET /api/v1/public/stats``): city and county totals only,
cells under 5 suppressed (and what would give them back), no personal data, anyone may read them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from gridgov.analysis import kpi
from gridgov.analysis.public_stats import THRESHOLD, published, suppress_column
from gridgov.kit.clock import SHANGHAI
from gridgov.models import Area, Case

from .scenario import Desk, at

MONTH = {"from": "2026-11", "to": "2026-11", "by": "period"}
PERSON = {"reporter_name": "王小明", "reporter_phone": "13912345678"}


@pytest.fixture
def five_and_four(db, tmp_path):
    """Five cases in the first county, four in the second, all reported in November 2026."""
    desk = Desk(db, tmp_path / "media")
    start, end = datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert db.scalar(select(func.count()).select_from(Case).where(Case.created_at >= start,
                                                                    Case.created_at < end)) == 0
    for i in range(5):
        desk.report("city_admin", now=at(11, 2 + i, 9), source="hotline", **PERSON)
    for i in range(4):
        desk.report("city_admin", now=at(11, 2 + i, 10), grid=desk.places.grid2, source="hotline", **PERSON)
    db.flush()
    return desk


def _rows(body):
    return {item["area"]: item for item in body["items"]}


# --- the rule, on its own -------------------------------------------------------------------------


def test_a_count_of_4_is_suppressed_and_of_5_shown():
    assert THRESHOLD == 5
    city, counties = suppress_column(5 + 4 + 0, {"a": 5, "b": 4, "c": 0})
    assert (city, counties) == (False, {"a": False, "b": True, "c": True})
    assert suppress_column(4, {"a": 4}) == (True, {"a": True})
    assert suppress_column(5, {"a": 5}) == (False, {"a": False})


def test_a_lone_suppressed_county_takes_the_smallest_other_with_it():
    # 20 - 9 - 7 would give the 4 back: the 7 goes too (the smaller of the others).
    assert suppress_column(20, {"a": 9, "b": 4, "c": 7}) == (False, {"a": False, "b": True, "c": True})
    # two already suppressed: nothing more
    assert suppress_column(20, {"a": 9, "b": 4, "c": 3, "d": 4}) == (False, {"a": False, "b": True, "c": True,
                                                                              "d": True})
    # the city itself under 5: every county is too
    assert suppress_column(4, {"a": 3, "b": 1}) == (True, {"a": True, "b": True})


def _counts(**values):
    return {**kpi.empty(), **values}


def test_a_period_table_suppresses_each_count_then_the_rates_resting_on_it():
    # reported: city 20 = 9 + 4 + 7 -> "b" (4) primary, "c" (7) complementary; closed/valid: all shown
    by_area = {"city": _counts(reported=20, valid=18, closed=15, closed_on_time=12, evaluated=15, satisfied=14),
               "a": _counts(reported=9, valid=8, closed=6, closed_on_time=5, evaluated=6, satisfied=6),
               "b": _counts(reported=4, valid=4, closed=4, closed_on_time=3, evaluated=4, satisfied=4),
               "c": _counts(reported=7, valid=6, closed=5, closed_on_time=4, evaluated=5, satisfied=4)}
    cells = published(by_area, "city", ["a", "b", "c"])
    assert cells["city"] == {"reported": 20, "closed": 15, "closure_rate": round(15 / 18, 4),
                             "closed_on_time_rate": round(12 / 15, 4), "satisfaction_rate": round(14 / 15, 4)}
    assert cells["a"] == {"reported": 9, "closed": 6, "closure_rate": 0.75, "closed_on_time_rate": round(5 / 6, 4),
                          "satisfaction_rate": 1.0}
    # "b" is under 5 everywhere; "c" goes with it wherever "b" alone would be hidden (reported 7, valid 6,
    # closed 5, evaluated 5: the smaller of "a" and "c") and is under 5 itself in closed_on_time and satisfied
    nothing = {"reported": None, "closed": None, "closure_rate": None, "closed_on_time_rate": None,
               "satisfaction_rate": None}
    assert cells["b"] == nothing and cells["c"] == nothing


# --- the API, on both databases -------------------------------------------------------------------


def test_the_api_suppresses_4_shows_5_and_counts_the_cases(five_and_four, anonymous, db):
    places = five_and_four.places
    r = anonymous.get("/api/v1/public/stats", params=MONTH)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    rows = _rows(r.json())
    assert rows[places.county]["reported"] == 5
    assert rows[places.county2]["reported"] is None  # 4: "<5"
    assert rows[places.city]["reported"] == 9
    # no case is closed or evaluated: 0 < 5, so every rate resting on them is suppressed too
    for row in rows.values():
        assert row["closed"] is None
        assert row["closure_rate"] is None and row["closed_on_time_rate"] is None and row["satisfaction_rate"] is None
    # the totals are the cases: counted here from the cases table itself
    start, end = datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)
    counted = {code: db.scalar(select(func.count()).select_from(Case).where(
        Case.grid_code.startswith(code[:6]), Case.created_at >= start, Case.created_at < end))
        for code in (places.county, places.county2)}
    assert counted == {places.county: 5, places.county2: 4}
    assert rows[places.city]["reported"] == sum(counted.values())
    monthly = _rows(anonymous.get("/api/v1/public/stats", params={**MONTH, "by": "month"}).json())
    assert monthly[places.city]["reported"] == 9 and monthly[places.city]["period"] == "2026-11"

    # only the city and its counties, only the published columns, no personal data
    r = anonymous.get("/api/v1/public/stats", params={"from": "2026-10", "to": "2026-11"})
    body = r.json()
    counties = set(db.scalars(select(Area.code).where(Area.parent_code == places.city)))
    assert {item["area"] for item in body["items"]} == counties | {places.city}
    assert {item["level"] for item in body["items"]} == {"city", "county"}
    assert {item["period"] for item in body["items"]} == {"2026-10", "2026-11"}
    keys = set().union(*(item.keys() for item in body["items"]))
    assert keys == {"period", "area", "name", "level", "reported", "closed", "closure_rate", "closed_on_time_rate",
                    "satisfaction_rate"}
    reporter = five_and_four.who("city_admin")
    case_nos = db.scalars(select(Case.case_no)).all()
    for secret in [places.town, places.grid, places.town2, places.grid2, "王小明", "13912345678", "中山路",
                   "占道经营", reporter.display_name, *case_nos]:
        assert secret not in r.text, secret


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-13"}, "from"), ({"to": "2026/11"}, "to"), ({"by": "grid"}, "by"),
    ({"from": "2026-11", "to": "2026-10"}, "to"), ({"from": "2020-01", "to": "2026-11"}, "from"),
])
def test_bad_values_are_422_in_chinese_per_field(anonymous, params, field):
    r = anonymous.get("/api/v1/public/stats", params=params)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert "统计条件有误" in r.json()["detail"]


def test_the_page_shows_5_and_hides_4_to_anyone(five_and_four, anonymous):
    places = five_and_four.places
    r = anonymous.get("/public/stats", params=MONTH)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    first = html.index(f'data-area="{places.county}"')
    second = html.index(f'data-area="{places.county2}"')
    assert '<td class="num" data-cell="reported">5</td>' in html[first:first + 800]
    assert '<td class="num" data-cell="reported">&lt;5</td>' in html[second:second + 800]
    assert 'href="/catalogue"' in html
    assert "王小明" not in html and places.grid not in html


def test_the_page_answers_a_bad_month_with_a_chinese_message(anonymous):
    r = anonymous.get("/public/stats", params={"from": "2026-13"})
    assert r.status_code == 422
    assert "起始月份应为年月" in r.text and 'id="public-stats"' in r.text


def test_the_menu_links_the_public_figures(client_as):
    html = client_as("worker").get("/account").text
    assert 'href="/public/stats"' in html
