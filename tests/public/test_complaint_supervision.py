"""Supervision of complaints about grid staff (JS§19 接受投诉、举报，并依法及时处理): each complaint
gets a deadline from the profile (a local default: no text sets one), the sweep marks it overdue
once and tells the town agency and the county agency above; the handling records a result the
complainant is told, which the complainant looks up with the complaint number and the phone given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.calendar import load_work_calendar
from gridgov.jobs import JOBS
from gridgov.kit.clock import utc_now
from gridgov.models import Notification, User
from gridgov.models.territory import BoardComplaint
from gridgov.policy.loader import load_profile
from gridgov.public.complaint_sweep import sweep_complaints
from gridgov.public.complaints import LOOKUP_LIMIT, LOOKUP_NOT_FOUND

from .test_board import CITY, HTML

PHONE = "13700005678"
PROFILES = ("zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen")


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def send(anonymous, grid: str, **extra) -> dict:
    anonymous.cookies.clear()
    r = anonymous.post(f"/api/v1/public/boards/{grid}/complaints", json={"content": "网格员不回电话", **extra})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.setting("board.complaint_handling_working_days")
@pytest.mark.req("B5")
@pytest.mark.parametrize("name", PROFILES)
def test_a_complaint_is_due_the_profiles_number_of_working_days_after_it_arrives(app, anonymous, db, places, name):
    own = load_profile(name).board.complaint_handling_working_days
    for days in (own, own + 7):
        profile = app.state.profile
        app.state.profile = profile.model_copy(
            update={"board": profile.board.model_copy(update={"complaint_handling_working_days": days})})
        receipt = send(anonymous, places.grid)
        complaint = db.get(BoardComplaint, receipt["id"])
        expected = load_work_calendar(db).add_working_days(complaint.received_at, days).due_at
        assert complaint.due_at == expected
        assert receipt["due_at"] is not None and f"投诉编号 {complaint.id}" in receipt["message"]
        app.state.profile = profile


@pytest.mark.setting("board.complaint_handling_working_days")
@pytest.mark.req("B5")
def test_the_sweep_marks_a_late_complaint_once_and_tells_the_town_and_the_county(anonymous, client_as, db, places):
    late = send(anonymous, places.grid)["id"]
    in_time = send(anonymous, places.grid)["id"]
    handled = send(anonymous, places.grid)["id"]
    town = client_as("town_dispatcher")
    assert town.post(f"/api/v1/complaints/{handled}/handle",
                     json={"action_taken": "已约谈", "result": "已批评教育"}).status_code == 200
    now = utc_now()
    for cid in (late, handled):
        db.get(BoardComplaint, cid).due_at = now - timedelta(minutes=1)
    db.flush()

    assert sweep_complaints(db, now) == 1
    assert sweep_complaints(db, now + timedelta(minutes=1)) == 0, "a complaint is marked overdue once"
    db.expire_all()
    assert db.get(BoardComplaint, late).overdue_at is not None
    assert db.get(BoardComplaint, in_time).overdue_at is None and db.get(BoardComplaint, handled).overdue_at is None

    told = db.execute(select(User.scope_code, Notification.link).join(User, User.id == Notification.user_id)
                      .where(Notification.kind == "complaint_overdue")).all()
    assert {scope for scope, _ in told} == {places.town, places.county}
    assert {link for _, link in told} == {f"/complaints/{late}"}
    items = {i["id"]: i for i in town.get("/api/v1/complaints").json()["items"]}
    assert items[late]["overdue"] is True and items[in_time]["overdue"] is False
    assert "已超期" in town.get(f"/complaints/{late}", headers=HTML).text
    assert "complaints_sweep" in [job.name for job in JOBS], "the sweep runs wherever the jobs run"


@pytest.mark.req("B5")
def test_the_complainant_learns_the_result_with_the_number_and_the_phone(anonymous, client_as, places):
    cid = send(anonymous, places.grid, phone=PHONE)["id"]
    ask = {"number": cid, "phone": PHONE}
    r = anonymous.post("/api/v1/public/complaints/lookup", json=ask)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "received" and r.json()["result"] == "" and r.json()["due_at"]
    client_as("town_dispatcher").post(f"/api/v1/complaints/{cid}/handle",
                                      json={"action_taken": "内部：约谈记录见台账", "result": "已对网格员批评教育"})
    body = anonymous.post("/api/v1/public/complaints/lookup", json=ask).json()
    assert body["status_label"] == "已处理" and body["result"] == "已对网格员批评教育"
    assert "内部" not in str(body) and "handled_by" not in body

    # a handling without a separate result tells the complainant the handling itself
    other = send(anonymous, places.grid, phone=PHONE)["id"]
    client_as("town_dispatcher").post(f"/api/v1/complaints/{other}/handle", json={"action_taken": "已电话回访"})
    told = anonymous.post("/api/v1/public/complaints/lookup", json={"number": other, "phone": PHONE}).json()
    assert told["result"] == "已电话回访"

    for wrong in ({"number": cid, "phone": "13700009999"}, {"number": 987654, "phone": PHONE}):
        r = anonymous.post("/api/v1/public/complaints/lookup", json=wrong)
        assert r.status_code == 404 and r.json()["detail"] == LOOKUP_NOT_FOUND
    anonymous_one = send(anonymous, places.grid)["id"]
    r = anonymous.post("/api/v1/public/complaints/lookup", json={"number": anonymous_one, "phone": ""})
    assert r.status_code == 404 and r.json()["detail"] == LOOKUP_NOT_FOUND


@pytest.mark.req("B5")
def test_the_lookup_page_shows_the_result_and_is_rate_limited(anonymous, client_as, places):
    anonymous.get(f"/board/{places.grid}", headers=HTML)
    cid = send(anonymous, places.grid, phone=PHONE)["id"]
    client_as("town_dispatcher").post(f"/api/v1/complaints/{cid}/handle",
                                      json={"action_taken": "约谈", "result": "已调换网格员"})
    page = anonymous.get(f"/complaint-status?number={cid}", headers=HTML)
    assert page.status_code == 200 and f'value="{cid}"' in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = anonymous.post("/complaint-status", data={"number": str(cid), "phone": PHONE, "csrf_token": token},
                       headers=HTML)
    assert r.status_code == 200 and 'id="status-result" class="pre-wrap">已调换网格员<' in r.text
    r = anonymous.post("/complaint-status", data={"number": "abc", "phone": PHONE, "csrf_token": token}, headers=HTML)
    assert r.status_code == 422 and "请填写正确的投诉编号" in r.text
    r = anonymous.post("/complaint-status", data={"number": str(cid), "phone": "13700000000", "csrf_token": token},
                       headers=HTML)
    assert r.status_code == 404 and LOOKUP_NOT_FOUND in r.text and "已调换网格员" not in r.text
    for _ in range(LOOKUP_LIMIT):
        anonymous.post("/complaint-status", data={"number": str(cid), "phone": PHONE, "csrf_token": token},
                       headers=HTML)
    r = anonymous.post("/complaint-status", data={"number": str(cid), "phone": PHONE, "csrf_token": token},
                       headers=HTML)
    assert r.status_code == 429 and "提交过于频繁" in r.text
