"""Notices are to-dos or information (issue 14, item 5): a to-do is done when anyone takes its step,
the badge counts open to-dos, the list pages, and the worker who reported a case is told when it is
dispatched and when it closes. On both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import Case, Notification, User
from gridgov.notify import Notice, notify
from gridgov.notify.schemas import INFO_KINDS

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
HTML = {"accept": "text/html"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def second_dispatcher(db, places, app):
    """Another agency user of the town: both are told to accept; either may."""
    create_user(db, SYSTEM, UserCreate(username="town_dispatcher_b", display_name="街道网格站调度员乙",
                                       password="Todo-test-8812", role="agency_dispatcher", scope_code=places.town,
                                       must_change_password=False), now=utc_now(), demo=True)
    db.commit()
    user = db.scalar(select(User).where(User.username == "town_dispatcher_b"))
    with TestClient(app) as c:
        c.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=utc_now() + timedelta(hours=1))
        yield c


def _notices(client, **params) -> dict:
    r = client.get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _open_todos_of_case(db, case_no: str) -> list[Notification]:
    case_id = db.scalar(select(Case.id).where(Case.case_no == case_no))
    db.expire_all()
    return list(db.scalars(select(Notification).where(
        Notification.case_id == case_id, Notification.done_at.is_(None),
        Notification.kind.not_in(sorted(INFO_KINDS)))))


@pytest.mark.req("D3", "D6")
def test_a_todo_is_done_when_anyone_takes_its_step_and_the_reporter_is_told(client_as, places, db,
                                                                             second_dispatcher):
    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = worker.post("/api/v1/cases", json={"title": "桥下积水", "category": category, "source": "patrol",
                                           "grid_code": places.grid, "address": "解放桥"})
    no = r.json()["case_no"]
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))

    def act(client, action, **body):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, r.text

    act(worker, "escalate")
    for who in (town, second_dispatcher):
        todo = [n for n in _notices(who, kind="todo")["items"] if n["case_id"] and no in n["message"]]
        assert len(todo) == 1 and todo[0]["todo"] is True and todo[0]["done_at"] is None
        assert _notices(who)["open_todos"] >= 1
    before = _notices(second_dispatcher)["open_todos"]
    act(town, "accept")  # one agency user accepts: the other's to-do is done too, though never read
    theirs = [n for n in _notices(second_dispatcher, kind="todo")["items"] if no in n["message"]]
    assert theirs[0]["done_at"] is not None and theirs[0]["read_at"] is None
    assert _notices(second_dispatcher)["open_todos"] == before - 1

    act(town, "dispatch", lead_department=lead)
    told = [n for n in _notices(worker, kind="info")["items"] if n["kind"] == "case_dispatched"]
    assert len(told) == 1 and no in told[0]["message"] and told[0]["todo"] is False and "分派" in told[0]["message"]
    assert told[0]["link"] == f"/cases/{no}"
    act(dept, "sign")
    act(dept, "handle", result="已疏通排水口")
    act(town, "check")
    act(town, "feedback", evaluation="satisfied")
    closed = [n for n in _notices(worker, kind="info")["items"] if n["kind"] == "case_closed"]
    assert len(closed) == 1 and no in closed[0]["message"] and "已结案" in closed[0]["message"]
    assert _open_todos_of_case(db, no) == []  # nothing stays to do on a closed case, for anyone
    assert all(n["todo"] is False for n in _notices(worker, kind="info")["items"])


def test_the_list_pages_and_filters_by_kind_and_unread(client_as, places, db):
    worker = client_as("worker")
    uid = db.scalar(select(User.id).where(User.username == "worker"))
    now = utc_now()
    notify(db, [Notice(uid, "escalate" if i % 3 else "clock_warning", f"第 {i} 条", f"page-test:{i}", None, "")
                for i in range(40)], now=now - timedelta(minutes=1))
    db.commit()
    everything = _notices(worker, page_size=200)
    assert set(everything) == {"items", "total", "page", "page_size", "unread", "open_todos"}
    first = _notices(worker, page_size=10)
    assert first["total"] == everything["total"] >= 40 and len(first["items"]) == 10 and first["page"] == 1
    pages = [n["id"] for p in range(1, 4) for n in _notices(worker, page_size=10, page=p)["items"]]
    assert pages == [n["id"] for n in everything["items"]][:30]
    todos, infos = _notices(worker, kind="todo", page_size=200), _notices(worker, kind="info", page_size=200)
    assert todos["total"] + infos["total"] == everything["total"]
    assert all(n["todo"] for n in todos["items"]) and not any(n["todo"] for n in infos["items"])
    assert todos["total"] == everything["open_todos"]
    worker.post("/api/v1/notifications/read", json={"ids": [first["items"][0]["id"]]})
    assert _notices(worker, unread="true")["total"] == everything["total"] - 1
    for bad in ({"kind": "other"}, {"page": 0}, {"page_size": 0}, {"page_size": 201}, {"unread": "maybe"}):
        r = worker.get("/api/v1/notifications", params=bad)
        assert r.status_code == 422 and any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"]), bad
    page = worker.get("/notifications?kind=todo&page=1", headers=HTML)
    assert page.status_code == 200 and 'data-todo="info"' not in page.text and 'data-todo="open"' in page.text
    assert f'data-total="{todos["total"]}"' in page.text and "/notifications?kind=todo&amp;page=2" in page.text


def test_an_instructions_todo_is_done_when_the_worker_completes_it(client_as, places, db):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    category = town.get("/api/v1/case-categories", params={"place": places.grid}).json()[0]["code"]
    r = town.post("/api/v1/instructions", json={
        "kind": "clue", "grid_code": places.grid, "title": "核查楼顶搭建", "content": "花园路 3 号楼顶疑似搭建",
        "category": category, "due_at": (utc_now() + timedelta(days=2)).isoformat()})
    assert r.status_code == 201, r.text
    inst = r.json()["id"]
    mine = [n for n in _notices(worker, kind="todo")["items"] if n["link"] == f"/instructions/{inst}"]
    assert len(mine) == 1 and mine[0]["done_at"] is None
    r = worker.post(f"/api/v1/instructions/{inst}/complete", json={"result": "已核查，情况属实"})
    assert r.status_code == 200, r.text
    mine = [n for n in _notices(worker, kind="todo")["items"] if n["link"] == f"/instructions/{inst}"]
    assert mine[0]["done_at"] is not None
