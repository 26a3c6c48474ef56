"""The resident channel through the JSON API on both databases (issue 17): a resident reports with a
pin given in GCJ-02, tracks its case, the staff take it through the real API, the resident evaluates
unsatisfied and the case reopens; wrong codes read like unknown cases; the timeline names no one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service
from gridgov.models import Case, CaseLogEntry, User
from gridgov.models.resident import ResidentReport
from gridgov.public import report_api

from .resident import challenge, gcj02, inside, last_sms, report, sms_code

CITY = "321100000000"
PHONE = "13912345678"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.mark.req("D6")
def test_a_resident_reports_tracks_evaluates_unsatisfied_and_the_case_reopens(anonymous, client_as, app, db, places):
    point = inside(db, places.grid)
    r = report(anonymous, app, gcj02(*point), db=db, crs="gcj02", phone=PHONE)
    assert r.status_code == 201, r.text
    got = r.json()
    no, code = got["case_no"], got["tracking_code"]
    assert got["state"] == "reported" and len(code.replace("-", "")) == 12

    case = db.scalar(select(Case).where(Case.case_no == no))
    assert case.source == "resident" and case.grid_code == places.grid and case.reporter_user_id is None
    assert case.created_by is None and abs(case.lon - point[0]) < 1e-5 and abs(case.lat - point[1]) < 1e-5
    stored = db.scalar(select(ResidentReport).where(ResidentReport.case_no == no))
    assert PHONE.encode() not in stored.phone_enc and code.replace("-", "") not in stored.tracking_hash
    first = db.scalar(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id))
    assert (first.actor_id, first.role, first.action) == (None, "public", "create")
    assert PHONE not in str(first.data) and PHONE not in first.note

    received = last_sms(db, "report_received")
    assert received.case_id == case.id and no in received.text and code in received.text
    assert PHONE not in received.text and received.phone_mask != PHONE

    tracked = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code.lower()})
    assert tracked.status_code == 200, tracked.text
    assert tracked.json()["state_label"] == "待核实"
    assert [s["label"] for s in tracked.json()["timeline"]] == ["已收到上报"]

    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))

    def act(client, action, **body):
        a = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert a.status_code == 200, a.text
        return a.json()

    act(worker, "verify")
    assert last_sms(db, "accepted").case_id == case.id  # the messages part tells the resident (cases/resident_messages)
    act(worker, "escalate")
    act(town, "accept")
    act(town, "dispatch", lead_department=lead)
    act(dept, "sign")
    act(dept, "handle", result="已更换路灯灯泡，恢复照明", note="内部：王师傅处理")
    act(town, "check")

    evaluation = {"code": code, "evaluation": "unsatisfied", "comment": "晚上还是不亮"}
    premature = anonymous.post("/api/v1/public/cases/NOPE/evaluation", json=evaluation)
    assert premature.status_code == 404
    done = anonymous.post(f"/api/v1/public/cases/{no}/evaluation", json=evaluation)
    assert done.status_code == 200, done.text
    assert done.json()["reopened"] is True and done.json()["state"] == "in_progress"
    assert "重新办理" in done.json()["message"]

    timeline = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code})
    body = timeline.json()
    assert body["state"] == "in_progress" and body["may_evaluate"] is False and body["result"] == ""
    assert [s["label"] for s in body["timeline"]] == [
        "已收到上报", "网格员已核实", "已上报网格化机构", "网格化机构已受理", "已分派职能部门办理",
        "职能部门已签收办理", "职能部门已办结", "办理结果已核查", "已评价，事件已结案", "已重新办理"]
    staff = db.execute(select(User.username, User.display_name)
                       .where(User.username.in_(["worker", "town_dispatcher", "dept_cg"]))).all()
    text = timeline.text
    assert len(staff) == 3
    for username, name in staff:
        assert username not in text and name not in text
    assert "王师傅" not in text and PHONE not in text and PHONE[-4:] not in text

    log = [e["action"] for e in town.get(f"/api/v1/cases/{no}/log").json()]
    assert log[-2:] == ["feedback", "reopen"]
    db.expire_all()
    assert service.verify_files(db, no) == {}
    assert db.scalar(select(ResidentReport.evaluation).where(ResidentReport.case_no == no)) == "unsatisfied"


def test_a_wrong_code_answers_like_an_unknown_case(anonymous, app, db, places):
    no = report(anonymous, app, inside(db, places.grid), db=db).json()["case_no"]
    wrong = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": "AAAA-BBBB-CCCC"})
    unknown = anonymous.get("/api/v1/public/cases/321102-20990101-00001", params={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]
    evaluation = anonymous.post(f"/api/v1/public/cases/{no}/evaluation",
                                json={"code": "AAAA-BBBB-CCCC", "evaluation": "satisfied"})
    assert evaluation.status_code == 404


def test_a_pin_outside_every_grid_is_refused_in_chinese_and_writes_nothing(anonymous, app, db):
    before = db.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    r = report(anonymous, app, (100.0, 40.0), db=db)
    assert r.status_code == 422 and "不在本平台任何网格内" in r.json()["detail"]
    assert db.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) == before


def test_a_wrong_challenge_answer_is_refused(anonymous, app, db, places):
    code = sms_code(anonymous, db, PHONE)
    c = challenge(anonymous)
    c["challenge_answer"] = str(int(c["challenge_answer"]) + 1)
    r = report(anonymous, app, inside(db, places.grid), sms_code=code, **c)
    assert r.status_code == 422 and "验证题" in r.json()["detail"]
    c = challenge(anonymous)
    assert report(anonymous, app, inside(db, places.grid), sms_code=code, **c).status_code == 201
    again = report(anonymous, app, inside(db, places.grid), sms_code=code, **c)  # a challenge is taken once
    assert again.status_code == 422 and "验证题" in again.json()["detail"]


def test_the_sms_code_is_required_where_a_channel_is_configured_and_taken_once(anonymous, app, db, places):
    point = inside(db, places.grid)
    missing = report(anonymous, app, point, sms_code="")
    assert missing.status_code == 422 and "短信验证码" in missing.json()["detail"]
    assert "/api/v1/public/sms-codes" in missing.json()["detail"] and "/dev/outbox" in missing.json()["detail"]
    code = sms_code(anonymous, db, PHONE)
    wrong = report(anonymous, app, point, sms_code=str((int(code) + 1) % 1_000_000).zfill(6))
    assert wrong.status_code == 422
    assert report(anonymous, app, point, sms_code=code).status_code == 201
    assert report(anonymous, app, point, sms_code=code).status_code == 422  # used


def test_a_phone_proven_by_an_sms_code_lists_its_reports_and_its_pass_opens_only_them(anonymous, app, db, places,
                                                                                       monkeypatch):
    point = inside(db, places.grid)
    mine = report(anonymous, app, point, db=db, phone=PHONE).json()["case_no"]
    other = report(anonymous, app, point, db=db, phone="13800000000").json()["case_no"]
    later = datetime.now(UTC) + timedelta(seconds=61)  # the phone's next code, a minute on
    monkeypatch.setattr(report_api, "utc_now", lambda: later)
    wrong = anonymous.post("/api/v1/public/lookup", json={"phone": PHONE, "sms_code": "000000"})
    assert wrong.status_code == 422 and "验证码" in wrong.json()["detail"]
    code = sms_code(anonymous, db, PHONE, purpose="track")
    r = anonymous.post("/api/v1/public/lookup", json={"phone": PHONE, "sms_code": code})
    assert r.status_code == 200, r.text
    got = r.json()
    assert [c["case_no"] for c in got["cases"]] == [mine] and PHONE not in r.text
    assert anonymous.get(f"/api/v1/public/cases/{mine}", params={"code": got["access"]}).status_code == 200
    assert anonymous.get(f"/api/v1/public/cases/{other}", params={"code": got["access"]}).status_code == 404
    again = anonymous.post("/api/v1/public/lookup", json={"phone": PHONE, "sms_code": code})
    assert again.status_code == 422  # a code is taken once


def test_without_an_sms_channel_a_report_needs_no_code_and_no_code_can_be_asked(db_connection, tmp_path, db, places):
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import sessionmaker

    from gridgov.app import create_app
    from gridgov.config import Settings

    from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY

    settings = Settings(demo=False, database_url=str(db_connection.engine.url), profile=DEMO_PROFILE,
                        var_dir=tmp_path, secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with TestClient(app) as client:
        asked = client.post("/api/v1/public/sms-codes", json={"phone": PHONE, "purpose": "report",
                                                               **challenge(client)})
        assert asked.status_code == 422 and "未配置短信通道" in asked.json()["detail"]
        r = report(client, app, inside(db, places.grid))
        assert r.status_code == 201, r.text
        page = client.get("/track", headers={"Accept": "text/html"})
        assert "凭手机号和短信验证码" not in page.text
    assert last_sms(db, "report_received").case_id is not None  # stored, marked unsent by the job
