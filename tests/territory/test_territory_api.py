"""The territory JSON API as a client sees it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from gridgov.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from gridgov.models import Grid

from .territory_data import box, grid, small_city

CITY = "321100000000"


def test_health_answers_when_the_database_is_up(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["profile"] == "zhenjiang"


def test_areas_list_children_of_a_parent(client):
    top = client.get("/api/v1/areas").json()
    assert [a["code"] for a in top] == [CITY]
    counties = client.get("/api/v1/areas", params={"parent": CITY}).json()
    assert len(counties) == 3 and all(a["level"] == "county" and a["parent_code"] == CITY for a in counties)
    assert all(a["children"] > 0 for a in counties)


def test_an_unknown_area_or_grid_is_a_404_in_chinese(client):
    r = client.get("/api/v1/areas", params={"parent": "329999000000"})
    assert r.status_code == 404 and "不存在" in r.json()["detail"]
    r = client.get("/api/v1/grids/321199999999001")
    assert r.status_code == 404 and "不存在" in r.json()["detail"]


def test_grids_are_listed_by_area_searched_and_paged(client):
    county = client.get("/api/v1/areas", params={"parent": CITY}).json()[0]["code"]
    page1 = client.get("/api/v1/grids", params={"area": county, "page": 1, "page_size": 20}).json()
    assert page1["total"] > 100 and len(page1["items"]) == 20
    assert all(g["code"].startswith(county[:6]) for g in page1["items"])
    page2 = client.get("/api/v1/grids", params={"area": county, "page": 2, "page_size": 20}).json()
    assert not {g["code"] for g in page1["items"]} & {g["code"] for g in page2["items"]}
    one = page1["items"][3]
    found = client.get("/api/v1/grids", params={"q": one["name"]}).json()
    assert one["code"] in [g["code"] for g in found["items"]] and found["total"] < page1["total"]


def test_a_grid_comes_with_its_geometry_and_area_chain(client):
    code = client.get("/api/v1/grids", params={"page_size": 1}).json()["items"][0]["code"]
    g = client.get(f"/api/v1/grids/{code}").json()
    assert g["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert [a["level"] for a in g["area_chain"]] == ["city", "county", "town", "village"]
    assert g["area_chain"][-1]["code"] == code[:12]


def test_locate_takes_wgs84_gcj02_and_bd09(client):
    code = client.get("/api/v1/grids", params={"page_size": 1, "page": 7}).json()["items"][0]["code"]
    g = client.get(f"/api/v1/grids/{code}").json()
    import shapely.geometry

    point = shapely.geometry.shape(g["geometry"]).representative_point()
    for crs, (lon, lat) in {
        "wgs84": (point.x, point.y),
        "gcj02": wgs84_to_gcj02(point.x, point.y),
        "bd09": wgs84_to_bd09(point.x, point.y),
    }.items():
        r = client.get("/api/v1/grids/locate", params={"lon": float(lon), "lat": float(lat), "crs": crs})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["found"] and body["grid_code"] == code, (crs, body)
        assert body["grid_name"] == g["name"]
        assert [a["name"] for a in body["area_chain"]] == [a["name"] for a in g["area_chain"]]


def test_locate_outside_every_grid_is_a_clear_answer(client):
    r = client.get("/api/v1/grids/locate", params={"lon": 100.0, "lat": 40.0})
    assert r.status_code == 200 and r.json() == {**r.json(), "found": False, "grid_code": None}
    assert "不在你辖区内的网格内" in r.json()["message"]


def test_bad_query_parameters_are_a_422_in_chinese(client):
    r = client.get("/api/v1/grids/locate", params={"lon": "abc", "lat": 32})
    assert r.status_code == 422 and "lon" in r.json()["detail"] and "应为数字" in r.json()["detail"]
    r = client.get("/api/v1/grids/locate", params={"lon": 119, "lat": 32, "crs": "mars"})
    assert r.status_code == 422 and "crs" in r.json()["detail"]
    r = client.get("/api/v1/grids/locate", params={"lon": 200, "lat": 32})
    assert r.status_code == 422


def _village_in_demo_town(*grids_: dict) -> dict:
    """A new village 321102001990 under the demo city's first town, with the given grids."""
    village = "321102001990"
    feats = [{"type": "Feature", "properties": {"layer": "area", "code": village, "name": "新建社区"},
              "geometry": box(0, 0, 4, 2)}]
    for g in grids_:
        g = json.loads(json.dumps(g))
        g["properties"]["code"] = village + g["properties"]["code"][-3:]
        feats.append(g)
    return {"type": "FeatureCollection", "features": feats}


def test_import_through_the_api_is_all_or_nothing(client, db):
    bad = _village_in_demo_town(grid(1, box(0, 0, 2, 2)), grid(2, box(2, 0, 4, 2), kind="castle"))
    r = client.post("/api/v1/grids/import", content=json.dumps(bad), headers={"content-type": "application/geo+json"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"index": 2, "code": "321102001990002", "reason": r.json()["errors"][0]["reason"]}]
    assert "castle" in r.json()["errors"][0]["reason"]
    assert db.scalar(select(func.count()).select_from(Grid).where(Grid.code.startswith("321102001990"))) == 0
    good = _village_in_demo_town(grid(1, box(0, 0, 2, 2)), grid(2, box(2, 0, 4, 2)))
    r = client.post("/api/v1/grids/import", files={"file": ("city.geojson", json.dumps(good).encode())})
    assert r.status_code == 200 and r.json()["grids_created"] == 2
    r = client.post("/api/v1/grids/import", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "不是有效的 JSON" in r.json()["detail"]


def test_an_import_outside_the_importers_jurisdiction_is_refused_feature_by_feature(client):
    r = client.post("/api/v1/grids/import", content=json.dumps(small_city()),
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert len(r.json()["errors"]) == 6 and all("不在你的管辖范围" in e["reason"] for e in r.json()["errors"])


def test_only_roles_with_the_import_permission_may_import(client_as):
    r = client_as("town_dispatcher").post("/api/v1/grids/import", content=json.dumps(small_city()))
    assert r.status_code == 403 and "无权" in r.json()["detail"]


def test_export_of_an_area_is_geojson(client):
    county = client.get("/api/v1/areas", params={"parent": CITY}).json()[0]["code"]
    r = client.get("/api/v1/grids/export", params={"area": county})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    layers = {f["properties"]["layer"] for f in r.json()["features"]}
    assert layers == {"area", "grid"}


def test_the_coverage_report_of_a_county(client):
    county = client.get("/api/v1/areas", params={"parent": CITY}).json()[0]["code"]
    body = client.get(f"/api/v1/areas/{county}/coverage").json()
    assert body["grids_checked"] > 100 and body["overlaps"] == [] and body["gaps"] == []


def test_the_openapi_document_is_served(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/grids/locate" in spec["paths"]
