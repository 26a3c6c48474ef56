"""The monthly report page in a real browser on a phone (390×844): no WCAG 2.1 A/AA violation (axe), both
charts drawn by the vendored ECharts (no inline script: the page's CSP stands), nothing wider than the screen
but the tables' own scrolling boxes, and the PDF link answers a PDF."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js
from ..web.test_browser_axe import RUN_AXE, SETTLED, TAGS, Axe

pytestmark = pytest.mark.browser

ALSO = ["landmark-one-main", "region", "page-has-heading-one", "heading-order"]


def test_the_report_page_on_a_phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live_server, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    try:
        login(page, "county_dispatcher")
        Axe(page)  # axe comes with each document (an init script)
        response = page.goto(live_server + "/reports/monthly?month=2026-11")
        assert response.status == 200
        wait_for_js(page, SETTLED)
        wait_for_js(page, "() => !!document.querySelector('#trend-chart svg') && "
                          "!!document.querySelector('#rank-chart svg')")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert page.evaluate(RUN_AXE, [TAGS, ALSO]) == []
        assert "2026年11月网格化服务管理分析报告" in page.text_content("#report-title")
        pdf = page.request.get(live_server + page.get_attribute("#report-pdf", "href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    finally:
        context.close()
