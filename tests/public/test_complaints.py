"""Complaints about grid staff from the public board (JS§19): anyone may send one without login;
it reaches the town agency of the grid (and the agencies above it), never another town's; the
agency records what it did, once; bad input is refused with a Chinese message and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gridgov.accounts.demo import demo_places
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import AuditEntry, Grid, User
from gridgov.models.territory import BoardComplaint, GridStatus
from gridgov.public.complaints import RATE_LIMIT

from ..conftest import TEST_SECRET_KEY
from .test_board import CITY, HTML, add_staff

PHONE = "13700001234"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def other_town_dispatcher(app, db, town2: str) -> TestClient:
    """A dispatcher of another town's agency: made here, with a token issued directly."""
    now = utc_now()
    user = User(username="town2_dispatcher", display_name="另一街道调度员", password_hash="!", role="agency_dispatcher",
                scope_code=town2, created_at=now, updated_at=now)
    db.add(user)
    db.flush()
    c = TestClient(app)
    c.headers["Authorization"] = "Bearer " + tokens.issue(
        TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
        expires_at=now + timedelta(hours=1),
    )
    return c


def counts(db) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(BoardComplaint)),
        db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "complaint_received")),
    )


def send_form(client, grid: str, **fields):
    data = {"content": "网格员上门态度生硬", "complainant": "", "phone": "", "staff_id": "", **fields}
    return client.post(f"/board/{grid}/complaints", data=data, headers=HTML, follow_redirects=False)


@pytest.mark.req("B5")
def test_a_complaint_sent_anonymously_reaches_the_town_agency_and_no_other_town(app, anonymous, client_as, db, places):
    staff = add_staff(db, places.grid, "韩被投诉")
    r = send_form(anonymous, places.grid, staff_id=str(staff.id), complainant="刘群众", phone=PHONE)
    complaint = db.scalar(select(BoardComplaint).where(BoardComplaint.grid_code == places.grid))
    assert r.status_code == 303 and r.headers["location"] == f"/board/{places.grid}?sent={complaint.id}#complaint"
    page = anonymous.get(r.headers["location"], headers=HTML).text
    assert "投诉已收到" in page and f'id="complaint-number">{complaint.id}<' in page

    assert complaint.town_code == places.town and complaint.staff_id == staff.id and complaint.status == "received"
    assert FieldCipher(TEST_SECRET_KEY).decrypt(complaint.phone_enc) == PHONE
    assert complaint.phone_mask == "137****1234" and PHONE.encode() not in complaint.phone_enc
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "complaint_received",
                                               AuditEntry.object_id == str(complaint.id)))
    assert entry is not None and entry.area_code == places.grid
    assert PHONE not in str(entry.after) and PHONE not in entry.detail

    town = client_as("town_dispatcher")
    items = town.get("/api/v1/complaints").json()["items"]
    assert [(i["id"], i["staff_name"], i["phone_mask"], i["status_label"]) for i in items] == [
        (complaint.id, "韩被投诉", "137****1234", "待处理")
    ]
    html = town.get("/complaints", headers=HTML).text
    assert "网格上门态度生硬" not in html and "网格员上门态度生硬" in html and "待处理" in html and PHONE not in html
    detail = town.get(f"/complaints/{complaint.id}", headers=HTML).text
    assert "韩被投诉" in detail and "刘群众" in detail and PHONE not in detail
    assert [i["id"] for i in client_as("county_dispatcher").get("/api/v1/complaints").json()["items"]] == [complaint.id]
    assert complaint.id in [i["id"] for i in client_as("city_admin").get("/api/v1/complaints").json()["items"]]

    other = other_town_dispatcher(app, db, places.town2)
    assert other.get("/api/v1/complaints").json()["items"] == []
    r = other.get(f"/api/v1/complaints/{complaint.id}")
    assert r.status_code == 404 and r.json()["detail"] == f"投诉 {complaint.id} 不存在"
    assert other.get(f"/complaints/{complaint.id}", headers=HTML).status_code == 404
    r = other.post(f"/api/v1/complaints/{complaint.id}/handle", json={"action_taken": "越权处理"})
    assert r.status_code == 404
    missing = other.get("/api/v1/complaints/999999").json()["detail"]
    assert r.json()["detail"] == missing.replace("999999", str(complaint.id))
    db.refresh(complaint)
    assert complaint.status == "received"
    other.close()


