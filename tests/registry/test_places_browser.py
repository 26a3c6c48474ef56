"""The report form's standard-address search in a real browser, on a 390×844 phone: a worker registers
an address on the address page (its coordinates from the phone's position); then, reporting a case,
types part of it and picks it: the address id, the address text, the grid code and the map's pin
follow, and the case is registered with it."""

from __future__ import annotations

import re

import pytest
import shapely
from shapely.geometry import shape

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser


def test_a_worker_finds_a_standard_address_in_the_report_form(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, permissions=["geolocation"])
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith((live_server, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    try:
        login(page, "worker")
        grid = page.request.get(f"{live_server}/api/v1/auth/me").json()["scope_code"]
        geometry = page.request.get(f"{live_server}/api/v1/grids/{grid}").json()["geometry"]
        point = shape(geometry).representative_point()
        assert shapely.contains_xy(shape(geometry), point.x, point.y)
        page.goto(f"{live_server}/registry/addresses")
        page.select_option("#area_code", grid[:12])
        page.fill("#road", "浏览器测试路")
        page.fill("#house_no", "８")
        context.set_geolocation({"longitude": point.x, "latitude": point.y})
        page.click("#address-locate")  # the phone's position fills the coordinates
        wait_for_js(page, "document.getElementById('lat').value !== ''")
        assert abs(float(page.input_value("#lon")) - point.x) < 1e-6
        page.click("#address-submit")
        page.wait_for_url(re.compile(r"/registry/addresses/\d+"))
        canonical = page.text_content("#address-canonical").strip()
        address_id = page.url.split("?")[0].rsplit("/", 1)[1]
        assert canonical.endswith("浏览器测试路8号")

        page.goto(f"{live_server}/cases/new")
        wait_for_js(page, "document.getElementById('report-map').getAttribute('data-ready') === '1'")
        page.fill("#address-search", "浏览器测试路 8")
        page.click(f"#address-results button[data-address='{address_id}']")
        assert page.input_value("#address_id") == address_id
        assert page.input_value("#address") == canonical and page.input_value("#grid_code") == grid
        assert abs(float(page.input_value("#lon")) - point.x) < 1e-6
        wait_for_js(page, f"document.getElementById('pin-grid').getAttribute('data-grid') === '{grid}'")
        pin = wait_for_js(page, "(() => { const b = document.getElementById('report-pin'); "
                                "return b && b.getBoundingClientRect().width > 0; })()")
        assert pin
        page.fill("#title", "井盖缺失")
        page.select_option("#type", index=1)
        page.click("#submit-escalate")
        page.wait_for_url(re.compile(r"/cases/[\w-]+\?done="))
        assert canonical in page.text_content("main")
    finally:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
