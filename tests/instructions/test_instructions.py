"""Instructions (统一交办, D9): the agency sends work to a grid's workers, who complete it and may open
a case from it; a department cannot send, it asks and the agency approves or refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.cases.service import category_choices
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, Case, Instruction, Notification, User

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


CATEGORY = "zj12_02"


@pytest.fixture(autouse=True)
def category(db, places, app, monkeypatch):
    """A category the demo grid may name today: the profile's until a list governs the grid, then a
    matter in force there (see tests/catalogue/test_catalogue_hold.py)."""
    choices = category_choices(db, places.grid, local(utc_now()).date(), app.state.profile)
    monkeypatch.setattr(f"{__name__}.CATEGORY", choices[0]["code"])


def _body(grid, **extra):
    return {"kind": "clue", "grid_code": grid, "title": "核查群众反映的违建线索", "content": "花园路 3 号楼顶疑似搭建",
            "category": CATEGORY, "due_at": (utc_now() + timedelta(days=2)).isoformat(), **extra}


def _told(db, username, kind):
    uid = db.scalar(select(User.id).where(User.username == username))
    return db.scalars(select(Notification.message).where(Notification.user_id == uid, Notification.kind == kind)).all()


def _count(db):
    return db.scalar(select(func.count()).select_from(Instruction))


@pytest.mark.req("D1", "E2")
def test_the_agency_sends_and_a_worker_completes_and_opens_a_case(client_as, places, db):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    r = town.post("/api/v1/instructions", json=_body(places.grid))
    assert r.status_code == 201, r.text
    inst = r.json()
    assert inst["status"] == "sent" and inst["kind_label"] == "待核查线索" and "+08:00" in r.text
    assert len(_told(db, "worker", "instruction_sent")) == len(_told(db, "leader", "instruction_sent")) == 1
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "instruction")) == "instruction_sent"
    assert [i["id"] for i in worker.get("/api/v1/instructions").json()] == [inst["id"]]
    assert client_as("worker2").get(f"/api/v1/instructions/{inst['id']}").status_code == 404

    r = worker.post(f"/api/v1/instructions/{inst['id']}/case", json={"description": "楼顶确有彩钢棚"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "verified" and case["grid_code"] == places.grid and case["title"] == inst["title"]
    assert db.scalar(select(Case.instruction_id).where(Case.case_no == case["case_no"])) == inst["id"]
    again = worker.post(f"/api/v1/instructions/{inst['id']}/case", json={})
    assert again.status_code == 409 and case["case_no"] in again.json()["detail"]

    assert worker.post(f"/api/v1/instructions/{inst['id']}/complete", json={"result": " "}).status_code == 422
    assert town.post(f"/api/v1/instructions/{inst['id']}/complete", json={"result": "已核查"}).status_code == 403
    r = worker.post(f"/api/v1/instructions/{inst['id']}/complete", json={"result": "已核查，登记为事项"})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["case_no"] == case["case_no"]
    assert len(_told(db, "town_dispatcher", "instruction_completed")) == 1
    assert worker.post(f"/api/v1/instructions/{inst['id']}/complete", json={"result": "再办一次"}).status_code == 409


@pytest.mark.req("D9")
def test_a_department_cannot_send_and_is_told_to_ask_the_agency(client_as, places, db):
    before = _count(db)
    r = client_as("dept_cg").post("/api/v1/instructions", json=_body(places.grid))
    assert r.status_code == 403
    assert "网格化治理机构" in r.json()["detail"] and "申请" in r.json()["detail"]
    assert _count(db) == before


@pytest.mark.req("D9")
def test_a_department_request_reaches_the_grid_only_when_the_agency_approves(client_as, places, db):
    dept, town, worker = client_as("dept_cg"), client_as("town_dispatcher"), client_as("worker")
    r = dept.post("/api/v1/instruction-requests", json=_body(places.grid, kind="work_order", title="协助排查占道经营"))
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "requested" and req["requested_by_department_name"]
    assert _told(db, "worker", "instruction_sent") == []
    assert worker.get(f"/api/v1/instructions/{req['id']}").status_code == 404
    assert req["id"] not in [i["id"] for i in worker.get("/api/v1/instructions").json()]
    assert len(_told(db, "town_dispatcher", "instruction_requested")) == 1
    assert [i["id"] for i in dept.get("/api/v1/instructions").json()] == [req["id"]]

    assert worker.post(f"/api/v1/instructions/{req['id']}/approve", json={}).status_code == 404  # not sent: unseen
    assert dept.post(f"/api/v1/instructions/{req['id']}/approve", json={}).status_code == 403
    r = town.post(f"/api/v1/instructions/{req['id']}/approve", json={"reason": "同意，请网格员协助"})
    assert r.status_code == 200 and r.json()["status"] == "sent"
    assert len(_told(db, "worker", "instruction_sent")) == 1
    assert len(_told(db, "dept_cg", "instruction_approved")) == 1  # the requester hears it was approved
    assert worker.get(f"/api/v1/instructions/{req['id']}").status_code == 200
    assert town.post(f"/api/v1/instructions/{req['id']}/approve", json={}).status_code == 409


def test_the_agency_refuses_a_request_with_a_reason(client_as, places, db):
    dept, town = client_as("dept_cg"), client_as("town_dispatcher")
    req = dept.post("/api/v1/instruction-requests", json=_body(places.grid)).json()
    no_reason = town.post(f"/api/v1/instructions/{req['id']}/refuse", json={})
    assert no_reason.status_code == 422 and "理由" in no_reason.json()["detail"]
    r = town.post(f"/api/v1/instructions/{req['id']}/refuse", json={"reason": "属于部门法定职责，不得交网格承担"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert "不得交网格承担" in _told(db, "dept_cg", "instruction_refused")[0]
    assert _told(db, "worker", "instruction_sent") == []


def test_bad_instructions_are_refused_in_chinese_and_nothing_is_stored(client_as, places, db):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    before = _count(db)
    bad_category = town.post("/api/v1/instructions", json=_body(places.grid, category="nonsense"))
    assert bad_category.status_code == 422 and "nonsense" in bad_category.json()["detail"]
    past = town.post("/api/v1/instructions",
                     json=_body(places.grid, due_at=(utc_now() - timedelta(hours=1)).isoformat()))
    assert past.status_code == 422 and "期限" in past.json()["detail"]
    naive = town.post("/api/v1/instructions", json=_body(places.grid, due_at="2030-01-01T00:00:00"))
    assert naive.status_code == 422
    outside = town.post("/api/v1/instructions", json=_body(places.grid2))
    assert outside.status_code == 404 and places.grid2 in outside.json()["detail"]
    by_worker = worker.post("/api/v1/instructions", json=_body(places.grid))
    assert by_worker.status_code == 403
    assert client_as("worker").post("/api/v1/instruction-requests", json=_body(places.grid)).status_code == 403
    assert _count(db) == before


def test_a_higher_agency_covering_the_grid_may_send(client_as, places):
    r = client_as("county_dispatcher").post("/api/v1/instructions", json=_body(places.grid, kind="work_order"))
    assert r.status_code == 201 and r.json()["kind_label"] == "工作指令"