def test_the_json_board_takes_a_complaint_too(anonymous, client_as, places):
    r = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "  巡查记录造假  "})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "received" and body["status_label"] == "待处理"
    item = client_as("town_dispatcher").get(f"/api/v1/complaints/{body['id']}").json()
    assert item["content"] == "巡查记录造假" and item["complainant"] == "" and item["phone_mask"] == ""


@pytest.mark.req("B5")
def test_a_complaint_is_handled_once_with_the_action_recorded_and_audited(anonymous, client_as, db, places):
    cid = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "不回电话"}).json()["id"]
    town = client_as("town_dispatcher")
    r = town.post(f"/api/v1/complaints/{cid}/handle", json={"action_taken": "已约谈网格员，电话回访投诉人",
                                                             "result": "经核实，已对网格员批评教育"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "handled" and body["status_label"] == "已处理"
    assert body["action_taken"] == "已约谈网格员，电话回访投诉人" and body["handled_by_name"] == "街道网格站调度员"
    assert body["handled_at"] is not None and body["result"] == "经核实，已对网格员批评教育"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "complaint_handled",
                                               AuditEntry.object_id == str(cid)))
    assert entry.actor == "town_dispatcher"
    assert entry.before == {"status": "received"}
    assert entry.after == {"status": "handled", "action_taken": "已约谈网格员，电话回访投诉人",
                           "result": "经核实，已对网格员批评教育", "late": False}

    again = client_as("county_dispatcher").post(f"/api/v1/complaints/{cid}/handle",
                                                json={"action_taken": "再处理", "result": "再告知"})
    assert again.status_code == 409 and "已处理" in again.json()["detail"]
    assert town.get(f"/api/v1/complaints/{cid}").json()["action_taken"] == "已约谈网格员，电话回访投诉人"
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "complaint_handled", AuditEntry.object_id == str(cid))) == 1
    page = town.get(f"/complaints/{cid}", headers=HTML).text
    assert "已约谈网格员" in page and "登记处理情况</button>" not in page


