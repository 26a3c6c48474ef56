"""Two-factor login: enrolment with a QR code, the code step at login (page and token API),
single-use recovery codes, disabling, and GRIDGOV_REQUIRE_2FA forcing administrators to enrol."""

from __future__ import annotations

import json
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, User

HTML = {"accept": "text/html"}
TOKEN = "/api/v1/auth/token"


def page_login(app, username: str, password: str = "demo12345") -> tuple[TestClient, object]:
    """A browser-like client that went through the password step; and that step's response."""
    c = TestClient(app)
    c.get("/login", headers=HTML)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": c.cookies["gridgov_csrf"]},
               headers=HTML, follow_redirects=False)
    return c, r


def form(c: TestClient, **fields) -> dict:
    return {"csrf_token": c.cookies["gridgov_csrf"], **fields}


def step_code(totp: pyotp.TOTP, offset: int) -> str:
    """The code of the time step ``offset`` steps from now."""
    return totp.at(utc_now().timestamp() + offset * totp.interval)


def wrong_code(totp: pyotp.TOTP) -> str:
    valid = {step_code(totp, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(code for code in ("123456", "654321", "111111") if code not in valid)


def enrol(c: TestClient) -> tuple[pyotp.TOTP, list[str]]:
    """Enrols the client's user through the pages; its authenticator and its recovery codes."""
    r = c.post("/account/2fa/start", data=form(c), headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account/2fa", r.text
    page = c.get("/account/2fa", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    qr = page.text.split('class="totp-qr-box">', 1)[1].split("</div>", 1)[0]
    assert qr.lstrip().startswith("<svg") and "<script" not in qr and not re.search(r"\son\w+=", qr)
    totp = pyotp.TOTP(secret)
    r = c.post("/account/2fa/confirm", data=form(c, code=totp.now()), headers=HTML)
    assert r.status_code == 200 and "两步验证已启用" in r.text, r.text
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", r.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes


def entries(db, username: str) -> list[AuditEntry]:
    return db.scalars(select(AuditEntry).where(AuditEntry.actor == username).order_by(AuditEntry.id)).all()


@pytest.mark.req("E5")
def test_enrolment_needs_a_right_code_and_is_audited_without_secrets(app, db):
    c, r = page_login(app, "town_dispatcher")
    assert r.status_code == 303
    page = c.get("/account/2fa", headers=HTML)
    assert page.status_code == 200 and "开始绑定" in page.text
    c.post("/account/2fa/start", data=form(c), headers=HTML)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', c.get("/account/2fa", headers=HTML).text).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    r = c.post("/account/2fa/confirm", data=form(c, code=wrong_code(totp)), headers=HTML)
    assert r.status_code == 422 and "验证码不正确" in r.text
    user = db.scalar(select(User).where(User.username == "town_dispatcher"))
    db.refresh(user)
    assert user.totp_enabled_at is None and user.totp_secret is not None
    assert secret.replace(" ", "").encode() not in user.totp_secret  # sealed, not plain
    r = c.post("/account/2fa/confirm", data=form(c, code=totp.now()), headers=HTML)
    assert r.status_code == 200 and "恢复码" in r.text
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", r.text)
    db.refresh(user)
    assert user.totp_enabled_at is not None and len(user.recovery_codes) == 10
    assert not set(codes) & set(user.recovery_codes)  # kept hashed
    log = entries(db, "town_dispatcher")
    assert [e.action for e in log if e.action in ("otp_failed",
                                                  "two_factor_enabled")] == ["otp_failed", "two_factor_enabled"]
    dump = json.dumps([[e.detail, e.before, e.after] for e in log], ensure_ascii=False)
    assert secret.replace(" ", "") not in dump and not any(code in dump for code in codes)
    assert "已启用" in c.get("/account/2fa", headers=HTML).text  # the secret is not shown again
    assert "totp-secret" not in c.get("/account/2fa", headers=HTML).text


def test_the_login_page_asks_for_the_code_and_refuses_a_wrong_or_replayed_one(app, db):
    c, _ = page_login(app, "town_dispatcher")
    totp, _codes = enrol(c)
    d, r = page_login(app, "town_dispatcher")
    assert r.status_code == 200 and 'name="pending"' in r.text and "gridgov_session" not in d.cookies
    pending = re.search(r'name="pending" value="([^"]+)"', r.text).group(1)
    r = d.post("/login/2fa", data=form(d, pending=pending, code=wrong_code(totp), next="/cases"), headers=HTML,
               follow_redirects=False)
    assert r.status_code == 401 and "动态验证码错误" in r.text and "gridgov_session" not in d.cookies
    code = step_code(totp, 1)  # the next step (enrolment used this one); a phone a little ahead
    r = d.post("/login/2fa", data=form(d, pending=pending, code=code, next="/cases"), headers=HTML,
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases" and "gridgov_session" in d.cookies
    assert d.get("/account", headers=HTML).status_code == 200
    e, r = page_login(app, "town_dispatcher")
    pending = re.search(r'name="pending" value="([^"]+)"', r.text).group(1)
    r = e.post("/login/2fa", data=form(e, pending=pending, code=code), headers=HTML, follow_redirects=False)
    assert r.status_code == 401  # a code is accepted once
    r = e.post("/login/2fa", data=form(e, pending="forged", code=code), headers=HTML, follow_redirects=False)
    assert r.status_code == 401 and "重新输入用户名和密码" in r.text
    assert [x.action for x in entries(db, "town_dispatcher")].count("otp_failed") == 2


def test_the_token_api_takes_otp_and_a_recovery_code_works_once(app, db):
    c, _ = page_login(app, "town_dispatcher")
    totp, codes = enrol(c)
    with TestClient(app) as api:
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345"})
        assert r.status_code == 401 and r.json()["code"] == "otp_required" and "需要动态验证码" in r.json()["detail"]
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": wrong_code(totp)})
        assert r.status_code == 401 and r.json()["code"] == "otp_invalid"
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "wrong-pass1", "otp": step_code(totp, 1)})
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": step_code(totp, 1)})
        assert r.status_code == 200
        me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.status_code == 200
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": codes[3].lower()})
        assert r.status_code == 200
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": codes[3]})
        assert r.status_code == 401 and r.json()["code"] == "otp_invalid"
    used = [e for e in entries(db, "town_dispatcher") if e.action == "recovery_code_used"]
    assert len(used) == 1 and codes[3] not in used[0].detail and "9" in used[0].detail


def test_wrong_codes_count_like_wrong_passwords(app):
    c, _ = page_login(app, "town_dispatcher")
    totp, _codes = enrol(c)
    with TestClient(app, client=("10.9.0.1", 1)) as api:
        for _ in range(5):
            r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": wrong_code(totp)})
        assert r.status_code == 429 and "锁定" in r.json()["detail"]
        r = api.post(TOKEN, json={"username": "town_dispatcher", "password": "demo12345", "otp": step_code(totp, 1)})
        assert r.status_code == 429


def test_disabling_needs_the_password_and_a_code(app, db):
    c, _ = page_login(app, "town_dispatcher")
    totp, codes = enrol(c)
    r = c.post("/account/2fa/disable", data=form(c, password="wrong-pass1", code=codes[0]), headers=HTML)
    assert r.status_code == 422 and "密码不正确" in r.text
    r = c.post("/account/2fa/disable", data=form(c, password="demo12345", code=wrong_code(totp)), headers=HTML)
    assert r.status_code == 422 and "验证码不正确" in r.text
    r = c.post("/account/2fa/disable", data=form(c, password="demo12345", code=codes[0]), headers=HTML)
    assert r.status_code == 200 and "两步验证已停用" in r.text
    assert "two_factor_disabled" in [e.action for e in entries(db, "town_dispatcher")]
    _d, r = page_login(app, "town_dispatcher")
    assert r.status_code == 303  # no code step any more


def test_require_2fa_lets_an_administrator_only_enrol(app, client_as):
    admin_api = client_as("city_admin")  # a token from before the setting
    worker_api = client_as("worker")
    app.state.settings = app.state.settings.model_copy(update={"require_2fa": True})
    r = admin_api.get("/api/v1/grids")
    assert r.status_code == 403 and r.json()["code"] == "two_factor_enrolment_required"
    assert "两步验证" in r.json()["detail"]
    assert worker_api.get("/api/v1/grids").status_code == 200  # not an administrative role
    with TestClient(app) as api:
        r = api.post(TOKEN, json={"username": "city_admin", "password": "demo12345"})
        assert r.status_code == 403 and "两步验证" in r.json()["detail"]
        assert api.post(TOKEN, json={"username": "worker", "password": "demo12345"}).status_code == 200
    c, r = page_login(app, "city_admin")
    assert r.status_code == 303 and r.headers["location"] == "/account/2fa"
    for path in ("/cases", "/users", "/account"):
        r = c.get(path, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/account/2fa", path
    assert c.get("/api/v1/auth/me").status_code == 403
    page = c.get("/account/2fa", headers=HTML)
    assert page.status_code == 200 and "管理员账号须启用两步验证" in page.text
    assert 'href="/users"' not in page.text  # no navigation that leads back here
    totp, _codes = enrol(c)
    assert c.get("/users", headers=HTML, follow_redirects=False).status_code == 200
    assert 'href="/users"' in c.get("/account/2fa", headers=HTML).text
    with TestClient(app) as api:
        r = api.post(TOKEN, json={"username": "city_admin", "password": "demo12345", "otp": step_code(totp, 1)})
        assert r.status_code == 200
