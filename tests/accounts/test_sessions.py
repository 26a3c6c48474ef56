"""Ending sessions: logging out (page and API), a password change or reset, disabling, re-roling and
re-scoping a user end that user's cookies and bearer tokens at once, not when they expire."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.models import AuditEntry, User

CITY = "321100000000"
HTML = {"accept": "text/html"}


def fresh_token(app, username: str, password: str = "demo12345") -> dict:
    """The Authorization header of a token issued now (not the tests' cached one)."""
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def cookie_login(app, username: str) -> tuple[TestClient, str]:
    c = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": "demo12345", "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c, c.cookies["gridgov_csrf"]  # the login rotates the CSRF token


def me(app, headers: dict) -> int:
    with TestClient(app) as c:
        return c.get("/api/v1/auth/me", headers=headers).status_code


def test_api_logout_ends_the_token_at_once(app, db):
    auth = fresh_token(app, "worker")
    assert me(app, auth) == 200
    with TestClient(app) as c:
        assert c.post("/api/v1/auth/logout", headers=auth).status_code == 204
        assert c.get("/api/v1/auth/me", headers=auth).status_code == 401
        assert c.get("/api/v1/grids", headers=auth).status_code == 401
        assert c.post("/api/v1/auth/logout", headers=auth).status_code == 401
        assert c.post("/api/v1/auth/logout").status_code == 401
    uid = db.scalar(select(User.id).where(User.username == "worker"))
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "logout",
                                              AuditEntry.object_id == str(uid))) is not None
    assert me(app, fresh_token(app, "worker")) == 200  # logging in again works


def test_page_logout_ends_the_cookie_even_when_it_is_replayed(app):
    browser, token = cookie_login(app, "leader")
    cookie = browser.cookies.get("gridgov_session")
    assert browser.get("/account", headers=HTML).status_code == 200
    r = browser.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    with TestClient(app) as thief:  # the cookie as it was before logging out, kept elsewhere
        thief.cookies.set("gridgov_session", cookie)
        r = thief.get("/account", headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert thief.get("/api/v1/auth/me").status_code == 401


def test_logging_out_ends_every_session_of_the_user(app):
    """The version is per user: logging out on one device ends the others (cookie and token)."""
    auth = fresh_token(app, "town_dispatcher")
    browser, _csrf = cookie_login(app, "town_dispatcher")
    with TestClient(app) as c:
        assert c.post("/api/v1/auth/logout", headers=auth).status_code == 204
    assert browser.get("/account", headers=HTML, follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_its_active_token(app, client, db):
    auth = fresh_token(app, "worker2")
    uid = db.scalar(select(User.id).where(User.username == "worker2"))
    assert client.patch(f"/api/v1/users/{uid}", json={"is_active": False}).status_code == 200
    assert me(app, auth) == 401
    assert client.patch(f"/api/v1/users/{uid}", json={"is_active": True}).status_code == 200
    assert me(app, auth) == 401  # enabling again does not bring old tokens back


def test_re_roling_and_re_scoping_a_user_end_its_active_token(app, client, db):
    places = demo_places(db, CITY)
    uid = db.scalar(select(User.id).where(User.username == "county_dispatcher"))
    auth = fresh_token(app, "county_dispatcher")
    assert client.patch(f"/api/v1/users/{uid}", json={"role": "agency_admin"}).status_code == 200
    assert me(app, auth) == 401
    auth = fresh_token(app, "county_dispatcher")
    assert client.patch(f"/api/v1/users/{uid}", json={"scope_code": places.county2}).status_code == 200
    assert me(app, auth) == 401
    auth = fresh_token(app, "county_dispatcher")
    assert client.patch(f"/api/v1/users/{uid}", json={"display_name": "改名不改权限"}).status_code == 200
    assert me(app, auth) == 200  # a change that gives no other access keeps the session


def test_a_password_reset_and_a_password_change_end_active_tokens(app, client, db):
    uid = db.scalar(select(User.id).where(User.username == "dept_sc"))
    auth = fresh_token(app, "dept_sc")
    browser, _ = cookie_login(app, "dept_sc")
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/password", json={"old_password": "demo12345", "new_password": "Grid2026pass"},
                   headers=auth)
    assert r.status_code == 204 and me(app, auth) == 401
    assert browser.get("/account", headers=HTML, follow_redirects=False).status_code == 303
    auth = fresh_token(app, "dept_sc", "Grid2026pass")
    admin, csrf = cookie_login(app, "city_admin")
    r = admin.post(f"/users/{uid}/password", data={"csrf_token": csrf, "password": "Other2026pass",
                                                   "password2": "Other2026pass"}, follow_redirects=False)
    assert r.status_code == 303 and me(app, auth) == 401
