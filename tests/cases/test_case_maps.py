"""Case maps with context, on both databases: every case map carries its user's grid outlines (from the
scoped GeoJSON API), the case page maps the case's grid and point, the report form has a pin map, and the
tile layer is the configured one or none (no request leaves the machine)."""

from __future__ import annotations

import json
import re

import pytest
from shapely.geometry import Point, shape

from gridgov.accounts.demo import demo_places

from .test_cases_pages import page, post

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def map_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert found, "页面没有地图配置"
    return json.loads(found.group(1))


def test_the_overview_map_carries_the_jurisdictions_grid_outlines(client_as, places):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    config = map_config(page(town, "/cases/overview"))
    assert config["grids"] == f"/api/v1/areas/{places.town}/grids.geojson" and config["tile_url"] == ""
    codes = [f["properties"]["code"] for f in town.get(config["grids"]).json()["features"]]
    assert codes and places.grid in codes and all(c.startswith(places.town[:9]) for c in codes)
    assert places.grid2 not in codes
    # A worker's map shows its own grid (the API scopes the outlines like every read).
    mine = map_config(page(worker, "/cases/overview"))["grids"]
    assert [f["properties"]["code"] for f in worker.get(mine).json()["features"]] == [places.grid]


def test_the_case_page_maps_the_cases_grid_and_point(client_as, places):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    grid = worker.get(f"/api/v1/grids/{places.grid}").json()
    point = shape(grid["geometry"]).representative_point()
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = post(worker, "/cases/new", {"title": "路灯不亮", "category": category, "source": "visit",
                                    "lon": f"{point.x:.7f}", "lat": f"{point.y:.7f}"})
    no = r.headers["location"].split("/")[2].split("?")[0]
    html = page(town, f"/cases/{no}")
    assert 'id="case-place-map"' in html and "js/casemaps.js" in html and "vendor/leaflet/leaflet.js" in html
    config = map_config(html)
    assert config["grid"] == f"/api/v1/grids/{places.grid}"
    assert config["point"] == pytest.approx([point.x, point.y], abs=1e-6)
    outline = shape(town.get(config["grid"]).json()["geometry"])
    assert outline.contains(Point(*config["point"]))


def test_a_case_without_coordinates_maps_its_grid_only(client_as, places):
    worker = client_as("worker")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = post(worker, "/cases/new", {"title": "楼道堆物", "category": category, "source": "visit",
                                    "grid_code": places.grid, "address": "解放路 12 号"})
    no = r.headers["location"].split("/")[2].split("?")[0]
    html = page(worker, f"/cases/{no}")
    config = map_config(html)
    assert config["point"] is None and config["grid"] == f"/api/v1/grids/{places.grid}"
    assert "未登记坐标，地图只显示所在网格" in html


def test_the_report_form_has_a_pin_map_over_the_users_grids(client_as, places):
    worker = client_as("worker")
    html = page(worker, "/cases/new")
    assert 'id="report-map"' in html and 'id="pin-grid"' in html and "js/casemaps.js" in html
    config = map_config(html)
    assert config["grids"] == f"/api/v1/areas/{places.grid[:12]}/grids.geojson"
    assert [f["properties"]["code"] for f in worker.get(config["grids"]).json()["features"]] == [places.grid]


def test_case_maps_use_the_configured_tile_server_only(app, client_as, places):
    town = client_as("town_dispatcher")
    app.state.settings = app.state.settings.model_copy(update={"tile_url": "/tiles/{z}/{x}/{y}.png",
                                                               "tile_attribution": "本地底图"})
    for url in ("/cases/overview", "/cases/new"):
        config = map_config(page(town, url))
        assert config["tile_url"] == "/tiles/{z}/{x}/{y}.png" and config["tile_attribution"] == "本地底图"