def test_the_handling_page_records_the_action_and_keeps_the_input_on_error(anonymous, client_as, places):
    cid = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "态度差"}).json()["id"]
    town = client_as("town_dispatcher")
    r = town.post(f"/complaints/{cid}/handle", data={"action_taken": "   ", "result": "已告知"}, headers=HTML,
                  follow_redirects=False)
    assert r.status_code == 422 and "请填写处理情况" in r.text and "已告知</textarea>" in r.text
    r = town.post(f"/complaints/{cid}/handle", data={"action_taken": "x" * 2001}, headers=HTML, follow_redirects=False)
    assert r.status_code == 422 and "不能超过 2000 字" in r.text and "x" * 2001 in r.text
    r = town.post(f"/complaints/{cid}/handle", data={"action_taken": "已核实", "result": "y" * 1001}, headers=HTML,
                  follow_redirects=False)
    assert r.status_code == 422 and "处理结果不能超过 1000 字" in r.text
    r = town.post(f"/complaints/{cid}/handle", data={"action_taken": "已核实并批评教育", "result": "已批评教育"},
                  headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    page = town.get(r.headers["location"], headers=HTML).text
    assert "已核实并批评教育" in page and 'id="complaint-result" class="pre-wrap">已批评教育<' in page
    r = town.post(f"/complaints/{cid}/handle", data={"action_taken": "又一次", "result": "又一次"}, headers=HTML)
    assert r.status_code == 409 and "不能重复处理" in r.text


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"content": "   "}, "请填写投诉内容"),
        ({"content": "长" * 1001}, "投诉内容不能超过 1000 字"),
        ({"phone": "12345"}, "联系电话应为 11 位手机号码"),
        ({"phone": "1370000123a"}, "联系电话应为 11 位手机号码"),
        ({"complainant": "名" * 51}, "姓名不能超过 50 字"),
        ({"staff_id": "999999"}, "被投诉人员不在本网格公示的人员中"),
        ({"staff_id": "abc"}, "被投诉人员不在本网格公示的人员中"),
    ],
)
def test_a_bad_complaint_is_refused_with_the_input_kept_and_nothing_written(anonymous, db, places, fields, message):
    before = counts(db)
    sent = {"complainant": "刘群众", "phone": "0511-84441234", **fields}
    r = send_form(anonymous, places.grid, **sent)
    assert r.status_code == 422 and message in r.text
    for key in ("complainant", "phone", "content"):
        if key in sent and sent[key].strip():
            assert f'{sent[key]}</textarea>' in r.text if key == "content" else f'value="{sent[key]}"' in r.text
    api_fields = {k: v for k, v in fields.items() if k != "staff_id"}
    if "staff_id" in fields:
        api_fields["staff_id"] = 999999
    anonymous.cookies.clear()  # an API client holds no CSRF cookie (with one, the door asks for the token)
    r = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints",
                       json={"content": "网格员上门态度生硬", **api_fields})
    assert r.status_code == 422 and message in r.json()["detail"]
    assert counts(db) == before


def test_a_staff_member_no_longer_on_the_board_cannot_be_named(anonymous, db, places):
    gone = add_staff(db, places.grid, "卫已离任", end=utc_now().date() - timedelta(days=2))
    before = counts(db)
    r = send_form(anonymous, places.grid, staff_id=str(gone.id))
    assert r.status_code == 422 and "不在本网格公示的人员中" in r.text
    assert counts(db) == before


def test_a_retired_grid_takes_no_complaint(anonymous, db, places):
    db.execute(update(Grid).where(Grid.code == places.grid).values(status=GridStatus.RETIRED))
    db.flush()
    before = counts(db)
    assert send_form(anonymous, places.grid).status_code == 404
    anonymous.cookies.clear()
    assert anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "x"}).status_code == 404
    assert counts(db) == before


def test_one_address_may_send_only_a_few_complaints_in_a_while(anonymous, db, places):
    for _ in range(RATE_LIMIT):
        assert send_form(anonymous, places.grid).status_code == 303
    r = send_form(anonymous, places.grid, content="第六次")
    assert r.status_code == 429 and "提交过于频繁" in r.text and "第六次" in r.text
    anonymous.cookies.clear()
    r = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "x"})
    assert r.status_code == 429 and "提交过于频繁" in r.json()["detail"]
    assert counts(db)[0] >= RATE_LIMIT


def test_only_agencies_handle_complaints(client_as, anonymous):
    assert client_as("worker").get("/api/v1/complaints").status_code == 403
    assert client_as("dept_cg").get("/complaints", headers=HTML).status_code == 403
    assert anonymous.get("/api/v1/complaints").status_code == 401
    r = anonymous.get("/complaints", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_public_form_passes_the_csrf_check_of_a_browser_that_holds_the_cookie(anonymous, places):
    """A visitor's browser gets the CSRF cookie with the page; the form carries the token, so the
    door's check passes, and a post with the cookie but without the token is refused."""
    html = anonymous.get(f"/board/{places.grid}", headers=HTML).text
    assert anonymous.cookies.get("gridgov_csrf")
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert send_form(anonymous, places.grid, csrf_token=token).status_code == 303
    assert send_form(anonymous, places.grid).status_code == 403
