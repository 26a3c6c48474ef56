"""Open311 GeoReport v2 at /open311/v2/, on both databases: every endpoint in JSON and XML against the
field lists of the specification (http://wiki.open311.org/GeoReport_v2, written out here from the spec,
not from the code), the spec's errors, the filters, the paging and the dates with their timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select, update

from gridgov.accounts.demo import demo_places
from gridgov.models import Case, CaseClock

CITY = "321100000000"
V2 = "/open311/v2"

# The specification's field lists (GeoReport v2 wiki: GET Services, GET Service Definition, GET Service
# Requests, POST Service Request; Service Discovery).
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def resident_case(client, grid: str, **extra) -> str:
    body = {"title": "小区门口垃圾堆放", "type": "0102", "source": "resident", "grid_code": grid,
            "address": "解放路 12 号门口", "reporter_name": "王小明", "reporter_phone": "13912345678",
            "description": "垃圾三天没人清运，联系我 13912345678", **extra}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()["case_no"]


def xml_items(text: str, root: str, item: str) -> list[dict[str, str]]:
    tree = ET.fromstring(text.encode())
    assert tree.tag == root, text[:200]
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text or "" for field in child} for child in tree]


def errors_of(r, fmt: str) -> list[dict]:
    if fmt == "json":
        body = r.json()
        assert isinstance(body, list) and set(body[0]) == {"code", "description"}
        return body
    assert r.headers["content-type"].startswith("text/xml")
    return [{"code": int(e["code"]), "description": e["description"]} for e in xml_items(r.text, "errors", "error")]


def test_discovery_and_services_in_json_and_xml(anonymous, app):
    d = anonymous.get(f"{V2}/discovery.json").json()
    assert set(d) == DISCOVERY_FIELDS and set(d["endpoints"][0]) == ENDPOINT_FIELDS
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert d["endpoints"][0]["url"].endswith("/open311/v2") and "text/xml" in d["endpoints"][0]["formats"]
    assert d["changeset"].endswith("+08:00")
    x = ET.fromstring(anonymous.get(f"{V2}/discovery.xml").content)
    assert x.tag == "discovery" and {c.tag for c in x} == DISCOVERY_FIELDS
    assert [f.text for f in x.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]

    services = anonymous.get(f"{V2}/services.json").json()
    types = app.state.case_types
    assert [s["service_code"] for s in services] == [t.code for t in types.types if t.parent]
    assert all(set(s) == SERVICE_FIELDS for s in services)
    first = next(s for s in services if s["service_code"] == "0102")
    assert first["metadata"] is False and first["type"] == "realtime" and first["service_name"] == "暴露垃圾"
    assert first["group"] == types.get("01").name
    r = anonymous.get(f"{V2}/services.xml")
    assert r.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    as_xml = xml_items(r.text, "services", "service")
    assert [set(s) for s in as_xml] == [SERVICE_FIELDS] * len(services)
    assert as_xml[services.index(first)]["metadata"] == "false"

    definition = anonymous.get(f"{V2}/services/0102.json").json()
    assert definition == {"service_code": "0102", "attributes": []}
    x = ET.fromstring(anonymous.get(f"{V2}/services/0102.xml").content)
    assert x.tag == "service_definition" and x.findtext("service_code") == "0102"
    for fmt in ("json", "xml"):
        for code in ("9999", "01"):  # unknown, and a 大类 (not a service)
            r = anonymous.get(f"{V2}/services/{code}.{fmt}")
            assert r.status_code == 404 and errors_of(r, fmt)[0]["code"] == 404


def test_requests_show_public_cases_with_the_spec_fields_and_nothing_personal(client_as, anonymous, places, db):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    no = resident_case(town, places.grid)
    patrol = worker.post("/api/v1/cases", json={"title": "井盖缺失", "type": "0102", "source": "patrol",
                                                "grid_code": places.grid, "address": "解放路"}).json()["case_no"]
    hotline = resident_case(town, places.grid, source="hotline")
    listed = [r["service_request_id"] for r in anonymous.get(f"{V2}/requests.json").json()]
    assert no in listed
    assert patrol not in listed and hotline not in listed  # a worker's find, a hotline ticket: not public
    one = anonymous.get(f"{V2}/requests/{no}.json").json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    req = one[0]
    assert req["status"] == "open" and req["service_code"] == "0102" and req["service_name"] == "暴露垃圾"
    assert req["address"] == "解放路 12 号门口" and "垃圾三天没人清运" in req["description"]
    assert req["agency_responsible"].endswith("网格化服务管理机构") and req["status_notes"] == "事件待核实"
    due = db.scalar(select(CaseClock.due_at).join(Case, Case.id == CaseClock.case_id).where(
        Case.case_no == no, CaseClock.stopped_at.is_(None)))
    assert datetime.fromisoformat(req["expected_datetime"]) == due.replace(microsecond=0)  # the running clock due
    for stamp in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert req[stamp].endswith("+08:00")
    for fmt in ("json", "xml"):
        text = anonymous.get(f"{V2}/requests/{no}.{fmt}").text
        assert "13912345678" not in text and "王小明" not in text and "5678" not in text
        assert "town_dispatcher" not in text
    as_xml = xml_items(anonymous.get(f"{V2}/requests/{no}.xml").text, "service_requests", "request")
    assert len(as_xml) == 1 and set(as_xml[0]) == REQUEST_FIELDS
    assert as_xml[0]["service_request_id"] == no and as_xml[0]["status"] == "open"
    assert as_xml[0]["requested_datetime"] == req["requested_datetime"]
    for fmt in ("json", "xml"):
        for missing in (patrol, hotline, "321100000000-20990101-00001"):
            r = anonymous.get(f"{V2}/requests/{missing}.{fmt}")
            assert r.status_code == 404 and errors_of(r, fmt)[0]["code"] == 404


def test_filters_paging_and_dates_with_their_timezone(client_as, anonymous, places, db):
    town = client_as("town_dispatcher")
    nos = [resident_case(town, places.grid, title=f"垃圾堆放{i}") for i in range(3)]
    # Put them in March 2020, an hour apart from 01:00 China time (17:00 UTC the day before).
    base = datetime(2020, 3, 9, 17, 0, tzinfo=UTC)
    for i, no in enumerate(nos):
        db.execute(update(Case).where(Case.case_no == no).values(created_at=base + timedelta(hours=i)))
    db.execute(update(Case).where(Case.case_no == nos[2]).values(state="closed", closed_at=base + timedelta(days=1)))
    db.commit()

    def ids(fmt="json", **params):
        r = anonymous.get(f"{V2}/requests.{fmt}", params=params)
        assert r.status_code == 200, r.text
        if fmt == "xml":
            return [i["service_request_id"] for i in xml_items(r.text, "service_requests", "request")]
        return [i["service_request_id"] for i in r.json()]

    march = {"start_date": "2020-03-01T00:00:00+08:00", "end_date": "2020-03-31T00:00:00+08:00"}
    assert ids(**march) == nos == ids("xml", **march)
    assert ids(**march, page_size="2") == nos[:2] and ids(**march, page_size="2", page="2") == nos[2:]
    # 2020-03-10T01:30+08:00 is after the first (01:00 China time); the same wall time in UTC is before all.
    assert ids(start_date="2020-03-10T01:30:00+08:00", end_date="2020-03-31T00:00:00Z") == nos[1:]
    assert ids(start_date="2020-03-10T01:30:00Z", end_date="2020-03-31T00:00:00Z") == []
    assert ids(**march, status="closed") == nos[2:] and ids(**march, status="open") == nos[:2]
    assert ids(**march, status="open,closed") == nos
    assert ids(**march, service_code="0101") == [] and ids(**march, service_code="0101,0102") == nos
    assert nos[0] not in ids()  # the default window is the last 90 days
    assert ids(service_request_id=f"{nos[0]},{nos[2]}", status="open") == [nos[0], nos[2]]  # ids override
    closed = anonymous.get(f"{V2}/requests/{nos[2]}.json").json()[0]
    assert closed["status"] == "closed" and closed["updated_datetime"] == "2020-03-11T01:00:00+08:00"
    for fmt in ("json", "xml"):
        for bad in ({"start_date": "2020-03-01"}, {"start_date": "2020-03-01T00:00:00"},  # no timezone
                    {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-06-01T00:00:00Z"},  # > 90 days
                    {"status": "pending"}, {"page": "0"}, {"page_size": "1001"}, {"page": "x"}):
            r = anonymous.get(f"{V2}/requests.{fmt}", params=bad)
            assert r.status_code == 400 and errors_of(r, fmt)[0]["code"] == 400, bad


def test_xml_is_built_by_a_library_so_any_text_stays_text(client_as, anonymous, places):
    town = client_as("town_dispatcher")
    words = "井盖<script>alert(1)</script> & \"引号\" ]]> 缺失"
    no = resident_case(town, places.grid, description=words)
    got = xml_items(anonymous.get(f"{V2}/requests/{no}.xml").text, "service_requests", "request")
    assert got[0]["description"] == words
