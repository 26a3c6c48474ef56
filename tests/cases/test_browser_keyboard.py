"""Issue 14, item 11: the report and dispatch flows played by keyboard alone in Chromium, on a desktop
and on a 390×844 phone. Nothing is clicked or filled: focus moves with Tab, fields get typed keys,
selects move with the arrow keys, buttons answer Enter or Space. A worker logs in, opens the report
form, types the case, sets its location without dragging (arrow keys on the pin, a grid picked from
the list, coordinates typed), adds a photo and sends it (上报) in one submit; the town dispatcher
finds it in its inbox, accepts it and dispatches it (desktop: on the case page; phone: from the
inbox's 分派 dialog) with a lead and an assisting department found by typing in the dispatch desk's
pickers (Enter there never sends the form)."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import Point, shape

from .test_browser_cases import _api, _png, people  # noqa: F401 (people is a fixture)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 860}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

FOCUSED = """() => { const a = document.activeElement;
  return a ? (a.id || a.getAttribute('data-code') || a.tagName) : ''; }"""

# What makes the focus visible: an outline, a ring drawn as a shadow, or (an SVG shape) a thick stroke.
FOCUS_SHOWN = """() => {
  const a = document.activeElement;
  if (!a || a === document.body || !a.matches(':focus-visible')) return false;
  const s = getComputedStyle(a);
  if (a instanceof SVGElement) return parseFloat(s.strokeWidth) >= 4;
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


def tab_to(page, selector: str, limit: int = 300, back: bool = False) -> list[str]:
    """Presses Tab (Shift+Tab when ``back``) until the focused element matches ``selector`` and its
    focus is visible; returns what had the focus on the way. Fails when it is not reached."""
    seen: list[str] = []
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_SHOWN), f"{selector} 获得焦点但焦点不可见"
            return seen
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(page.evaluate(FOCUSED))
    raise AssertionError(f"按 Tab 键 {limit} 次仍未到达 {selector}：{seen[-20:]}")


def arrow_to(page, value: str) -> None:
    """Moves the focused <select> to ``value`` with the arrow keys (each step a change, as a user's)."""
    values = page.evaluate("() => Array.from(document.activeElement.options).map(o => o.value)")
    target = values.index(value)
    current = page.evaluate("() => document.activeElement.selectedIndex")
    if current == target:  # picked again, so that the change happens
        away = "ArrowUp" if target == len(values) - 1 else "ArrowDown"
        page.keyboard.press(away)
        current = page.evaluate("() => document.activeElement.selectedIndex")
    while current != target:
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
        current = page.evaluate("() => document.activeElement.selectedIndex")
    assert page.evaluate("() => document.activeElement.value") == value


