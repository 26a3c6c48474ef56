"""Who reads which figures: ``GET /api/v1/stats/cases`` for each role, in its own jurisdiction
and outside it (an area outside = 404 like a missing one; a role without analysis.read = 403),
with the cases each role's figures count written here by hand."""

from __future__ import annotations

import pytest

from ..analysis.scenario import Desk, at

# (role, its figures' reported total, status for the other county, for its own county, for the demo town)
MATRIX = [
    ("city_admin", 2, 200, 200, 200),
    ("county_dispatcher", 1, 404, 200, 200),
    ("town_dispatcher", 1, 404, 404, 200),
    ("leader", 1, 404, 404, 404),
    ("dept_cg", 1, 404, 200, 200),
    ("dept_sc", 0, 404, 200, 200),
    ("worker", None, 403, 403, 403),
    ("auditor", None, 403, 403, 403),
    ("security_admin", None, 403, 403, 403),
]


@pytest.fixture
def two_counties(db, tmp_path):
    desk = Desk(db, tmp_path / "media")
    first = desk.report("worker", now=at(11, 2, 9))
    desk.to_department(first, (11, 2))  # led by dept_cg
    second = desk.report("worker2", now=at(11, 2, 9), grid=desk.places.grid2)
    db.flush()
    return desk.places, {first, second}


@pytest.mark.parametrize(("role", "reported", "other", "county", "town"), MATRIX)
def test_each_role_reads_the_figures_of_its_jurisdiction_only(two_counties, client_as, role, reported, other,
                                                              county, town):
    places, _numbers = two_counties
    client = client_as(role)
    base = {"from": "2026-11-01", "to": "2026-11-30"}
    r = client.get("/api/v1/stats/cases", params={**base, "group_by": "grid"})
    if reported is None:
        assert r.status_code == 403, r.text
        assert r.json()["detail"]
    else:
        assert r.status_code == 200, r.text
        totals = r.json()["totals"]
        assert totals["reported"] == reported
        listed = client.get(f"{totals['cases_url']}&page_size=200").json()
        assert listed["total"] == reported  # the link lists what the figure counts, no more
    for area, want in ((places.county2, other), (places.county, county), (places.town, town)):
        r = client.get("/api/v1/stats/cases", params={**base, "group_by": "area", "area": area})
        assert r.status_code == want, (role, area, r.text)
        if want == 404:
            assert r.json()["detail"] == f"区划 {area} 不存在或不在你的辖区内"


def test_a_missing_area_answers_like_one_outside(client):
    r = client.get("/api/v1/stats/cases", params={"area": "321102099000"})
    assert r.status_code == 404 and r.json()["detail"] == "区划 321102099000 不存在或不在你的辖区内"


@pytest.mark.parametrize(("params", "field"), [
    ({"group_by": "county"}, "group_by"),
    ({"area": "3211"}, "area"),
    ({"area": "321100000001"}, "area"),
    ({"from": "2026-13-01"}, "from"),
    ({"to": "tomorrow"}, "to"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
])
def test_bad_values_are_422_in_chinese_per_field(client, params, field):
    r = client.get("/api/v1/stats/cases", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert "统计条件有误" in body["detail"]


@pytest.mark.parametrize(("params", "field"), [
    ({"kpi": "closed;drop"}, "kpi"), ({"kpi": "a,b,c,d,e"}, "kpi"), ({"worker": "张三"}, "worker"),
    ({"lead": "a b"}, "lead"), ({"matter": "x" * 41}, "matter"),
])
def test_the_figures_filters_of_the_case_list_refuse_bad_values(client, params, field):
    r = client.get("/api/v1/cases", params=params)
    assert r.status_code == 422, r.text
    assert field in r.text
