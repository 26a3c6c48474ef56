"""The pages of addresses, houses and units: the list and its search, the form (a duplicate re-shown
with the one on file named), an address's page, a house's page (masked occupants), the unit pages,
the menu group 基础信息, and 404 outside the jurisdiction."""

from __future__ import annotations

import re

import pytest

from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models.registry import Person
from gridgov.registry.rules import id_check_digit

from ..conftest import TEST_SECRET_KEY
from ..web.test_navigation import menu_links
from .places_common import new_address, places_of, point_in, uscc

HTML = {"accept": "text/html"}


@pytest.fixture
def places(db):
    return places_of(db)


def test_the_address_pages_list_search_register_and_refuse_a_duplicate(client_as, db, places):
    worker = client_as("worker")
    made = new_address(worker, db, places.grid, road="枫林路", house_no="21")
    new_address(client_as("worker2"), db, places.grid2, road="枫林路", house_no="21")
    page = worker.get("/registry/addresses", params={"q": "枫林路"}, headers=HTML)
    assert page.status_code == 200
    assert re.search(r'id="address-total" data-total="1"', page.text) and made["canonical"] in page.text
    assert set(re.findall(r'data-scope="(\d+)"', page.text)) == {places.grid}
    fragment = worker.get("/registry/addresses", params={"q": "枫林"}, headers={**HTML, "HX-Request": "true"})
    assert "<html" not in fragment.text and made["code"] in fragment.text
    lon, lat = point_in(db, places.grid)
    form = {"area_code": places.village, "road": "枫林路", "house_no": "２１号", "lon": str(lon), "lat": str(lat),
            "crs": "wgs84", "grid_code": places.grid}
    again = worker.post("/registry/addresses", data=form, headers=HTML, follow_redirects=False)
    assert again.status_code == 409 and made["code"] in again.text and 'value="２１号"' in again.text
    created = worker.post("/registry/addresses", data={**form, "house_no": "23"}, headers=HTML,
                          follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].startswith("/registry/addresses/")
    shown = worker.get(created.headers["location"], headers=HTML)
    assert shown.status_code == 200 and "枫林路23号" in shown.text and "地址已登记" in shown.text


def test_an_address_page_registers_its_house_and_unit_and_the_house_page_masks(client_as, db, places):
    worker = client_as("worker")
    address = new_address(worker, db, places.grid, road="松柏路", house_no="2")
    r = worker.post(f"/registry/addresses/{address['id']}/house", data={"usage": "rented", "owner_name": "吴某"},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    house_url = r.headers["location"].split("?")[0]
    house_id = int(house_url.rsplit("/", 1)[1])
    cipher, now = FieldCipher(TEST_SECRET_KEY), utc_now()
    number = "32110219880808345" + id_check_digit("32110219880808345")
    db.add(Person(name="郑住户", id_number_enc=cipher.encrypt(number), id_number_index=cipher.blind_index(number),
                  id_number_mask="*" * 14 + number[-4:], scope_code=places.grid, house_id=house_id,
                  created_at=now, updated_at=now))
    db.commit()
    house = worker.get(house_url, headers=HTML)
    assert house.status_code == 200 and "郑住户" in house.text and "*" * 14 + number[-4:] in house.text
    assert number not in house.text and "出租" in house.text
    bad = worker.post(f"{house_url}/rentals", data={"start_on": "2026-02-01"}, headers=HTML)
    assert bad.status_code == 422 and "承租人" in bad.text
    code = uscc("91321102MA1P2Q3R4")
    bad_unit = worker.post(f"/registry/addresses/{address['id']}/units",
                           data={"name": "松柏超市", "uscc": code[:17] + "Z", "kind": "enterprise"}, headers=HTML)
    assert bad_unit.status_code == 422 and "统一社会信用代码" in bad_unit.text and 'value="松柏超市"' in bad_unit.text
    unit = worker.post(f"/registry/addresses/{address['id']}/units",
                       data={"name": "松柏超市", "uscc": code, "kind": "enterprise", "contact_phone": "13900001111"},
                       headers=HTML, follow_redirects=False)
    assert unit.status_code == 303
    unit_page = worker.get(unit.headers["location"], headers=HTML)
    assert "139****1111" in unit_page.text and "13900001111" not in unit_page.text and code in unit_page.text
    page = worker.get(f"/registry/addresses/{address['id']}", headers=HTML)
    assert "松柏超市" in page.text and re.search(r'id="address-people">1<', page.text)
    listed = worker.get("/registry/units", params={"uscc": code}, headers=HTML)
    assert 'data-total="1"' in listed.text and "139****1111" in listed.text
    # outside the jurisdiction: missing
    worker2 = client_as("worker2")
    for url in (f"/registry/addresses/{address['id']}", house_url, unit.headers["location"].split("?")[0]):
        assert worker2.get(url, headers=HTML).status_code == 404
    assert 'data-total="0"' in worker2.get("/registry/units", headers=HTML).text


def test_the_menu_has_the_register_for_roles_that_read_it(client_as):
    worker = menu_links(client_as("worker").get("/cases/mine", headers=HTML).text)
    assert {"/registry/addresses", "/registry/units"} <= set(worker)
    auditor = menu_links(client_as("auditor").get("/audit", headers=HTML).text)
    assert not any(h.startswith("/registry") for h in auditor)
    assert client_as("auditor").get("/registry/addresses", headers=HTML).status_code == 403
