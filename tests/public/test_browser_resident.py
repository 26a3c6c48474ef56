"""The resident's report on a 390x844 phone in a real browser (issue 17): a photo, a pin on the map
(a tap fills the position, the phone's location moves the pin), the SMS code read from the demo's outbox, the
case number and tracking code, then tracking; axe finds no WCAG 2.1 A/AA violation on the way."""

from __future__ import annotations

import re

import pytest
import shapely
from shapely.geometry import shape

from ..conftest import wait_for_js
from ..web.test_browser_axe import ALSO, AXE, RUN_AXE, TAGS, _api
from .resident import png, solve

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    """A phone's browser, not logged in, that fails the test on any request leaving the machine."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"


def _axe(page, label: str, found: dict) -> None:
    violations = page.evaluate(RUN_AXE, [TAGS, ALSO])
    if violations:
        found[label] = violations


def _answer(page, label_for: str) -> str:
    return solve(page.locator(f"label[for={label_for}]").inner_text().removeprefix("验证题："))


def _sms_code(page, live_server: str) -> str:
    html = page.context.request.get(live_server + "/dev/outbox").text()
    return re.search(r"验证码 (\d{6})", html).group(1)


def test_a_resident_reports_on_a_phone_with_a_photo_and_a_pin_then_tracks_it(phone, live_server, tmp_path):
    worker = _api(phone.context.request, live_server, "worker")
    grid = phone.context.request.get(f"{live_server}/api/v1/grids/{worker['scope_code']}",
                                     headers=worker["auth"]).json()
    point = shapely.point_on_surface(shape(grid["geometry"]))
    found: dict = {}

    phone.goto(live_server + "/report")
    wait_for_js(phone, "() => !!document.querySelector('#report-map .leaflet-pane')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    _axe(phone, "/report", found)
    phone.select_option("#r-type", index=1)
    phone.fill("#r-description", "路口井盖缺失，夜里有人差点踩空")
    photo = tmp_path / "well.png"
    photo.write_bytes(png())
    phone.set_input_files("#r-photo", str(photo))
    phone.locator("#report-map").tap()  # a tap puts the pin and fills the position
    wait_for_js(phone, "() => document.getElementById('r-lon').value !== ''")
    assert phone.locator("#report-map .leaflet-marker-icon").count() == 1
    phone.context.grant_permissions(["geolocation"], origin=live_server)
    phone.context.set_geolocation({"longitude": point.x, "latitude": point.y})
    phone.click("#report-locate")  # the phone's own position (WGS-84) moves the pin there
    wait_for_js(phone, "(x) => document.getElementById('r-lon').value === x", f"{point.x:.6f}")
    assert phone.input_value("#r-lat") == f"{point.y:.6f}" and phone.input_value("#r-crs") == "wgs84"
    assert phone.locator("#report-map .leaflet-marker-icon").count() == 1
    assert "已标出位置" in phone.inner_text("#report-map-status")
    phone.fill("#r-phone", "13655550000")
    phone.fill("#r-answer", _answer(phone, "r-answer"))
    phone.click("#report-submit")
    phone.locator("#report-code-sent").wait_for()
    assert phone.locator("#report-photos-kept").inner_text() == "已上传 1 张照片。"
    _axe(phone, "/report（已发送验证码）", found)
    phone.fill("#r-sms", _sms_code(phone, live_server))
    phone.fill("#r-answer", _answer(phone, "r-answer"))
    phone.click("#report-submit")
    phone.locator("#done-code").wait_for()
    case_no, code = phone.inner_text("#done-case-no"), phone.inner_text("#done-code")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    _axe(phone, "上报成功", found)

    phone.click("a[href='/track']")
    phone.fill("#t-case", case_no)
    phone.fill("#t-code", code)
    phone.click("#track-form button[type=submit]")
    phone.locator(".resident-timeline").wait_for()
    assert phone.inner_text(".track-case-no") == case_no and phone.inner_text(".track-state") == "待核实"
    assert "已收到上报" in phone.inner_text(".resident-timeline")
    _axe(phone, "/track（查询结果）", found)
    assert not found, f"axe 发现 WCAG 2.1 A/AA 问题：{found}"
