"""Supervision orders (督办, D7): only the target answers, once; the answer is a file entry and the
issuer is told; what lies outside the caller's jurisdiction is missing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service
from gridgov.kit.clock import utc_now
from gridgov.models import Case, CaseLogEntry, Notification, SupervisionOrder, User

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _act(client, no, action, **body):
    r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _case(client_as, places, db, *, dispatch: bool = True) -> str:
    worker, town = client_as("worker"), client_as("town_dispatcher")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = worker.post("/api/v1/cases", json={"title": "小区路灯不亮", "category": category, "source": "patrol",
                                           "grid_code": places.grid, "address": "花园路 3 号"})
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    _act(worker, no, "escalate")
    if dispatch:
        _act(town, no, "accept")
        lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
        _act(town, no, "dispatch", lead_department=lead)
    return no


def _supervise(client, no, hours=48):
    due = (utc_now() + timedelta(hours=hours)).isoformat()
    _act(client, no, "supervise", instruction="请于两日内办结并报告", due_at=due)
    orders = client.get(f"/api/v1/cases/{no}/supervision").json()
    return orders[-1]


def _order_id(db, no):
    case_id = db.scalar(select(Case.id).where(Case.case_no == no))
    return db.scalar(select(SupervisionOrder.id).where(SupervisionOrder.case_id == case_id)
                     .order_by(SupervisionOrder.id.desc()))


@pytest.mark.req("D7")
def test_the_target_department_answers_and_the_answer_is_filed_and_the_issuer_told(client_as, places, db):
    no = _case(client_as, places, db)
    county, dept = client_as("county_dispatcher"), client_as("dept_cg")
    order = _supervise(county, no)
    assert order["status"] == "open" and order["target_department_code"] and order["can_answer"] is False

    mine = dept.get("/api/v1/supervision?open=true").json()
    assert [o["id"] for o in mine] == [order["id"]] and mine[0]["can_answer"] is True

    r = dept.post(f"/api/v1/supervision/{order['id']}/answer", json={"answer": "已安排维修，明日完成"})
    assert r.status_code == 200, r.text
    answered = r.json()
    assert answered["status"] == "answered" and answered["answer"] == "已安排维修，明日完成"
    assert answered["answered_by"] == "区城管受理员" and answered["late"] is False and answered["can_answer"] is False
    assert "+08:00" in r.text

    log = dept.get(f"/api/v1/cases/{no}/log").json()
    assert log[-1]["action"] == "answer_supervision" and log[-1]["note"] == "已安排维修，明日完成"
    assert log[-1]["from_state"] == log[-1]["to_state"] == "dispatched"
    assert service.verify_files(db, no) == {}
    issuer = db.scalar(select(User.id).where(User.username == "county_dispatcher"))
    told = db.scalars(select(Notification.message).where(Notification.user_id == issuer,
                                                          Notification.kind == "supervision_answered")).all()
    assert len(told) == 1 and no in told[0] and "已安排维修" in told[0]
    assert dept.get("/api/v1/supervision?open=true").json() == []


def test_answering_twice_is_409_and_changes_nothing(client_as, places, db):
    no = _case(client_as, places, db)
    order = _supervise(client_as("county_dispatcher"), no)
    dept = client_as("dept_cg")
    assert dept.post(f"/api/v1/supervision/{order['id']}/answer", json={"answer": "已处理"}).status_code == 200
    entries = len(dept.get(f"/api/v1/cases/{no}/log").json())
    again = dept.post(f"/api/v1/supervision/{order['id']}/answer", json={"answer": "再答一次"})
    assert again.status_code == 409 and "已答复" in again.json()["detail"]
    assert len(dept.get(f"/api/v1/cases/{no}/log").json()) == entries
    assert client_as("town_dispatcher").get(f"/api/v1/cases/{no}/supervision").json()[0]["answer"] == "已处理"


def test_only_the_target_answers_and_outside_the_jurisdiction_it_is_missing(client_as, places, db):
    no = _case(client_as, places, db)
    order = _supervise(client_as("county_dispatcher"), no)
    url = f"/api/v1/supervision/{order['id']}/answer"
    body = {"answer": "我来答复"}

    town = client_as("town_dispatcher").post(url, json=body)  # sees the case, is not the target
    assert town.status_code == 403 and "被督办" in town.json()["detail"]
    assert client_as("worker").post(url, json=body).status_code == 403
    hidden = client_as("worker2").post(url, json=body)
    other_dept = client_as("dept_sc").post(url, json=body)  # the case was not dispatched to it
    missing = client_as("dept_cg").post("/api/v1/supervision/999999/answer", json=body)
    assert hidden.status_code == other_dept.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(order["id"]), "N") == missing.json()["detail"].replace("999999", "N")
    assert client_as("worker2").get(f"/api/v1/cases/{no}/supervision").status_code == 404

    empty = client_as("dept_cg").post(url, json={"answer": "  "})
    assert empty.status_code == 422 and "答复" in empty.json()["detail"]
    db.expire_all()
    assert db.get(SupervisionOrder, order["id"]).answered_at is None


def test_an_order_on_a_case_not_yet_dispatched_is_answered_by_the_agency_handling_it(client_as, places, db):
    no = _case(client_as, places, db, dispatch=False)
    order = _supervise(client_as("county_dispatcher"), no, hours=4)
    assert order["target_department_code"] is None and order["target_area_code"] == places.town
    town = client_as("town_dispatcher")
    assert [o["id"] for o in town.get("/api/v1/supervision").json()] == [order["id"]]
    assert client_as("dept_cg").get("/api/v1/supervision").json() == []
    r = town.post(f"/api/v1/supervision/{order['id']}/answer", json={"answer": "今日受理"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    entry = db.scalars(select(CaseLogEntry).join(Case, Case.id == CaseLogEntry.case_id)
                       .where(Case.case_no == no).order_by(CaseLogEntry.seq.desc())).first()
    assert entry.action == "answer_supervision" and entry.actor == "town_dispatcher"
    assert entry.data["supervision_order"] == order["id"]


@pytest.mark.req("D7")
def test_a_late_answer_says_it_was_late(client_as, places, db):
    from gridgov.cases.supervision import answer_order

    from .test_case_sweep import principal

    no = _case(client_as, places, db)
    order = _supervise(client_as("county_dispatcher"), no, hours=1)
    answer_order(db, principal(db, "dept_cg"), order["id"], "已办结", now=utc_now() + timedelta(hours=2))
    issuer = db.scalar(select(User.id).where(User.username == "county_dispatcher"))
    told = db.scalar(select(Notification.message).where(Notification.user_id == issuer,
                                                         Notification.kind == "supervision_answered"))
    assert "已超过督办期限" in told
