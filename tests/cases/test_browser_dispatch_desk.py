"""Issue 14, items 1 and 12 in Chromium, on a desktop and on a phone: the town dispatcher opens an
accepted case, finds departments by typing part of their names, dispatches with a lead and an
assisting department; the assisting department then reports its part. No button is taller than
80 px and nothing overflows the phone's width. Screenshots are kept under the test's tmp dir."""

from __future__ import annotations

import pytest

from ..web.layout import assert_fits
from .test_browser_cases import _api, people  # noqa: F401 (people is a fixture)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _accepted_case(probe, live_server) -> tuple[str, str, str, str]:
    """A case escalated by the worker (type of the city-management kind) and accepted by the town."""
    worker = _api(probe, live_server, "worker")
    town = _api(probe, live_server, "town_dispatcher")
    lead, helper = (_api(probe, live_server, u)["department_code"] for u in ("dept_cg", "dept_sc"))
    kind = lead.split("-", 1)[1]
    auth = {"Authorization": f"Bearer {worker['token']}"}
    types = probe.request.get(live_server + "/api/v1/case-types", headers=auth).json()
    typ = next(t["code"] for t in types if t["parent"] and t["department_kind"] == kind)
    r = probe.request.post(live_server + "/api/v1/cases", headers=auth, data={
        "title": "人行道井盖缺失", "type": typ, "source": "patrol", "grid_code": worker["scope_code"],
        "address": "解放路 12 号", "description": "井盖缺失", "next_action": "escalate"})
    assert r.status == 201, r.text()
    no = r.json()["case_no"]
    r = probe.request.post(f"{live_server}/api/v1/cases/{no}/actions/accept",
                           headers={"Authorization": f"Bearer {town['token']}"}, data={})
    assert r.status == 200, r.text()
    return no, lead, helper, town["scope_code"]


def _measure(page, shots, name: str, phone: bool):
    """The shared layout rules (tests/web/layout.py): no button over 80 px, nothing past the viewport."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert_fits(page, name)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_town_dispatches_from_a_compact_desk_and_the_assisting_department_reports(
        people, live_server, tmp_path, device):  # noqa: F811
    shots = tmp_path / "artefacts"
    shots.mkdir()
    phone = device == "phone"
    no, lead, helper, town_code = _accepted_case(people.open(None), live_server)

    town = people.open("town_dispatcher", **VIEWPORTS[device])
    town.goto(f"{live_server}/cases/{no}")
    form = town.locator("#act-dispatch")
    form.wait_for()
    # the type's default department is preselected; no city-level department is offered
    assert town.input_value("#dispatch-lead_department") == f"{town_code}-{lead.split('-', 1)[1]}"
    levels = form.locator("#dispatch-lead_department optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert levels[0].endswith("（本级）") and "市级" not in levels, levels
    _measure(town, shots, f"{device}-1-dispatch-form", phone)

    # the lead: typing part of its name picks it
    town.select_option("#dispatch-lead_department", "")
    lead_name = town.locator(f'#dispatch-lead_department option[value="{lead}"]').inner_text()
    town.fill("#dispatch-lead_department-filter", lead_name[1:])
    assert town.input_value("#dispatch-lead_department") == lead

    # the assisting department: typing part of its name leaves it among few in the bounded box
    box = town.locator("#dispatch-assisting_departments-list")
    assert box.evaluate("b => b.getBoundingClientRect().height") <= 16 * 12 + 2
    item = box.locator(f'input[value="{helper}"]')
    helper_name = item.locator("xpath=..").inner_text().strip()
    town.fill("#dispatch-assisting_departments-filter", helper_name[-6:])
    shown = box.locator(".dept-checks__item:visible").count()
    assert item.is_visible() and shown < box.locator(".dept-checks__item").count()
    item.check()
    _measure(town, shots, f"{device}-2-dispatch-filled", phone)
    form.locator("button[type=submit]").click()
    town.wait_for_selector("#notice")
    assert "已分派" in town.inner_text("#notice")
    departments = town.inner_text("#case-departments")
    assert lead_name in departments and helper_name in departments
    _measure(town, shots, f"{device}-3-dispatched", phone)

    # the assisting department has its own step: report its part to the lead
    dept = people.open("dept_sc", **VIEWPORTS[device])
    dept.goto(f"{live_server}/cases/{no}")
    assert dept.locator("#no-actions").count() == 0
    dept.fill("#assist_report-note", "已清理周边占道摊点，配合完成")
    _measure(dept, shots, f"{device}-4-assist-form", phone)
    dept.click("#act-assist_report button[type=submit]")
    dept.wait_for_selector("#notice")
    assert "报送协办情况" in dept.inner_text("#notice")
    assert dept.inner_text("#case-state") == "已分派"
    assert "已清理周边占道摊点" in dept.inner_text("#case-timeline")
    _measure(dept, shots, f"{device}-5-assist-reported", phone)
    assert len(list(shots.glob("*.png"))) == 5
