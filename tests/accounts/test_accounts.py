"""Logging in, lockout, tokens, CSRF, and each role seeing exactly its jurisdiction."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from gridgov.accounts.demo import demo_places
from gridgov.models import AuditEntry, User
from gridgov.territory.rules import scope_prefix

CITY = "321100000000"


def test_a_token_is_issued_for_the_right_password_only(anonymous):
    r = anonymous.post("/api/v1/auth/token", json={"username": "worker", "password": "demo12345"})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    me = anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["role"] == "fulltime" and len(me.json()["scope_code"]) == 15
    r = anonymous.post("/api/v1/auth/token", json={"username": "worker", "password": "wrong-pass1"})
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
    r = anonymous.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-pass1"})
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"


def test_repeated_failures_lock_the_account_and_are_audited(anonymous, db):
    for _ in range(5):
        r = anonymous.post("/api/v1/auth/token", json={"username": "leader", "password": "wrong-pass1"})
    assert r.status_code == 429 and "锁定" in r.json()["detail"] and int(r.headers["retry-after"]) > 0
    r = anonymous.post("/api/v1/auth/token", json={"username": "leader", "password": "demo12345"})
    assert r.status_code == 429 and "锁定" in r.json()["detail"]
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.actor == "leader")).all()
    assert actions.count("login_failed") >= 5 and "login_locked" in actions


def test_no_credentials_is_401_for_the_api_and_a_login_redirect_for_pages(anonymous):
    assert anonymous.get("/api/v1/grids").status_code == 401
    r = anonymous.get("/grids", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/grids")


@pytest.mark.req("E5")
def test_each_role_sees_exactly_its_jurisdiction(client_as, db):
    places = demo_places(db, CITY)
    seen = {}
    for username in ("city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "dept_cg"):
        body = client_as(username).get("/api/v1/grids", params={"page_size": 200}).json()
        seen[username] = body["total"]
        user = db.scalar(select(User).where(User.username == username))
        assert all(g["code"].startswith(scope_prefix(user.scope_code)) for g in body["items"]), username
    assert seen["city_admin"] > seen["county_dispatcher"] > seen["town_dispatcher"] > seen["worker"] == 1
    assert seen["dept_cg"] == seen["county_dispatcher"]
    worker = client_as("worker")
    assert worker.get(f"/api/v1/grids/{places.grid}").status_code == 200
    other = worker.get(f"/api/v1/grids/{places.grid2}")
    assert other.status_code == 404 and other.json()["detail"] == f"网格 {places.grid2} 不存在"
    assert worker.get(f"/api/v1/areas/{places.town2}").status_code == 404
    assert client_as("town_dispatcher").get(f"/api/v1/areas/{places.county2}/coverage").status_code == 404


def test_a_role_without_the_permission_gets_403_and_the_denial_is_logged(client_as, db):
    r = client_as("auditor").get("/api/v1/grids")
    assert r.status_code == 403 and "审计员" in r.json()["detail"]
    assert db.scalar(select(AuditEntry).where(AuditEntry.actor == "auditor", AuditEntry.action == "denied")) is not None


def test_a_denied_write_is_logged_once_the_request_has_rolled_back(fresh_url, tmp_path):
    """A write request holds SQLite's write lock from BEGIN; its denial is logged after that
    transaction ends, in one of its own (on a real file, not the tests' shared connection)."""
    from fastapi.testclient import TestClient

    from gridgov.app import create_app
    from gridgov.db import make_engine, make_sessionmaker, unit_of_work

    from ..conftest import build_demo_into, make_settings

    engine = make_engine(fresh_url)
    build_demo_into(engine)
    with TestClient(create_app(make_settings(fresh_url, tmp_path), engine=engine)) as c:
        token = c.post("/api/v1/auth/token",
                       json={"username": "worker", "password": "demo12345"}).json()["access_token"]
        r = c.post("/api/v1/users", json={"username": "x1"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    with unit_of_work(make_sessionmaker(engine)) as session:
        denied = session.scalar(select(AuditEntry).where(AuditEntry.actor == "worker", AuditEntry.action == "denied"))
    engine.dispose()
    assert denied is not None and denied.object_id == "POST /api/v1/users"


def test_the_demo_password_is_refused_outside_demo_mode(app, anonymous):
    app.state.settings = app.state.settings.model_copy(update={"demo": False})
    r = anonymous.post("/api/v1/auth/token", json={"username": "worker", "password": "demo12345"})
    assert r.status_code == 401 and "演示密码" in r.json()["detail"]


def test_changing_the_password_ends_earlier_tokens(anonymous):
    token = anonymous.post("/api/v1/auth/token",
                           json={"username": "worker2", "password": "demo12345"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = anonymous.post("/api/v1/auth/password", json={"old_password": "demo12345", "new_password": "short"},
                       headers=auth)
    assert r.status_code == 422 and "8" in r.json()["detail"]
    r = anonymous.post("/api/v1/auth/password", json={"old_password": "demo12345", "new_password": "Grid2026pass"},
                       headers=auth)
    assert r.status_code == 204
    assert anonymous.get("/api/v1/auth/me", headers=auth).status_code == 401


def test_the_login_form_needs_its_csrf_token_and_sets_an_httponly_cookie(anonymous):
    page = anonymous.get("/login")
    assert page.status_code == 200 and "演示账号" in page.text and "town_dispatcher" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = anonymous.post("/login", data={"username": "worker", "password": "demo12345"}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = anonymous.post("/login", data={"username": "worker", "password": "demo12345", "csrf_token": token},
                       follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "gridgov_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    token = anonymous.cookies["gridgov_csrf"]  # the login issued a new one
    r = anonymous.post("/login", data={"username": "worker", "password": "nope-nope1", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = anonymous.get("/login", params={"next": "https://evil.example/"})
    assert 'value="/"' in r.text


@pytest.mark.req("E1")
@pytest.mark.parametrize(("username", "landing"),
                         [("worker", "/cases/mine"), ("auditor", "/audit"), ("security_admin", "/users")])
def test_a_login_lands_on_the_first_page_the_role_may_open(anonymous, username, landing):
    token = anonymous.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    r = anonymous.post("/login", data={"username": username, "password": "demo12345", "csrf_token": token},
                       follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == landing
    assert anonymous.get(landing, headers={"accept": "text/html"}).status_code == 200


@pytest.mark.req("E5")
def test_the_audit_log_refuses_updates_and_deletes(db, backend):
    db.execute(text("INSERT INTO audit_log (at, actor, role, action, object_type, object_id, area_code, detail, ip) "
                    "VALUES (CURRENT_TIMESTAMP, 'x', '', 'probe', '', '', '', '', '')"))
    for statement in ("UPDATE audit_log SET detail = 'changed'", "DELETE FROM audit_log"):
        nested = db.begin_nested()
        with pytest.raises(Exception, match="审计日志只能追加"):
            db.execute(text(statement))
        nested.rollback()


@pytest.mark.setting("departments")
def test_departments_are_listed_by_area(client):
    county = client.get("/api/v1/areas", params={"parent": CITY}).json()[0]["code"]
    depts = client.get("/api/v1/departments", params={"area": county}).json()
    assert {"code", "name", "level", "area_code"} <= set(depts[0])
    assert {d["area_code"] for d in depts} == {county} and any(d["code"] == f"{county}-chengguan" for d in depts)
