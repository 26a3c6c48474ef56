"""mySociety's request-updates extension (GET servicerequestupdates, what FixMyStreet polls): one update per
published entry of a public case's file, with FixMyStreet's statuses mapped from our lifecycle, in JSON and
XML, and nothing of who acted or what they wrote. And the pure rules behind the Open311 answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.interop import open311
from gridgov.models import Department, User

from .test_open311 import CITY, V2, errors_of, resident_case, xml_items

# mySociety's "Open311 FMS - Proposed differences to Open311": GET Service Request Updates, request_update.
UPDATE_FIELDS = {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url",
                 "external_status_code"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def test_the_loop_of_a_residents_report_reads_as_fixmystreet_statuses(client_as, anonymous, places, db):
    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    start = datetime.now(UTC) - timedelta(seconds=5)
    no = resident_case(town, places.grid)
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    steps = [(worker, "verify", {}), (worker, "escalate", {}), (town, "accept", {}),
             (town, "dispatch", {"lead_department": lead}), (dept, "sign", {}),
             (town, "comment", {"note": "张三电话 13800001111 已联系"}),  # internal: not published
             (dept, "handle", {"result": "李四已清运"}), (town, "check", {}),
             (town, "feedback", {"evaluation": "satisfied"})]
    for client, action, body in steps:
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    window = {"start_date": start.isoformat(), "end_date": (datetime.now(UTC) + timedelta(seconds=5)).isoformat()}
    got = [u for u in anonymous.get(f"{V2}/servicerequestupdates.json", params=window).json()
           if u["service_request_id"] == no]
    assert [u["status"] for u in got] == ["OPEN", "INVESTIGATING", "INVESTIGATING", "ACTION_SCHEDULED",
                                          "ACTION_SCHEDULED", "IN_PROGRESS", "IN_PROGRESS", "FIXED", "CLOSED"]
    assert [u["external_status_code"] for u in got] == ["reported", "verified", "escalated", "accepted",
                                                        "dispatched", "in_progress", "handled", "resolved", "closed"]
    assert all(set(u) == UPDATE_FIELDS and u["updated_datetime"].endswith("+08:00") for u in got)
    assert len({u["update_id"] for u in got}) == len(got)
    as_xml = [u for u in xml_items(anonymous.get(f"{V2}/servicerequestupdates.xml", params=window).text,
                                   "service_request_updates", "request_update") if u["service_request_id"] == no]
    assert [u["status"] for u in as_xml] == [u["status"] for u in got] and set(as_xml[0]) == UPDATE_FIELDS
    for fmt in ("json", "xml"):
        text = anonymous.get(f"{V2}/servicerequestupdates.{fmt}", params=window).text
        for private in ("张三", "李四", "13800001111", "13912345678", "王小明", "worker", "town_dispatcher", "dept_cg"):
            assert private not in text, private
    # The request itself is closed now, under the lead department's name.
    req = anonymous.get(f"{V2}/requests/{no}.json").json()[0]
    assert req["status"] == "closed" and req["expected_datetime"] is None
    assert req["agency_responsible"] == db.scalar(select(Department.name).where(Department.code == lead))
    # Before the window: nothing of it.
    before = {"end_date": start.isoformat()}
    assert no not in [u["service_request_id"] for u in
                      anonymous.get(f"{V2}/servicerequestupdates.json", params=before).json()]
    r = anonymous.get(f"{V2}/servicerequestupdates.xml", params={"start_date": "yesterday"})
    assert r.status_code == 400 and errors_of(r, "xml")[0]["code"] == 400


def test_a_refusal_and_a_duplicate(client_as, anonymous, places):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    start = datetime.now(UTC) - timedelta(seconds=5)
    refused, other, first, dup = (resident_case(town, places.grid, title=f"垃圾堆放{i}") for i in range(4))
    for no, reason in ((refused, "不属于网格管辖范围"), (other, "现场未发现")):
        assert worker.post(f"/api/v1/cases/{no}/actions/reject", json={"reason": reason}).status_code == 200
    for no in (first, dup):
        assert worker.post(f"/api/v1/cases/{no}/actions/verify", json={}).status_code == 200
        assert worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 200
    r = town.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": first})
    assert r.status_code == 200, r.text
    updates = anonymous.get(f"{V2}/servicerequestupdates.json", params={"start_date": start.isoformat()}).json()
    last = {u["service_request_id"]: u for u in updates}
    assert last[refused]["status"] == "NOT_COUNCILS_RESPONSIBILITY" and last[other]["status"] == "NO_FURTHER_ACTION"
    assert "现场未发现" not in str(updates)  # the reason's words stay internal
    assert last[dup]["status"] == "DUPLICATE"
    req = anonymous.get(f"{V2}/requests/{dup}.json").json()[0]
    assert req["status"] == "closed" and first in req["status_notes"]
    assert anonymous.get(f"{V2}/requests/{refused}.json").json()[0]["status"] == "closed"


# ---------------------------------------------------------------------------------------------
# The pure rules


def test_every_lifecycle_action_that_changes_the_state_is_published_with_a_fixmystreet_status():
    from gridgov.cases.workflow import TRANSITIONS

    fms = {"OPEN", "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING", "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY",
           "NO_FURTHER_ACTION", "INTERNAL_REFERRAL", "FIXED", "CLOSED"}
    moving = {str(a) for (state, a), step in TRANSITIONS.items() if step.targets and step.targets != (state,)}
    for action in moving:
        found = open311.update_status(action, "")
        assert found is not None and found[0] in fms, action
    assert {s for s, _ in open311.UPDATE_STATUS.values()} | {"NOT_COUNCILS_RESPONSIBILITY",
                                                              "NO_FURTHER_ACTION"} == fms
    for internal in ("comment", "attach", "supervise", "alert", "acknowledge", "request_extension"):
        assert open311.update_status(internal) is None


def test_dates_need_their_timezone_and_are_answered_in_china_time():
    assert open311.parse_datetime("start_date", "2026-11-05T08:15:30-05:00") == datetime(2026, 11, 5, 13, 15, 30,
                                                                                           tzinfo=UTC)
    assert open311.parse_datetime("start_date", "2026-11-05T13:15:30Z") == datetime(2026, 11, 5, 13, 15, 30,
                                                                                    tzinfo=UTC)
    for bad in ("2026-11-05", "2026-11-05T13:15:30", "2026-13-05T13:15:30Z", "x" * 100):
        with pytest.raises(open311.Open311Error) as err:
            open311.parse_datetime("start_date", bad)
        assert err.value.code == 400
    assert open311.format_datetime(datetime(2026, 11, 5, 13, 15, 30, 123, tzinfo=UTC)) == "2026-11-05T21:15:30+08:00"


def test_public_text_masks_phones_id_numbers_and_email():
    text = open311.public_text("联系 139 1234 5678 或 32110219800101123X，邮箱 a.b@example.cn，3 号楼")
    assert "5678" not in text and "123X" not in text and "example" not in text and "3 号楼" in text


def test_the_default_window_is_ninety_days_and_ids_override_the_rest():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    q = open311.request_query({}, now=now)
    assert q.start == now - timedelta(days=90) and q.end is None and q.page_size == 1000
    q = open311.request_query({"start_date": "2026-01-01T00:00:00Z"}, now=now)
    assert q.end - q.start == timedelta(days=90)
    q = open311.request_query({"service_request_id": "a,b", "status": "bogus"}, now=now)
    assert q.ids == ["a", "b"] and q.start is None and q.status is None
    x = ET.fromstring(open311.to_xml_list("errors", open311.errors(403, "无效 <key>")))
    assert x.tag == "errors" and x.find("error/code").text == "403" and x.find("error/description").text == "无效 <key>"
