"""In Chromium: a user enrols in two-factor login from the QR page (the code computed from the secret
the page shows, as a phone would), logs out, and logs in again with password and code."""

import re

import pyotp
import pytest

from gridgov.kit.clock import utc_now

from ..conftest import login

pytestmark = pytest.mark.browser

USERNAME = "tfa_browser"
PASSWORD = "Tfa-browser-2026"


def _create_user(page, live_server) -> None:
    """A user of its own (the live server's demo accounts serve the other browser tests)."""
    token = page.request.post(live_server + "/api/v1/auth/token",
                              data={"username": "city_admin", "password": "demo12345"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    city = page.request.get(live_server + "/api/v1/auth/me", headers=auth).json()["scope_code"]
    r = page.request.post(live_server + "/api/v1/users", headers=auth, data={
        "username": USERNAME, "display_name": "两步验证测试员", "password": PASSWORD, "role": "agency_dispatcher",
        "scope_code": city, "must_change_password": False})
    assert r.status == 201, r.text()


def test_enrol_with_the_qr_page_then_log_in_with_a_code(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _create_user(page, live_server)
        login(page, USERNAME, PASSWORD)
        page.goto(live_server + "/account")
        page.click("text=启用两步验证")
        page.click("#start-two-factor")
        page.wait_for_selector(".totp-qr-box svg")
        assert page.locator(".totp-qr-box svg").is_visible()
        secret = re.sub(r"\s", "", page.inner_text("#totp-secret"))
        totp = pyotp.TOTP(secret)
        page.fill("#code", totp.now())
        page.click("form[action='/account/2fa/confirm'] button[type=submit]")
        page.wait_for_selector("#recovery-codes")
        assert page.locator("#recovery-codes li").count() == 10
        page.click(".user-menu__logout button")
        page.wait_for_url(lambda url: "/login" in url)

        page.fill("#username", USERNAME)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#otp")
        assert "两步验证" in page.content()
        page.fill("#otp", totp.at(utc_now().timestamp() + totp.interval))  # the next step: enrolment used this one
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        assert "两步验证测试员" in page.content()
        page.goto(live_server + "/account")
        assert "已启用" in page.inner_text("#account-two-factor")
        assert not errors, errors
    finally:
        context.close()
