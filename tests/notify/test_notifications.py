"""My notices: listed and marked read through the API and the page, only ever my own; the header
badge counts the unread ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from gridgov.models import Notification, User
from gridgov.notify import Notice, notify

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
HTML = {"accept": "text/html"}


def _uid(db, username):
    return db.scalar(select(User.id).where(User.username == username))


@pytest.fixture
def seeded(db):
    worker, leader = _uid(db, "worker"), _uid(db, "leader")
    notify(db, [
        Notice(worker, "clock_warning", "事项 A「井盖缺失」的上报时限即将到期，请抓紧办理", "t:1", None, "/cases/A"),
        Notice(worker, "clock_overdue", "事项 B「占道经营」的上报时限已超期，请尽快办理", "t:2", None, "/cases/B"),
        Notice(worker, "escalate", "外部链接不应出现", "t:3", None, "https://evil.example/"),
        Notice(leader, "clock_warning", "给网格长的通知", "t:4"),
    ], now=NOW)
    db.flush()
    return {n.message: n.id for n in db.scalars(select(Notification))}


def test_i_list_my_notices_and_mark_some_read(client_as, seeded, db):
    worker = client_as("worker")
    got = worker.get("/api/v1/notifications").json()
    assert got["unread"] == 3 and len(got["items"]) == 3
    assert "给网格长的通知" not in {n["message"] for n in got["items"]}
    assert {n["kind_label"] for n in got["items"]} >= {"时限预警", "超期"}
    assert next(n for n in got["items"] if "外部链接" in n["message"])["link"] == ""

    first = seeded["事项 A「井盖缺失」的上报时限即将到期，请抓紧办理"]
    leaders = seeded["给网格长的通知"]
    r = worker.post("/api/v1/notifications/read", json={"ids": [first, leaders]})
    assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 2}  # the leader's notice is not mine
    assert [n["id"] for n in worker.get("/api/v1/notifications?unread=true").json()["items"]].count(first) == 0
    assert client_as("leader").get("/api/v1/notifications").json()["unread"] == 1

    assert worker.post("/api/v1/notifications/read", json={"all": True}).json() == {"marked": 2, "unread": 0}


def test_marking_read_needs_ids_or_all_and_says_so_in_chinese(client_as, seeded):
    worker = client_as("worker")
    for body in ({}, {"ids": []}, {"ids": [1], "all": True}):
        r = worker.post("/api/v1/notifications/read", json=body)
        assert r.status_code == 422 and "二者选一" in r.json()["detail"]
    assert worker.get("/api/v1/notifications").json()["unread"] == 3


def test_notices_need_a_login(anonymous):
    assert anonymous.get("/api/v1/notifications").status_code == 401
    assert anonymous.get("/notifications", headers=HTML, follow_redirects=False).status_code == 303


def test_the_page_lists_my_notices_with_links_and_marks_them_read(client_as, seeded):
    worker = client_as("worker")
    page = worker.get("/notifications", headers=HTML)
    assert page.status_code == 200 and "我的通知" in page.text
    assert 'href="/cases/A"' in page.text and "给网格长的通知" not in page.text
    assert "https://evil.example/" not in page.text
    assert re.search(r"未读 <strong>3</strong>", page.text)

    first = seeded["事项 A「井盖缺失」的上报时限即将到期，请抓紧办理"]
    fragment = worker.post("/notifications/read", data={"ids": str(first)}, headers={**HTML, "HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert re.search(r"未读 <strong>2</strong>", fragment.text)

    done = worker.post("/notifications/read", data={"all": "true"}, headers=HTML, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    assert "没有未读通知" in worker.get("/notifications?unread=true", headers=HTML).text

    bad = worker.post("/notifications/read", data={}, headers=HTML)
    assert bad.status_code == 422 and "二者选一" in bad.text


def test_the_badge_counts_my_open_todos_not_information_and_reading_does_not_clear_it(client_as, seeded, db):
    worker = client_as("worker")
    badge = worker.get("/notifications/badge", headers={**HTML, "HX-Request": "true"})
    # three unread notices, of which one to-do (the two clock notices are information)
    assert badge.status_code == 200 and 'data-todo="1"' in badge.text and "<html" not in badge.text
    worker.post("/api/v1/notifications/read", json={"all": True})
    assert 'data-todo="1"' in worker.get("/notifications/badge", headers=HTML).text
    db.execute(update(Notification).where(Notification.dedupe_key == "t:3").values(done_at=NOW))
    db.flush()
    empty = worker.get("/notifications/badge", headers=HTML)
    assert "data-todo" not in empty.text and 'href="/notifications"' in empty.text


def test_a_cookie_form_without_the_csrf_token_is_refused(page_client):
    r = page_client.post("/notifications/read", data={"all": "true"}, headers=HTML)
    assert r.status_code == 403


@pytest.fixture
def page_client(app):
    """A browser-like client logged in with the session cookie (no bearer token)."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.get("/login", headers=HTML)
        r = c.post("/login", data={"username": "worker", "password": "demo12345", "next": "/",
                                   "csrf_token": c.cookies.get("gridgov_csrf")}, headers=HTML, follow_redirects=False)
        assert r.status_code == 303, r.text
        yield c
