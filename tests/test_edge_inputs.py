"""Inputs at the edges that used to answer 500: an all-zero area code for the case categories, and
points at the edge of the world in every coordinate system."""

from __future__ import annotations

import itertools

import pytest


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
