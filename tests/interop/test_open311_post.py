"""Open311's POST Service Request, on both databases: an Open311 client's ``api_key`` creates a case (a
resident's report, in the client's area, numbered and filed like any other) and is answered with the spec's
list; a revoked or unknown key is a 403, a missing parameter a 400, an unknown service a 404, in JSON and
XML, and a refused request writes nothing."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service as cases
from gridgov.interop import clients
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Case, CaseLogEntry, Open311Request

from .test_open311 import CITY, REQUEST_FIELDS, V2, errors_of, xml_items

POSTED_FIELDS = {"service_request_id", "service_notice", "account_id"}
"""The spec's answer to POST Service Request (a realtime service: the id, no token)."""


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def point(client_as, places):
    grid = client_as("worker").get(f"/api/v1/grids/{places.grid}").json()
    p = shape(grid["geometry"]).representative_point()
    return {"lat": f"{p.y:.7f}", "long": f"{p.x:.7f}"}


def _counts(db):
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Case)),
            db.scalar(select(func.count()).select_from(Open311Request)))


def test_a_good_key_creates_a_case_answered_in_json_and_xml(api_client, anonymous, places, point, db):
    _id, key = api_client("open311", places.county)
    form = {"api_key": key, "service_code": "0102", **point, "description": "路边垃圾堆放，已经发臭",
            "address_string": "解放路 12 号", "media_url": "https://img.example.cn/1.jpg", "phone": "13912345678",
            "first_name": "小明", "last_name": "王", "email": "wang@example.cn"}
    r = anonymous.post(f"{V2}/requests.json", data=form)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert len(answer) == 1 and set(answer[0]) == POSTED_FIELDS
    no = answer[0]["service_request_id"]
    case = db.scalar(select(Case).where(Case.case_no == no))
    assert case.source == "resident" and case.state == "reported" and case.type_code == "0102"
    assert case.grid_code == places.grid and case.reporter_name == "王小明"
    assert case.reporter_phone_mask and "13912345678" not in case.reporter_phone_mask  # encrypted, masked
    assert [e.action for e in db.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id))] == ["create"]
    assert cases.verify_files(db, no) == {}
    calls = db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "api_client_call",
                                                       AuditEntry.object_id == str(_id))).all()
    assert calls == [f"POST /open311/v2/requests.json → {no}"]  # the client's call, audited
    # The request reads back as the spec's request, with the media link and nothing personal.
    got = anonymous.get(f"{V2}/requests/{no}.json").json()[0]
    assert set(got) == REQUEST_FIELDS and got["media_url"] == "https://img.example.cn/1.jpg"
    assert got["lat"] == pytest.approx(float(point["lat"])) and got["long"] == pytest.approx(float(point["long"]))
    text = anonymous.get(f"{V2}/requests/{no}.xml").text
    assert "王小明" not in text and "13912345678" not in text and "wang@example.cn" not in text

    r = anonymous.post(f"{V2}/requests.xml", data={**form, "description": "又堆上了 <b>&</b>"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    posted = xml_items(r.text, "service_requests", "request")
    assert len(posted) == 1 and set(posted[0]) == POSTED_FIELDS and posted[0]["service_request_id"] != no


def test_bad_keys_missing_parameters_and_unknown_services_write_nothing(api_client, anonymous, places, point, db):
    _id, key = api_client("open311", places.county)
    _hid, hotline_key = api_client("hotline", places.county)
    _rid, revoked = api_client("open311", places.county)
    clients.revoke_client(db, str(_rid), now=utc_now())
    db.commit()
    good = {"api_key": key, "service_code": "0102", **point, "description": "井盖缺失"}
    before = _counts(db)
    cases_ = [({**good, "api_key": "ggk_nothing_here"}, 403), ({**good, "api_key": revoked}, 403),
              ({**good, "api_key": hotline_key}, 403),  # a key, but not an Open311 client's
              ({k: v for k, v in good.items() if k != "api_key"}, 403),  # the spec: "not provided or is invalid"
              ({k: v for k, v in good.items() if k != "service_code"}, 400),
              ({k: v for k, v in good.items() if k not in ("lat", "long")}, 400),  # no location
              ({**good, "lat": "abc"}, 400), ({**good, "long": ""}, 400),
              ({**good, "address_string": "没有这个地址", "lat": "", "long": ""}, 400),
              ({**good, "service_code": "9999"}, 404), ({**good, "service_code": "01"}, 404),
              ({**good, "media_url": "javascript:alert(1)"}, 400), ({**good, "description": "x" * 4001}, 400)]
    for fmt in ("json", "xml"):
        for form, status in cases_:
            r = anonymous.post(f"{V2}/requests.{fmt}", data=form)
            assert r.status_code == status, (form, r.text)
            assert errors_of(r, fmt)[0]["code"] == status
    assert _counts(db) == before
    # A refused call of a good key is still audited (apart from what it would have written).
    details = db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "api_client_call",
                                                         AuditEntry.object_id == str(_id))).all()
    assert "POST /open311/v2/requests.xml → 404" in details and "POST /open311/v2/requests.json → 400" in details


def test_a_point_outside_the_clients_area_is_refused(api_client, anonymous, places, client_as, db):
    _id, key = api_client("open311", places.county2)  # the other county
    grid = client_as("worker").get(f"/api/v1/grids/{places.grid}").json()
    p = shape(grid["geometry"]).representative_point()
    before = _counts(db)
    r = anonymous.post(f"{V2}/requests.json", data={"api_key": key, "service_code": "0102", "lat": str(p.y),
                                                    "long": str(p.x), "description": "井盖缺失"})
    assert r.status_code == 400 and errors_of(r, "json")[0]["code"] == 400
    assert _counts(db) == before


def test_a_standard_address_places_a_request_without_a_point(api_client, anonymous, places, point, db):
    from gridgov.areas import grid_village_code
    from gridgov.models.registry import Address

    now = utc_now()
    address = Address(code="T311-0001", area_code=grid_village_code(places.grid), road="开放路", house_no="311号",
                      canonical="测试开放路311号", lon=float(point["long"]), lat=float(point["lat"]),
                      grid_code=places.grid, scope_code=places.grid, created_at=now, updated_at=now)
    db.add(address)
    db.commit()
    _id, key = api_client("open311", places.county)
    r = anonymous.post(f"{V2}/requests.json", data={"api_key": key, "service_code": "0102",
                                                    "address_string": "测试开放路311号", "description": "井盖缺失"})
    assert r.status_code == 200, r.text
    case = db.scalar(select(Case).where(Case.case_no == r.json()[0]["service_request_id"]))
    assert case.address_id == address.id and case.grid_code == places.grid and case.address == "测试开放路311号"


def test_the_xml_error_list_is_the_specs(anonymous):
    r = anonymous.post(f"{V2}/requests.xml", data={"service_code": "0102"})
    tree = ET.fromstring(r.content)
    assert r.status_code == 403 and tree.tag == "errors"
    assert [c.tag for c in tree] == ["error"] and [c.tag for c in tree[0]] == ["code", "description"]
