"""Login hardening: failures auditors see, no username enumeration, limits per address and per
(username, address), login CSRF, Secure cookies behind a TLS proxy."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.models import AuditEntry

CITY = "321100000000"
TOKEN = "/api/v1/auth/token"


def from_ip(app, ip: str) -> TestClient:
    return TestClient(app, client=(ip, 50000))


def token_login(c: TestClient, username: str, password: str):
    return c.post(TOKEN, json={"username": username, "password": password})


def test_a_failure_for_an_unknown_username_is_seen_by_the_city_auditor(app, client_as):
    with from_ip(app, "10.1.0.1") as c:
        assert token_login(c, "no_such_user", "Secret-guess-77").status_code == 401
    body = client_as("auditor").get("/api/v1/audit", params={"action": "login_failed", "actor": "no_such_user"}).json()
    assert body["total"] == 1, body
    entry = body["items"][0]
    assert entry["area_code"] == CITY and entry["ip"] == "10.1.0.1"
    assert "Secret-guess-77" not in json.dumps(body, ensure_ascii=False)


class CountingHasher:
    """Wraps argon2's hasher and counts the password checks."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.verifies = 0

    def verify(self, *args):
        self.verifies += 1
        return self.inner.verify(*args)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_unknown_and_real_usernames_cost_the_same_argon2_check(app, monkeypatch):
    from gridgov.accounts import passwords

    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    with from_ip(app, "10.1.0.2") as c:
        r_unknown = token_login(c, "no_such_user", "wrong-pass1")
        unknown = counting.verifies
        r_real = token_login(c, "worker", "wrong-pass1")
    assert unknown == 1 and counting.verifies == 2
    assert r_unknown.status_code == r_real.status_code == 401
    assert r_unknown.json()["detail"] == r_real.json()["detail"] == "用户名或密码错误"


def test_the_lock_message_is_the_same_for_a_username_that_does_not_exist(app):
    answers = {}
    for ip, name in (("10.1.0.3", "leader"), ("10.1.0.4", "ghost_user")):
        with from_ip(app, ip) as c:
            for _ in range(5):
                r = token_login(c, name, "wrong-pass1")
            assert 0 < int(r.headers["retry-after"]) <= 900
            answers[name] = (r.status_code, r.json()["detail"], r.json()["code"])
    assert answers["leader"] == answers["ghost_user"]
    assert answers["leader"][0] == 429 and "锁定" in answers["leader"][1]


def test_an_address_is_throttled_after_ten_failures_and_another_still_logs_in(app, db):
    with from_ip(app, "10.2.0.1") as c:
        for i in range(10):
            r = token_login(c, f"spray_{i}", "Spring2026!")
            assert r.status_code == (401 if i < 9 else 429), (i, r.text)
        r = token_login(c, "worker", "demo12345")  # even the right password: the address is at its limit
        assert r.status_code == 429 and "本地址" in r.json()["detail"]
        assert 0 < int(r.headers["retry-after"]) <= 300
        page = c.get("/login", headers={"accept": "text/html"})
        r = c.post("/login", data={"username": "worker", "password": "demo12345",
                                   "csrf_token": c.cookies["gridgov_csrf"]},
                   headers={"accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 200 and r.status_code == 429
        assert "本地址" in r.text and "gridgov_session" not in r.cookies
    with from_ip(app, "10.2.0.2") as other:
        assert token_login(other, "worker", "demo12345").status_code == 200
    throttled = db.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled",
                                                    AuditEntry.ip == "10.2.0.1")).all()
    assert len(throttled) == 1 and throttled[0].area_code == CITY


def test_a_stranger_cannot_lock_the_administrator_out_from_another_address(app, db):
    with from_ip(app, "10.3.0.1") as stranger:
        for _ in range(5):
            r = token_login(stranger, "city_admin", "wrong-pass1")
        assert r.status_code == 429 and "锁定" in r.json()["detail"]
        assert token_login(stranger, "city_admin", "demo12345").status_code == 429
    with from_ip(app, "10.3.0.2") as admin:
        assert token_login(admin, "city_admin", "demo12345").status_code == 200
    locked = db.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked",
                                                 AuditEntry.actor == "city_admin")).all()
    assert [e.ip for e in locked] == ["10.3.0.1"]


def test_an_administrator_unlock_lifts_the_lock_of_every_address(app, client):
    with from_ip(app, "10.3.1.1") as c:
        for _ in range(5):
            token_login(c, "leader", "wrong-pass1")
        assert token_login(c, "leader", "demo12345").status_code == 429
        uid = next(u["id"] for u in client.get("/api/v1/users",
                                               params={"q": "leader"}).json()["items"] if u["username"] == "leader")
        assert client.patch(f"/api/v1/users/{uid}", json={"unlock": True}).status_code == 200
        assert token_login(c, "leader", "demo12345").status_code == 200


def test_a_login_form_without_its_csrf_token_is_refused(app):
    with TestClient(app) as c:  # never saw the login page: no CSRF cookie
        r = c.post("/login", data={"username": "worker", "password": "demo12345"}, follow_redirects=False)
        assert r.status_code == 403 and "gridgov_session" not in r.cookies
        r = c.post("/login", data={"username": "worker", "password": "demo12345", "csrf_token": "forged"},
                   follow_redirects=False)
        assert r.status_code == 403 and "gridgov_session" not in r.cookies


def test_the_csrf_cookie_is_rotated_at_login(app):
    with TestClient(app) as c:
        c.get("/login")
        before = c.cookies["gridgov_csrf"]
        r = c.post("/login", data={"username": "worker", "password": "demo12345", "csrf_token": before},
                   follow_redirects=False)
        assert r.status_code == 303
        after = c.cookies["gridgov_csrf"]
        assert after != before
        account = c.get("/account", headers={"accept": "text/html"})
        assert f'value="{after}"' in account.text
        # a form with the token from before the login is refused
        r = c.post("/account/password", data={"csrf_token": before, "old_password": "x", "new_password": "y",
                                              "new_password2": "y"})
        assert r.status_code == 403


@pytest.mark.parametrize("secure", [False, True])
def test_session_and_csrf_cookies_are_secure_with_the_setting(app, secure):
    app.state.settings = app.state.settings.model_copy(update={"secure_cookies": secure})
    with TestClient(app) as c:  # plain http, as behind a TLS-terminating proxy
        first = c.get("/login").headers["set-cookie"].lower()
        token = c.cookies["gridgov_csrf"]
        c.cookies.clear()  # (a client does not send a Secure cookie over http: the proxy's https did)
        r = c.post("/login", data={"username": "worker", "password": "demo12345", "csrf_token": token},
                   headers={"cookie": f"gridgov_csrf={token}"}, follow_redirects=False)
    cookies = [v.lower() for v in r.headers.get_list("set-cookie")]
    assert "gridgov_csrf=" in first and {c.split("=")[0] for c in cookies} == {"gridgov_session", "gridgov_csrf"}
    assert all(("; secure" in c) == secure for c in [first, *cookies])


@pytest.mark.req("E5")
def test_the_password_never_reaches_the_audit_log(app, db):
    with from_ip(app, "10.4.0.1") as c:
        token_login(c, "worker", "Typo-of-demo1")
        token_login(c, "nobody_here", "Typo-of-demo2")
    entries = db.scalars(select(AuditEntry).where(AuditEntry.ip == "10.4.0.1")).all()
    assert len(entries) == 2
    text = json.dumps([[e.actor, e.detail, e.before, e.after, e.object_id] for e in entries], ensure_ascii=False)
    assert "Typo-of-demo" not in text
