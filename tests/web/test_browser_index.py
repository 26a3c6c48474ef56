"""The governance index page (/index) in a real browser, on a 390×844 phone: the trend chart is drawn
(ECharts, no inline script), the per-area table shows, the menu offers the page, and axe finds no WCAG
2.1 A/AA violation (also on a desktop, from the menu, in test_browser_axe.py)."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js
from .test_browser_axe import Axe

pytestmark = pytest.mark.browser


def test_the_index_page_draws_its_trend_and_passes_axe_on_a_phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live_server, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        login(page, "town_dispatcher")
        axe = Axe(page)
        axe.check("/index")
        wait_for_js(page, "() => !!document.querySelector('#index-chart svg')")
        assert page.locator("#index-areas tbody tr").count() >= 1
        assert page.locator("#index-trend tbody tr").count() >= 1
        assert page.locator('#site-nav a[href="/index"]').count() == 1
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"页面横向溢出：{width}px"
    finally:
        context.close()
    assert not errors, errors
    assert not axe.found, "axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()
