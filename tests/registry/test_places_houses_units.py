"""Houses (with occupants and rentals) and units (GB 32100 code, masked contact, dedicated grid), and
who sees them: a worker its grid, another town's worker nothing (404), a department nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Grid, User
from gridgov.models.registry import Person, Unit
from gridgov.registry.rules import id_check_digit

from ..conftest import TEST_SECRET_KEY
from .places_common import new_address, places_of, uscc


@pytest.fixture
def places(db):
    return places_of(db)


def _person(db, name: str, first17: str, scope: str, house_id: int | None = None) -> tuple[Person, str]:
    cipher, now = FieldCipher(TEST_SECRET_KEY), utc_now()
    number = first17 + id_check_digit(first17)
    person = Person(name=name, id_number_enc=cipher.encrypt(number), id_number_index=cipher.blind_index(number),
                    id_number_mask="*" * 14 + number[-4:], scope_code=scope, house_id=house_id, created_at=now,
                    updated_at=now)
    db.add(person)
    db.commit()
    return person, number


def test_a_house_at_an_address_with_its_occupants_masked_and_its_rentals(client_as, db, places):
    worker = client_as("worker")
    address = new_address(worker, db, places.grid, road="槐树街", house_no="3")
    r = worker.post("/api/v1/houses", json={"address_id": address["id"], "usage": "rented", "owner_name": "赵某"})
    assert r.status_code == 201, r.text
    house = r.json()
    assert house["scope_code"] == places.grid and house["usage_label"] == "出租"
    assert house["address"] == address["canonical"]
    again = worker.post("/api/v1/houses", json={"address_id": address["id"]})
    assert again.status_code == 409 and str(house["id"]) in again.json()["detail"]
    occupant, number = _person(db, "钱多多", "32110219900101123", places.grid, house["id"])
    tenant, _ = _person(db, "孙租客", "32110219920202234", places.grid)
    r = worker.post(f"/api/v1/houses/{house['id']}/rentals",
                    json={"tenant_person_id": tenant.id, "start_on": "2026-01-01", "end_on": "2026-12-31"})
    assert r.status_code == 201, r.text
    detail = worker.get(f"/api/v1/houses/{house['id']}")
    body = detail.json()
    assert body["occupants"] == [{"id": occupant.id, "name": "钱多多", "id_number_mask": "*" * 14 + number[-4:]}]
    assert number not in detail.text and number[:14] not in detail.text
    assert [(x["tenant_name"], x["start_on"]) for x in body["rentals"]] == [("孙租客", "2026-01-01")]
    bad = worker.post(f"/api/v1/houses/{house['id']}/rentals", json={"start_on": "2026-01-01"})
    assert bad.status_code == 422
    assert worker.get("/api/v1/houses", params={"usage": "rented"}).json()["total"] == 1
    assert worker.get("/api/v1/houses", params={"usage": "vacant"}).json()["total"] == 0
    assert worker.get("/api/v1/houses", params={"address": address["id"]}).json()["items"][0]["id"] == house["id"]
    shown = worker.get(f"/api/v1/addresses/{address['id']}").json()
    assert shown["house_id"] == house["id"] and shown["people"] == 1


def test_units_check_their_code_mask_their_contact_and_may_host_a_dedicated_grid(client_as, db, places):
    worker = client_as("worker")
    address = new_address(worker, db, places.grid, road="工业路", house_no="9")
    code = uscc("91321102MA1T2B3C4")
    base = {"name": "镇江某某有限公司", "address_id": address["id"], "contact_name": "周经理",
            "contact_phone": "13812345678"}
    bad = worker.post("/api/v1/units", json={**base, "uscc": code[:17] + ("0" if code[17] != "0" else "1")})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "uscc" and "校验位" in bad.json()["detail"]
    r = worker.post("/api/v1/units", json={**base, "uscc": code.lower()})  # lowercase letters are the same code
    assert r.status_code == 201, r.text
    unit = r.json()
    assert unit["uscc"] == code and unit["contact_phone_mask"] == "138****5678" and "13812345678" not in r.text
    stored = db.scalar(select(Unit).where(Unit.id == unit["id"]))
    assert FieldCipher(TEST_SECRET_KEY).decrypt(stored.contact_phone_enc) == "13812345678"
    dup = worker.post("/api/v1/units", json={**base, "name": "另一家", "uscc": code})
    assert dup.status_code == 409 and "镇江某某有限公司" in dup.json()["detail"]
    assert worker.get("/api/v1/units", params={"uscc": code.lower()}).json()["items"][0]["id"] == unit["id"]
    assert worker.get("/api/v1/units", params={"q": "某某"}).json()["total"] == 1
    # a dedicated grid in the jurisdiction, or nothing
    not_dedicated = worker.post("/api/v1/units", json={**base, "name": "园区", "dedicated_grid_code": places.grid})
    assert not_dedicated.status_code == 422
    db.execute(update(Grid).where(Grid.code == places.grid).values(kind="dedicated"))
    db.commit()
    hosted = worker.post("/api/v1/units", json={**base, "name": "园区", "dedicated_grid_code": places.grid})
    assert hosted.status_code == 201 and hosted.json()["dedicated_grid_code"] == places.grid
    db.execute(update(Grid).where(Grid.code == places.grid2).values(kind="dedicated"))
    db.commit()
    outside = worker.post("/api/v1/units", json={**base, "name": "外园区", "dedicated_grid_code": places.grid2})
    assert outside.status_code == 422
    assert worker.get(f"/api/v1/addresses/{address['id']}").json()["units"][0]["contact_phone_mask"] == "138****5678"


def test_another_towns_worker_gets_404_and_a_department_sees_nothing(client_as, db, places):
    worker = client_as("worker")
    address = new_address(worker, db, places.grid, road="桂花路", house_no="5")
    house = worker.post("/api/v1/houses", json={"address_id": address["id"]}).json()
    unit = worker.post("/api/v1/units", json={"name": "桂花商店", "address_id": address["id"], "kind": "individual"}
                       ).json()
    for name in ("worker2", "dept_cg"):
        other = client_as(name)
        for path in (f"/api/v1/addresses/{address['id']}", f"/api/v1/houses/{house['id']}",
                     f"/api/v1/units/{unit['id']}"):
            r = other.get(path)
            assert r.status_code == 404, (name, path, r.status_code)
        for path in ("/api/v1/addresses", "/api/v1/houses", "/api/v1/units"):
            body = other.get(path).json()
            assert body["total"] == 0 and body["items"] == [], (name, path)
    # the department's county holds the address, yet it sees none of the register (no profile grant)
    assert places.grid.startswith(db.scalar(select(User.scope_code).where(User.username == "dept_cg"))[:6])
    worker2 = client_as("worker2")
    assert worker2.post("/api/v1/houses", json={"address_id": address["id"]}).status_code == 404
    assert worker2.post("/api/v1/units", json={"name": "x", "address_id": address["id"]}).status_code == 404
    assert worker2.post(f"/api/v1/houses/{house['id']}/rentals",
                        json={"tenant_unit_id": unit["id"], "start_on": "2026-01-01"}).status_code == 404
    # inside: the town sees them, a reader may not write
    town = client_as("town_dispatcher")
    assert town.get(f"/api/v1/houses/{house['id']}").status_code == 200
    assert town.post("/api/v1/houses", json={"address_id": address["id"]}).status_code == 403


def test_a_case_may_name_a_visible_address(client_as, db, places):
    worker = client_as("worker")
    address = new_address(worker, db, places.grid, road="银杏路", house_no="7")
    case = {"title": "路灯不亮", "category": "zj12_02", "source": "patrol", "grid_code": places.grid,
            "address": "银杏路 7 号"}
    r = worker.post("/api/v1/cases", json={**case, "address_id": address["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["address_id"] == address["id"] and r.json()["address_text"] == address["canonical"]
    shown = client_as("town_dispatcher").get(f"/api/v1/cases/{r.json()['case_no']}").json()
    assert shown["address_text"] == address["canonical"]
    other = new_address(client_as("worker2"), db, places.grid2, road="外城路", house_no="1")
    refused = worker.post("/api/v1/cases", json={**case, "address_id": other["id"]})
    assert refused.status_code == 422 and "标准地址" in refused.json()["detail"]
    missing = worker.post("/api/v1/cases", json={**case, "address_id": 2_000_000_000})
    assert missing.status_code == 422 and missing.json()["detail"] == refused.json()["detail"].replace(
        str(other["id"]), "2000000000")