def keyboard_login(page, live_server: str, username: str) -> None:
    page.goto(live_server + "/login")
    tab_to(page, "#username")
    page.keyboard.type(username)
    tab_to(page, "#password")
    page.keyboard.type("demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def wait_for(page, expression: str, arg=None, timeout: float = 15.0):
    from ..conftest import wait_for_js

    return wait_for_js(page, expression, arg, timeout)


def _unique_type(page, live_server, token: str) -> tuple[str, str]:
    """A case type (小类) whose name no other type's or class's name contains: typing it picks it."""
    types = page.request.get(live_server + "/api/v1/case-types", headers={"Authorization": f"Bearer {token}"}).json()
    names = [t["name"] for t in types]
    for t in types:
        if t["parent"] and sum(t["name"] in n for n in names) == 1:
            return t["code"], t["name"]
    raise AssertionError("没有名称唯一的事件类型")


def report_by_keyboard(people, live_server, device: str, shots) -> str:  # noqa: F811
    """The worker's report played by keyboard; returns the new case's number."""
    probe = people.open(None)
    me = _api(probe, live_server, "worker")
    grid_code = me["scope_code"]
    auth = {"Authorization": f"Bearer {me['token']}"}
    grid = shape(probe.request.get(f"{live_server}/api/v1/grids/{grid_code}", headers=auth).json()["geometry"])
    # A point of the grid away from its middle (where a picked grid puts the pin).
    (x0, y0, x1, y1), point = grid.bounds, None
    for f in (0.3, 0.4, 0.2, 0.1):
        candidate = Point(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
        if grid.contains(candidate):
            point = candidate
            break
    point = point or grid.representative_point()
    type_code, type_name = _unique_type(probe, live_server, me["token"])

    worker = people.open(None, **VIEWPORTS[device])
    keyboard_login(worker, live_server, "worker")
    # The worker lands on its cases; the report button is reached from there.
    tab_to(worker, "#report-button")
    worker.keyboard.press("Enter")
    worker.wait_for_url("**/cases/new")
    wait_for(worker, "document.getElementById('report-map').dataset.ready === '1'")

    path = tab_to(worker, "#title")
    worker.keyboard.type("路灯不亮（键盘上报）")
    path += tab_to(worker, "#type-search")
    worker.keyboard.type(type_name)
    assert worker.input_value("#type") == type_code
    # Enter in a field (here the type's filter box) does not send the form as its first button's step
    # (现场处置): the form has two steps and the worker has not chosen one yet.
    worker.evaluate("() => { window.__stay = 1; }")
    worker.keyboard.press("Enter")
    worker.wait_for_timeout(500)
    worker.wait_for_load_state()
    assert worker.evaluate("window.__stay") == 1, "回车键提交了上报表单"
    path += tab_to(worker, "#description")
    worker.keyboard.type("解放路口两盏路灯不亮")

    # The pin, from the keyboard: Tab reaches it, the arrow keys move it and the point follows.
    path += tab_to(worker, "#report-map")
    on_the_way = tab_to(worker, "#report-pin")
    assert not [code for code in on_the_way if code.isdigit()], on_the_way  # no grid outline is a Tab stop
    path += on_the_way
    before = worker.input_value("#lon")
    worker.keyboard.press("ArrowRight")
    wait_for(worker, "v => document.getElementById('lon').value !== v", before)
    assert worker.input_value("#lat")

    # A grid picked from the list beside the map: the pin goes inside it, the grid is filled in.
    path += tab_to(worker, "#pin-grid-pick")
    arrow_to(worker, grid_code)
    wait_for(worker, f"document.getElementById('pin-grid').dataset.grid === '{grid_code}'")
    picked = (worker.input_value("#lon"), worker.input_value("#lat"))
    found = worker.request.get(f"{live_server}/api/v1/grids/locate?lon={picked[0]}&lat={picked[1]}").json()
    assert found["grid_code"] == grid_code and worker.input_value("#grid_code") == grid_code

    # Coordinates typed: the pin follows (its place on the map moves) and so does the grid shown.
    pin_at = worker.get_attribute("#report-pin", "style")
    path += tab_to(worker, "#pin-coords > summary")
    worker.keyboard.press("Enter")
    for field, value in (("#lon", point.x), ("#lat", point.y)):
        path += tab_to(worker, field)
        worker.keyboard.press("Control+A")
        worker.keyboard.type(f"{value:.7f}")
    worker.keyboard.press("Tab")  # leaving the field is its change
    wait_for(worker, "s => document.getElementById('report-pin').getAttribute('style') !== s", pin_at)
    wait_for(worker, f"document.getElementById('pin-grid').dataset.grid === '{grid_code}'")
    assert worker.input_value("#lon") == f"{point.x:.7f}"

    path += tab_to(worker, "#address")
    worker.keyboard.type("解放路 12 号")
    path += tab_to(worker, "#photos")
    with worker.expect_file_chooser() as chooser:
        worker.keyboard.press("Space")
    chooser.value.set_files(files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": _png()}])
    worker.screenshot(path=str(shots / f"{device}-report-keyboard.png"), full_page=True)
    path += tab_to(worker, "#submit-escalate")
    assert "BODY" not in path, path  # the focus never fell out of the page on the way
    worker.keyboard.press("Enter")
    worker.wait_for_url(re.compile(r"/cases/\d{12}-\d{8}-\d{5}\?"))
    assert worker.inner_text("#case-state") == "已上报" and "已上报" in worker.inner_text("#notice")
    assert worker.locator("#case-photos img").count() == 1
    if device == "phone":
        assert worker.evaluate("document.documentElement.scrollWidth") <= 390
    return worker.inner_text("#case-no").strip()


@pytest.mark.req("E1")
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_report_and_dispatch_by_keyboard_alone(people, live_server, tmp_path, device):  # noqa: F811
    shots = tmp_path / "artefacts"
    shots.mkdir()
    no = report_by_keyboard(people, live_server, device, shots)
    probe = people.open(None)
    lead, helper = (_api(probe, live_server, u)["department_code"] for u in ("dept_cg", "dept_sc"))

    town = people.open(None, **VIEWPORTS[device])
    keyboard_login(town, live_server, "town_dispatcher")
    assert "/cases/inbox" in town.url  # the dispatcher lands on its inbox
    tab_to(town, f'#inbox-escalated [data-case="{no}"] a')
    town.keyboard.press("Enter")
    town.wait_for_url(f"**/cases/{no}")
    tab_to(town, "#act-accept button[type=submit]")
    town.keyboard.press("Enter")
    town.wait_for_selector("#notice")
    assert "已受理" in town.inner_text("#notice")

    # On a desktop the dispatcher dispatches on the case page; on a phone from the inbox's 分派 dialog
    # (its form loaded by htmx when the dialog opens).
    # The inbox's dialogs carry the case number in their ids (two may be open at once).
    p = f"case-{no}-" if device == "phone" else ""
    if device == "phone":
        town.goto(live_server + "/cases/inbox")
        tab_to(town, f'#inbox-dispatch [data-case="{no}"] summary')
        town.keyboard.press("Enter")
        town.locator(f"#{p}dispatch-assisting_departments-filter-status").wait_for(state="attached")
    town.evaluate("() => { window.__stay = 1; }")

    # The lead: the type's default is preselected; cleared with Home in the select, then typing part
    # of a name in the filter box chooses it, and Enter there does not send the form.
    tab_to(town, f"#{p}dispatch-lead_department")
    town.keyboard.press("Home")
    assert town.input_value(f"#{p}dispatch-lead_department") == ""
    tab_to(town, f"#{p}dispatch-lead_department-filter", back=True)
    lead_name = town.locator(f'#{p}dispatch-lead_department option[value="{lead}"]').inner_text()
    lead_name = lead_name.replace("（事件类型默认）", "").strip()
    town.keyboard.type(lead_name[1:])
    assert town.input_value(f"#{p}dispatch-lead_department") == lead
    town.keyboard.press("Enter")
    assert "已选" in town.inner_text(f"#{p}dispatch-lead_department-filter-status")

    # The assisting department: typed, then Enter ticks the first match; the submit button is a
    # few Tab presses away, not 29.
    tab_to(town, f"#{p}dispatch-assisting_departments-filter")
    box = town.locator(f"#{p}dispatch-assisting_departments-list")
    helper_name = box.locator(f'input[value="{helper}"]').locator("xpath=..").inner_text().strip()
    town.keyboard.type(helper_name)
    town.keyboard.press("Enter")
    assert box.locator("input:checked").evaluate_all("els => els.map(e => e.value)") == [helper]
    assert helper_name in town.inner_text(f"#{p}dispatch-assisting_departments-filter-status")
    town.wait_for_timeout(300)
    assert town.evaluate("window.__stay") == 1, "在部门查找框中按回车键提交了分派表单"
    town.screenshot(path=str(shots / f"{device}-dispatch-keyboard.png"), full_page=True)
    between = tab_to(town, f"#{p}act-dispatch button[type=submit]")
    assert len(between) <= 4, between
    town.keyboard.press("Enter")
    town.wait_for_selector("#notice")
    assert "已分派" in town.inner_text("#notice")
    if device == "phone":
        assert "/cases/inbox?done=dispatch" in town.url
        town.goto(f"{live_server}/cases/{no}")
    departments = town.inner_text("#case-departments")
    assert lead_name in departments and helper_name in departments
    if device == "phone":
        assert town.evaluate("document.documentElement.scrollWidth") <= 390
