"""A grid worker records a deliberation on a phone (390×844): the list, a new topic, a meeting and the
decision through the pages, with no WCAG 2.1 A/AA violation on any of them (axe, as tests/web/test_browser_axe.py)."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js
from ..web.test_browser_axe import ALSO, AXE, RUN_AXE, TAGS

pytestmark = [pytest.mark.browser, pytest.mark.req("F2")]


def test_a_worker_records_a_deliberation_on_a_phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live_server, "data:", "blob:")) else route.abort())
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    found = {}

    def axe(label):
        wait_for_js(page, "() => document.readyState === 'complete' && !!window.axe")
        page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
        violations = page.evaluate(RUN_AXE, [TAGS, ALSO])
        if violations:
            found[label] = violations

    try:
        login(page, "worker")
        page.goto(live_server + "/cogovernance/deliberations")
        axe("list")
        assert page.locator("#deliberation-list li").count() >= 1  # the demo's topic
        page.click("#new-deliberation")
        axe("new")
        page.fill("#topic", "小区广场舞噪音时段")
        page.fill("#raised_by", "刘晓梅")
        page.fill("#names", "刘晓梅、周建国")
        page.click("#form-new button[type=submit]")
        page.wait_for_url(lambda url: "done=created" in url)
        assert page.text_content("#deliberation-status").strip() == "协商中"
        assert "周建国" in page.text_content("#deliberation-participants")
        page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
        page.fill("#m-place", "小区广场")
        page.fill("#m-count", "18")
        page.fill("#m-minutes", "商定活动时间")
        page.click("#form-meeting button[type=submit]")
        page.wait_for_url(lambda url: "done=meeting" in url)
        assert "小区广场" in page.text_content("#deliberation-meetings")
        page.select_option("#s-status", "decided")
        page.fill("#s-decision", "每晚 19:00 至 21:00，音量不超过约定")
        page.check("#s-publish")
        page.click("#form-status button[type=submit]")
        page.wait_for_url(lambda url: "done=status" in url)
        assert page.text_content("#deliberation-status").strip() == "已形成决定"
        assert page.locator("#deliberation-published").count() == 1
        axe("topic")
        page.goto(live_server + "/cogovernance/deliberations")
        listed = page.text_content("#deliberation-list")
        assert "小区广场舞噪音时段" in listed and "周建国" not in listed and "周**" in listed
    finally:
        context.close()
    assert not found, f"axe 发现 WCAG 2.1 A/AA 问题：{found}"
