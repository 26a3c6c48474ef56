"""Inputs at the edges that used to answer 500: an all-zero area code for the case categories, and
points at the edge of the world in every coordinate system."""

from __future__ import annotations

import itertools

import pytest

from gridgov.accounts.demo import demo_places


def test_an_impossible_place_for_case_categories_is_a_422(client_as):
    worker = client_as("worker")
    for place in ("000000000000", "000000000000000", "321100000000000000"):
        r = worker.get("/api/v1/case-categories", params={"place": place})
        assert r.status_code in (200, 422), (place, r.status_code, r.text)
    r = worker.get("/api/v1/case-categories", params={"place": "000000000000"})
    assert r.status_code == 422 and r.json()["code"] == "invalid" and "全为零" in r.json()["detail"]


@pytest.mark.parametrize("crs", ["bd09", "gcj02", "wgs84"])
def test_locate_at_the_edges_of_the_world_answers_without_a_500(client, crs):
    for lon, lat in itertools.product((-180, -179.999, 0, 179.999, 180), (-90, -89.999, 0, 89.999, 90)):
        for date in (None, "2026-01-01"):
            params = {"lon": lon, "lat": lat, "crs": crs} | ({"date": date} if date else {})
            r = client.get("/api/v1/grids/locate", params=params)
            assert r.status_code in (200, 422), (params, r.status_code, r.text)
            if r.status_code == 200:
                assert r.json()["found"] is False
            else:
                assert "经纬度" in r.json()["detail"]


@pytest.mark.parametrize("days", [251, 10**6, 10**12])
def test_a_matters_time_limit_past_any_rule_is_refused(db, anonymous, client_as, days):
    """A matter's own limits come from a request: a year of working days is the most (the clock's
    arithmetic ran for ever, or overflowed, on 10^12 working days)."""
    from ..catalogue.test_catalogue_api import body, county_list, ensure

    places = demo_places(db, "321100000000")
    ensure(db, "zhenjiang", places.county)
    cat = county_list(anonymous, places.county)
    r = client_as("dept_cg").post("/api/v1/catalogue/applications",
                                  json=body(cat["id"], "x", limits={"handling_working_days": days}))
    assert r.status_code == 422 and "部门办理时限" in r.json()["detail"], r.text


def test_nan_and_infinity_are_not_json(client_as):
    worker = client_as("worker")
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        r = worker.post("/api/v1/cases", content=b'{"title": "x", "lon": ' + literal + b', "lat": 32.1}',
                        headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and "NaN" in r.json()["detail"], r.text
