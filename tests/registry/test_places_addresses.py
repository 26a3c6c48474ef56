"""Standard addresses (issue 15): one canonical text, a stable code, duplicates refused with the one
on file named, points in WGS84/GCJ-02/BD-09 located to their grid, search within the jurisdiction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from gridgov.models import AuditEntry
from gridgov.models.registry import Address
from gridgov.registry.places_rules import canonical_part, canonical_text

from .places_common import new_address, places_of, point_in


@pytest.fixture
def places(db):
    return places_of(db)


def test_the_canonical_text_folds_widths_spaces_and_suffixes():
    names = ["京口区", "高河街道", "高山社区"]
    typed = canonical_text(names, {"road": " 解放路 ", "house_no": "１２号", "building": "3幢", "unit": "2 单元",
                                   "room": "301"})
    plain = canonical_text(names, {"road": "解放路", "house_no": "12", "building": "3号楼", "unit": "2",
                                   "room": "301室"})
    assert typed == plain == "京口区高河街道高山社区解放路12号3栋2单元301室"
    assert canonical_part("building", "ａ座") == "A栋" and canonical_part("room", "") == ""


def test_an_address_gets_its_code_its_grid_and_one_canonical_text(client_as, db, places):
    worker = client_as("worker")
    made = new_address(worker, db, places.grid, road="解放路", house_no="１２", building="3幢", unit="2", room="301")
    assert made["grid_code"] == places.grid and made["scope_code"] == places.grid
    assert made["code"].startswith(places.village + "-") and made["canonical"].endswith("解放路12号3栋2单元301室")
    second = new_address(worker, db, places.grid, road="解放路", house_no="14")
    assert int(second["code"].rsplit("-", 1)[1]) == int(made["code"].rsplit("-", 1)[1]) + 1  # the village's next
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "address_created",
                                               AuditEntry.object_id == str(made["id"])))
    assert entry is not None and entry.area_code == places.village


def test_a_duplicate_is_refused_naming_the_one_on_file(client_as, db, places):
    worker = client_as("worker")
    made = new_address(worker, db, places.grid, road="解放路", house_no="12", building="3", unit="2", room="301")
    lon, lat = point_in(db, places.grid)
    again = {"area_code": places.village, "road": "解放路 ", "house_no": "１２号", "building": "3幢",
             "unit": "2单元", "room": "301室", "lon": lon, "lat": lat}
    before = db.scalar(select(Address.id).order_by(Address.id.desc()).limit(1))
    r = worker.post("/api/v1/addresses", json=again)
    assert r.status_code == 409, r.text
    assert made["code"] in r.json()["detail"] and made["canonical"] in r.json()["detail"]
    assert r.json()["errors"][0]["code"] == made["code"]
    assert db.scalar(select(Address.id).order_by(Address.id.desc()).limit(1)) == before  # nothing written


@pytest.mark.parametrize("crs, convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_a_point_in_gcj02_or_bd09_is_stored_in_wgs84_and_located_to_its_grid(client_as, db, places, crs, convert):
    lon, lat = point_in(db, places.grid)
    x, y = convert(lon, lat)
    assert abs(x - lon) + abs(y - lat) > 1e-4  # the systems differ here
    r = client_as("worker").post("/api/v1/addresses", json={"area_code": places.village, "road": "和平路",
                                                             "house_no": "8", "lon": x, "lat": y, "crs": crs})
    assert r.status_code == 201, r.text
    body = r.json()
    assert abs(body["lon"] - lon) < 1e-6 and abs(body["lat"] - lat) < 1e-6
    assert body["grid_code"] == places.grid


def test_where_an_address_may_be_registered(client_as, db, places):
    worker = client_as("worker")
    lon, lat = point_in(db, places.grid2)
    # another town's village: missing
    r = worker.post("/api/v1/addresses", json={"area_code": places.grid2[:12], "road": "外路", "house_no": "1",
                                               "lon": lon, "lat": lat})
    assert r.status_code == 404
    # the own village, a point in another town's grid: refused
    r = worker.post("/api/v1/addresses", json={"area_code": places.village, "road": "外路", "house_no": "1",
                                               "lon": lon, "lat": lat})
    assert r.status_code == 422 and "村（社区）" in r.json()["detail"]
    # a worker without a point or a grid: the village is not its jurisdiction
    r = worker.post("/api/v1/addresses", json={"area_code": places.village, "road": "无点路", "house_no": "1"})
    assert r.status_code == 422 and "辖区" in r.json()["detail"]
    # naming its grid instead of a point
    r = worker.post("/api/v1/addresses", json={"area_code": places.village, "road": "无点路", "house_no": "1",
                                               "grid_code": places.grid})
    assert r.status_code == 201 and r.json()["scope_code"] == places.grid and r.json()["lon"] is None
    # an agency, no point: the address lies in the village
    r = client_as("city_admin").post("/api/v1/addresses", json={"area_code": places.village, "road": "村路",
                                                                       "house_no": "2"})
    assert r.status_code == 201 and r.json()["scope_code"] == places.village and r.json()["grid_code"] is None
    # a town is no village
    r = client_as("city_admin").post("/api/v1/addresses", json={"area_code": places.town, "road": "镇路",
                                                                       "house_no": "2"})
    assert r.status_code == 422
    # no road and no number
    assert worker.post("/api/v1/addresses", json={"area_code": places.village, "grid_code": places.grid}
                       ).status_code == 422


def test_search_by_text_within_the_jurisdiction_paged(client_as, db, places):
    worker, worker2 = client_as("worker"), client_as("worker2")
    for n in range(1, 6):
        new_address(worker, db, places.grid, road="梧桐巷", house_no=str(n))
    other = new_address(worker2, db, places.grid2, road="梧桐巷", house_no="1")
    body = worker.get("/api/v1/addresses", params={"q": "梧桐巷", "page_size": 2}).json()
    assert set(body) == {"items", "total", "page", "page_size"} and body["total"] == 5 and len(body["items"]) == 2
    assert worker.get("/api/v1/addresses", params={"q": "梧桐巷 ３号"}).json()["total"] == 1  # folded like the text
    assert worker.get("/api/v1/addresses", params={"q": "梧桐巷", "page": 3, "page_size": 2}).json()["items"]
    ids = {a["id"] for p in (1, 2, 3) for a in
           worker.get("/api/v1/addresses", params={"q": "梧桐巷", "page": p, "page_size": 2}).json()["items"]}
    assert len(ids) == 5 and other["id"] not in ids
    assert worker.get("/api/v1/addresses", params={"grid": places.grid2}).json()["total"] == 0
    assert worker2.get("/api/v1/addresses", params={"q": "梧桐巷"}).json()["total"] == 1
    assert client_as("town_dispatcher").get("/api/v1/addresses", params={"q": "梧桐巷"}).json()["total"] == 5
    assert client_as("city_admin").get("/api/v1/addresses", params={"q": "梧桐巷"}).json()["total"] == 6
    assert worker.get("/api/v1/addresses", params={"q": "%"}).json()["total"] == 0  # a LIKE wildcard is text
