"""Logging out in a real browser ends the session on the server: the old cookie, replayed, is refused."""

import pytest

from ..conftest import login

pytestmark = pytest.mark.browser


def test_an_old_cookie_replayed_after_logout_is_sent_to_the_login_page(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    thief = browser.new_context(locale="zh-CN")
    try:
        login(page, "dept_sc")
        kept = [c for c in context.cookies() if c["name"] == "gridgov_session"]
        assert kept, "登录后没有会话 Cookie"
        page.goto(live_server + "/account")
        assert "/account" in page.url
        page.click(".user-menu__logout button[type=submit]")
        page.wait_for_url(lambda url: "/login" in url)

        thief.add_cookies(kept)  # the cookie as it was before logging out, replayed from elsewhere
        other = thief.new_page()
        other.set_default_timeout(15000)
        other.goto(live_server + "/account")
        assert "/login" in other.url and "next=/account" in other.url
        assert other.request.get(live_server + "/api/v1/auth/me").status == 401
    finally:
        thief.close()
        context.close()
