"""The governance index on a small known data set (both databases): every figure equals a hand
computation under a test profile's weights; a weight changed in the profile changes the index; each
indicator's link lists exactly its cases; jurisdiction; bad values are refused in Chinese.

The data lie in 2031 (no demo case, complaint or visit is there) and the service is asked at
``NOW`` (mid-March 2031). Cases are written as a case row and its fact row (the index reads the fact
rows; how a case's fact row is derived is tested in tests/cases and tests/analysis by its owner)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from gridgov.analysis import governance_index as service
from gridgov.cases import rollup
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import SHANGHAI
from gridgov.models import Case
from gridgov.models.analysis import FACT_COUNTERS, CaseFact
from gridgov.models.registry import Visit
from gridgov.models.territory import BoardComplaint
from gridgov.policy.schema.governance_index import GovernanceIndex

from ..registry.care_fixtures import grids, household, principal, tag

NOW = datetime(2031, 3, 15, 4, tzinfo=UTC)
JAN, FEB = (date(2031, 1, 1), date(2031, 1, 31)), (date(2031, 2, 1), date(2031, 2, 28))
_serial = itertools.count(1)

TEST_INDEX = {
    "name": "测试指数",
    "groups": {"handling": {"name": "事件处置", "weight": 50}, "people": {"name": "群众满意", "weight": 30},
               "base": {"name": "基层基础", "weight": 20}},
    "indicators": {
        "closure_rate": {"group": "handling", "weight": 50, "best": 1, "worst": 0},
        "rework_rate": {"group": "handling", "weight": 25, "best": 0, "worst": 0.5},
        "safety_cases_per_mille": {"group": "handling", "weight": 25, "best": 0, "worst": 20},
        "satisfaction_rate": {"group": "people", "weight": 60, "best": 1, "worst": 0},
        "complaints_per_mille": {"group": "people", "weight": 40, "best": 0, "worst": 10},
        "visit_completion_rate": {"group": "base", "weight": 50, "best": 1, "worst": 0},
        "house_occupancy_rate": {"group": "base", "weight": 50, "best": 1, "worst": 0},
    },
    "safety_categories": ["public_security", "fire_hazard"],
}
"""The test profile's index: weights unlike the shipped defaults, so the hand computation below
depends on them."""


def _profile(app, **over):
    data = {**TEST_INDEX, **over}
    return app.state.profile.model_copy(update={"governance_index": GovernanceIndex.model_validate(data)})


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def _case(db, grid: str, day: date, category: str, **counters: int) -> Case:
    n = next(_serial)
    at = _at(day)
    case = Case(case_no=f"GI{grid[-6:]}{n:05d}", title=f"指数测试{n}", category=category, source="worker",
                state="closed" if counters.get("closed") else "dispatched", discovered_at=at, grid_code=grid,
                town_code=grid[:9] + "000", county_code=grid[:6] + "000000", handling_area_code=grid[:9] + "000",
                created_at=at, updated_at=at)
    db.add(case)
    db.flush()
    values = {c: 0 for c in FACT_COUNTERS} | {"reported": 1} | counters
    db.add(CaseFact(case_id=case.id, reported_day=day, grid_code=grid, town_code=case.town_code,
                    county_code=case.county_code, matter_code=category, source="worker", state=case.state,
                    computed_at=at, **values))
    db.flush()
    return case


@dataclass
class Known:
    grid: str
    grid2: str
    cases: dict[str, Case]


@pytest.fixture
def known(db, app) -> Known:
    """In the demo grid: 200 residents in 4 houses of 50, one empty house (houses 5, occupied 4); a
    30-day tag from Jan 1 (Jan–Feb: 59 days → 1 visit due), visited on Jan 20 (done 1); complaints:
    one in January, one in February.

    Cases (January): a closed and satisfied dispute; a closed, reworked, unsatisfied public-security
    case; an open fire hazard. February: a closed sanitation case. In grid2 (another county): a
    closed case in January (outside a county user's view)."""
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    people = []
    for i in range(4):
        people += household(db, cipher, grid, f"指数路{i}", [f"居民{i}-{k}" for k in range(50)]).people
    household(db, cipher, grid, "空房路", [])
    tag(db, cipher, profile, people[0], "severe_mental", since=date(2031, 1, 1))
    db.add(Visit(kind="visit", person_id=people[0].id, visited_at=_at(date(2031, 1, 20)), scope_code=grid,
                 created_at=NOW))
    for day in (date(2031, 1, 9), date(2031, 2, 9)):
        db.add(BoardComplaint(grid_code=grid, town_code=grid[:9] + "000", content="态度差", received_at=_at(day),
                              status="received"))
    cases = {
        "dispute": _case(db, grid, date(2031, 1, 5), "dispute", closed=1, closed_on_time=1, evaluated=1,
                         satisfied=1),
        "security": _case(db, grid, date(2031, 1, 6), "public_security", closed=1, reworked=1, evaluated=1),
        "fire": _case(db, grid, date(2031, 1, 7), "fire_hazard"),
        "sanitation": _case(db, grid, date(2031, 2, 3), "sanitation", closed=1, closed_on_time=1),
        "far": _case(db, grid2, date(2031, 1, 8), "dispute", closed=1),
    }
    rollup.rebuild_cells(db)  # the fact rows were set by hand: the store's cells recounted from them
    return Known(grid, grid2, cases)


def _index(db, app, who: str, area: str | None, *, profile=None, date_from="2031-01-01", date_to="2031-02-28"):
    return service.governance_index(db, principal(db, who), area=area, date_from=date_from, date_to=date_to,
                                    profile=profile or _profile(app), cipher=app.state.cipher, now=NOW)


def _indicators(row) -> dict[str, dict]:
    return {i["code"]: i for g in row["groups"] for i in g["indicators"]}


def _groups(row) -> dict[str, float | None]:
    return {g["code"]: g["score"] for g in row["groups"]}


# By hand, the grid over January–February (4 cases in the grid):
#   closure 3/4 = 0.75 → 75;  rework 1/3 → 100 × (1/3 − 0.5)/(0 − 0.5) = 33.33…;
#   safety 2 cases (public_security, fire_hazard) / 200 residents × 1000 = 10‰ → 100 × (10 − 20)/(0 − 20) = 50
#   handling = 0.5·75 + 0.25·33.33… + 0.25·50 = 58.333…
#   satisfaction 1/2 → 50; complaints 2/200 × 1000 = 10‰ → 0;  people = 0.6·50 + 0.4·0 = 30
#   visits 1/1 → 100; houses 4/5 → 80;  base = 90
#   index = 0.5·58.333… + 0.3·30 + 0.2·90 = 56.1666… → 56.2
HAND = {"index": 56.2, "groups": {"handling": 58.3, "people": 30.0, "base": 90.0},
        "raw": {"closure_rate": (3, 4), "rework_rate": (1, 3), "safety_cases_per_mille": (2, 200),
                "satisfaction_rate": (1, 2), "complaints_per_mille": (2, 200), "visit_completion_rate": (1, 1),
                "house_occupancy_rate": (4, 5)}}


def test_the_index_of_a_grid_equals_the_hand_computation(db, app, known):
    result = _index(db, app, "city_admin", known.grid)
    total = result["total"]
    assert total["index"] == HAND["index"]
    assert _groups(total) == HAND["groups"]
    found = _indicators(total)
    assert {c: (i["numerator"], i["denominator"]) for c, i in found.items()} == HAND["raw"]
    assert found["safety_cases_per_mille"]["value"] == 10.0 and found["safety_cases_per_mille"]["score"] == 50.0
    assert found["rework_rate"]["score"] == 33.3
    assert result["areas"] == []  # a grid has no children


def test_the_trend_has_one_row_per_month_each_computed_alone(db, app, known):
    trend = _index(db, app, "city_admin", known.grid)["trend"]
    assert [t["key"] for t in trend] == ["2031-01", "2031-02"]
    jan, feb = (_indicators(t) for t in trend)
    # January: 3 cases, 2 closed, 1 reworked, 2 safety cases, 1 complaint; February: 1 case, closed, no rework
    assert (jan["closure_rate"]["numerator"], jan["closure_rate"]["denominator"]) == (2, 3)
    assert (jan["rework_rate"]["numerator"], jan["complaints_per_mille"]["numerator"]) == (1, 1)
    assert (feb["closure_rate"]["numerator"], feb["closure_rate"]["denominator"]) == (1, 1)
    assert feb["safety_cases_per_mille"]["numerator"] == 0 and feb["satisfaction_rate"]["score"] is None
    # February by hand: closure 100, rework 0/1 → 100, safety 0‰ → 100: handling 100; satisfaction no data,
    # complaints 1/200 → 5‰ → 50: people 50; visits (Feb: 28 days, none due) no data, houses 80: base 80
    assert trend[1]["index"] == round(0.5 * 100 + 0.3 * 50 + 0.2 * 80, 1)


def test_per_area_rows_are_the_children_and_add_up(db, app, known):
    village = known.grid[:12]
    result = _index(db, app, "city_admin", village)
    rows = {r["key"]: r for r in result["areas"]}
    assert known.grid in rows and all(len(k) == 15 for k in rows)
    assert rows[known.grid]["index"] == HAND["index"]
    others = [r for k, r in rows.items() if k != known.grid]
    assert all(_indicators(r)["closure_rate"]["denominator"] == 0 for r in others)
    town = _index(db, app, "city_admin", known.grid[:9] + "000")
    assert {r["key"] for r in town["areas"]} >= {village}
    assert next(r for r in town["areas"] if r["key"] == village)["index"] == HAND["index"]


@pytest.mark.setting("governance_index.groups.handling", "governance_index.indicators.closure_rate")
def test_changing_a_weight_in_the_profile_changes_the_index(db, app, known):
    groups = {**TEST_INDEX["groups"], "handling": {"name": "事件处置", "weight": 20},
              "people": {"name": "群众满意", "weight": 60}}
    result = _index(db, app, "city_admin", known.grid, profile=_profile(app, groups=groups))
    assert result["total"]["index"] == round(0.2 * (0.5 * 75 + 0.25 * 100 / 3 + 0.25 * 50) + 0.6 * 30 + 0.2 * 90, 1)
    indicators = {**TEST_INDEX["indicators"],
                  "closure_rate": {"group": "handling", "weight": 50, "best": 1, "worst": 0.5},  # 0.75 → 50
                  "house_occupancy_rate": {"group": "base", "weight": 50, "best": 0.9, "worst": 0.4}}  # 0.8 → 80
    result = _index(db, app, "city_admin", known.grid, profile=_profile(app, indicators=indicators))
    assert _indicators(result["total"])["closure_rate"]["score"] == 50.0
    assert result["total"]["index"] == round(0.5 * (0.5 * 50 + 0.25 * 100 / 3 + 0.25 * 50) + 0.3 * 30 + 0.2 * 90, 1)


@pytest.mark.setting("governance_index.safety_categories", "governance_index.name")
def test_the_safety_categories_and_the_name_come_from_the_profile(db, app, known):
    result = _index(db, app, "city_admin", known.grid, profile=_profile(app, safety_categories=["dispute"],
                                                                        name="平安指数"))
    assert _indicators(result["total"])["safety_cases_per_mille"]["numerator"] == 1
    assert result["definition"]["name"] == "平安指数"


def _case_nos(client, url: str) -> set[str]:
    r = client.get(url + "&page_size=200")
    assert r.status_code == 200, (url, r.text)
    return {c["case_no"] for c in r.json()["items"]}


def test_each_indicators_link_lists_exactly_its_cases(db, app, known, client_as):
    result = _index(db, app, "city_admin", known.grid)
    found = _indicators(result["total"])
    c = client_as("city_admin")
    no = {k: v.case_no for k, v in known.cases.items()}
    expect = {
        "closure_rate": [{no["dispute"], no["security"], no["sanitation"]},
                         {no["dispute"], no["security"], no["fire"], no["sanitation"]}],
        "rework_rate": [{no["security"]}, {no["dispute"], no["security"], no["sanitation"]}],
        "satisfaction_rate": [{no["dispute"]}, {no["dispute"], no["security"]}],
    }
    for code, sets in expect.items():
        links = [link["url"] for link in found[code]["links"]]
        assert [_case_nos(c, u) for u in links] == sets, code
        assert [len(s) for s in sets] == [found[code]["numerator"], found[code]["denominator"]]
    visits = [link["url"] for link in found["visit_completion_rate"]["links"]]
    assert len(visits) == 1 and c.get(visits[0]).json()["total"] == 1  # the one visit of the grid
    houses = [link["url"] for link in found["house_occupancy_rate"]["links"]]
    assert {c.get(u).json()["total"] for u in houses} == {5}
    safety = [link["url"] for link in found["safety_cases_per_mille"]["links"] if "/cases" in link["url"]]
    assert set().union(*(_case_nos(c, u) for u in safety)) == {no["security"], no["fire"]}


def test_a_county_user_sees_its_county_only_and_another_county_is_missing(db, app, known):
    mine = _index(db, app, "county_dispatcher", None)
    assert mine["area"]["code"] == known.grid[:6] + "000000"
    assert _indicators(mine["total"])["closure_rate"]["denominator"] == 4  # grid2's case is not counted
    with pytest.raises(NotFound):
        _index(db, app, "county_dispatcher", known.grid2)
    with pytest.raises(NotFound):
        _index(db, app, "county_dispatcher", known.grid2[:6] + "000000")
    dept = _index(db, app, "dept_cg", None)  # a department counts the cases it leads (none here), no register
    assert _indicators(dept["total"])["closure_rate"]["denominator"] == 0
    assert _indicators(dept["total"])["house_occupancy_rate"]["denominator"] == 0


@pytest.mark.parametrize(("args", "message"), [
    ({"date_from": "2031-13-01"}, "开始日期应为 YYYY-MM-DD"),
    ({"date_to": "yesterday"}, "结束日期应为 YYYY-MM-DD"),
    ({"date_from": "2031-03-01", "date_to": "2031-01-01"}, "开始日期不能晚于结束日期"),
    ({"date_from": "2028-01-01", "date_to": "2031-01-01"}, "不能超过 24 个月"),
])
def test_bad_periods_are_refused_in_chinese(db, app, known, args, message):
    with pytest.raises(Invalid, match=message):
        _index(db, app, "city_admin", known.grid, **{"date_from": "2031-01-01", "date_to": "2031-02-28", **args})


def test_the_api_answers_the_same_and_refuses_bad_values(db, app, known, client_as):
    c = client_as("city_admin")
    app.state.profile = _profile(app)
    r = c.get("/api/v1/index", params={"area": known.grid, "from": "2031-01-01", "to": "2031-02-28"})
    assert r.status_code == 200, r.text
    assert _groups(r.json()["total"]).keys() == HAND["groups"].keys()
    bad = c.get("/api/v1/index", params={"area": "32x", "from": "2031-01-01", "to": "2031-01-31"})
    assert bad.status_code == 422 and "区域应为" in bad.json()["detail"]
    late = c.get("/api/v1/index", params={"from": "2031-02-01", "to": "2031-01-01"})
    assert late.status_code == 422 and late.json()["detail"] == "开始日期不能晚于结束日期"
    outside = client_as("county_dispatcher").get("/api/v1/index", params={"area": known.grid2})
    assert outside.status_code == 404
    assert client_as("worker").get("/api/v1/index").status_code == 403


def test_the_page_shows_the_index_the_areas_and_the_links(db, app, known, client_as):
    app.state.profile = _profile(app)
    c = client_as("city_admin")
    village = known.grid[:12]
    r = c.get("/index", params={"area": village, "from": "2031-01-01", "to": "2031-02-28"},
              headers={"accept": "text/html"})
    assert r.status_code == 200, r.text
    assert f'data-area="{known.grid}"' in r.text and 'id="index-chart-data"' in r.text
    assert f"/cases/mine?grid={known.grid}&amp;from=2031-01-01&amp;to=2031-02-28&amp;kpi=closed" in r.text
    assert "<script>" not in r.text
    listed = c.get(f"/cases/mine?grid={known.grid}&from=2031-01-01&to=2031-02-28&kpi=reworked",
                   headers={"accept": "text/html"})
    assert listed.status_code == 200 and known.cases["security"].case_no in listed.text
    assert known.cases["dispute"].case_no not in listed.text
