"""Issue 14's "Done when", played in Chromium on a desktop and on a 390×844 phone, one person per browser
context, through the pages only: the worker drags the report form's pin to the problem, adds a photo and
reports (上报) in one submit; the town dispatcher sees the case in its inbox, finds it by part of its
title and by its number, accepts it and dispatches it from the dispatch desk's picker to a lead and an
assisting department; the assisting department reports its part; the lead signs and handles; the
dispatcher checks and records the feedback, and the case closes; the worker was told of the dispatch and
of the close among its notifications.

Every page visited is checked by :func:`tests.web.layout.assert_fits` (no button taller than 80 px,
nothing past the viewport's right edge) and kept as a screenshot under ``GRIDGOV_ARTIFACTS`` (default
``test-artifacts/``), named by viewport, step and page. It runs on both databases (a copy of the session's demo
city on SQLite and on PostgreSQL, served by uvicorn). With ``GRIDGOV_GUIDE_SHOTS`` set, the user
guide's screenshots are taken too (the worker's on the phone, the others' on the desktop)."""

from __future__ import annotations

import re
import secrets

import pytest

from ..web.layout import artefacts_dir, assert_fits, screenshot
from .test_browser_case_maps import _drag_pin_to
from .test_browser_cases import People, _api, _png
from .test_browser_cases import (
    test_a_duplicate_within_the_distance_is_offered_on_the_form_and_joins_the_case as offered,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def people(browser, live_server_on_backend):
    """One browser context per person, over the demo city on this test's database (both are played)."""
    crowd = People(browser, live_server_on_backend)
    yield crowd
    crowd.close()
    assert not crowd.outside, f"页面向外部发出了请求：{crowd.outside}"


@pytest.fixture
def live_server(live_server_on_backend):
    return live_server_on_backend


class Steps:
    """Checks the layout of each page shown and keeps its screenshot, numbered in the order shown."""

    def __init__(self, device: str, backend: str):
        self.device = device
        self.folder = artefacts_dir("scenario", backend, device)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def shown(self, page, step: str, guide: str | None = None) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        assert_fits(page, f"{self.device} 第 {self.count} 步 {step}")
        screenshot(page, self.folder, f"{self.device}-{self.count:02d}-{step}", guide=guide)


def _type_of_kind(probe, live_server, token: str, kind: str) -> tuple[str, str]:
    types = probe.request.get(live_server + "/api/v1/case-types", headers={"Authorization": f"Bearer {token}"}).json()
    found = next(t for t in types if t["parent"] and t["department_kind"] == kind)
    return found["code"], found["name"]


def _submit(page, action: str, notice: str) -> None:
    page.click(f"#act-{action} button[type=submit]")
    page.wait_for_selector("#notice")
    assert notice in page.inner_text("#notice"), page.inner_text("#notice")


@pytest.mark.req("E1")
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_report_dispatch_assist_handle_and_close_through_the_pages(people, live_server, device, backend):
    phone = device == "phone"
    steps = Steps(device, backend)
    shots = backend == "sqlite"  # the guide's screenshots: once
    guide_worker = (lambda name: name if shots else None) if phone else (lambda name: None)  # the worker's: phone
    guide_desk = (lambda name: None) if phone else (lambda name: name if shots else None)    # the others': desktop
    probe = people.open(None)
    worker_me = _api(probe, live_server, "worker")
    lead_code, helper_code = (_api(probe, live_server, u)["department_code"] for u in ("dept_cg", "dept_sc"))
    type_code, _type_name = _type_of_kind(probe, live_server, worker_me["token"], lead_code.split("-", 1)[1])
    grid_code = worker_me["scope_code"]
    marker = secrets.token_hex(3)
    title = f"人行道井盖缺失{marker}"

    # 1. The worker reports: drags the pin into its grid, adds a photo, 上报 in one submit.
    worker = people.open("worker", **VIEWPORTS[device])
    worker.goto(live_server + "/cases/mine")
    steps.shown(worker, "worker-mine", guide_worker("worker-mine"))
    worker.click("#report-button")
    worker.wait_for_url("**/cases/new")
    worker.locator("#report-map[data-ready='1']").wait_for()
    worker.fill("#title", title)
    worker.select_option("#type", type_code)
    worker.fill("#description", "解放路口井盖缺失，夜间有行人踩空的危险")
    worker.fill("#address", "解放路 12 号门口")
    worker.fill("#grid_code", "")
    worker.locator("#report-map").scroll_into_view_if_needed()
    outline = worker.locator(f'#report-map path.grid-outline[data-code="{grid_code}"]').bounding_box()
    _drag_pin_to(worker, outline["x"] + outline["width"] / 2, outline["y"] + outline["height"] / 2)
    worker.locator(f'#pin-grid[data-grid="{grid_code}"]').wait_for()
    assert worker.input_value("#grid_code") == grid_code and worker.input_value("#lon")
    worker.set_input_files("#photos", files=[{"name": "well.png", "mimeType": "image/png", "buffer": _png()}])
    steps.shown(worker, "worker-report-form", guide_worker("worker-report"))
    worker.click("#submit-escalate")
    worker.wait_for_url(re.compile(r"/cases/\d{12}-\d{8}-\d{5}\?"))
    case_no = worker.inner_text("#case-no").strip()
    assert "已上报" in worker.inner_text("#notice") and worker.inner_text("#case-state") == "已上报"
    assert worker.locator("#case-photos img").count() == 1
    steps.shown(worker, "worker-reported", guide_worker("worker-case"))

    # 2. The town dispatcher sees it in its inbox.
    town = people.open("town_dispatcher", **VIEWPORTS[device])
    town.goto(live_server + "/cases/inbox")
    assert town.locator(f'#inbox-escalated [data-case="{case_no}"]').count() == 1
    steps.shown(town, "town-inbox", guide_desk("dispatcher-inbox"))

    # 3. ... and finds it by part of its title, then by its number (the case search).
    town.goto(live_server + "/cases/mine")
    town.fill("#case-q", f"井盖缺失{marker}")
    town.click("#case-search-submit")
    town.locator(f'#open-cases [data-case="{case_no}"]').wait_for()
    assert town.get_attribute("#case-total", "data-total") == "1"
    steps.shown(town, "town-search-title", guide_desk("dispatcher-search"))
    town.fill("#case-q", case_no)
    town.click("#case-search-submit")
    town.wait_for_url(re.compile(r"q=" + re.escape(case_no)))
    town.locator(f'#open-cases [data-case="{case_no}"]').wait_for()
    assert town.get_attribute("#case-total", "data-total") == "1"
    steps.shown(town, "town-search-number")

    # 4. Accepts and dispatches from the desk: the lead and an assisting department, typed in its picker.
    town.click(f'#open-cases [data-case="{case_no}"] a')
    town.wait_for_url(f"**/cases/{case_no}")
    steps.shown(town, "town-case-escalated")
    _submit(town, "accept", "已受理")
    town.locator("#act-dispatch").wait_for()
    lead_name = town.locator(f'#dispatch-lead_department option[value="{lead_code}"]').inner_text()
    town.select_option("#dispatch-lead_department", "")
    town.fill("#dispatch-lead_department-filter", lead_name[1:])
    assert town.input_value("#dispatch-lead_department") == lead_code
    helper = town.locator(f'#dispatch-assisting_departments-list input[value="{helper_code}"]')
    helper_name = helper.locator("xpath=..").inner_text().strip()
    town.fill("#dispatch-assisting_departments-filter", helper_name[-6:])
    helper.check()
    town.locator("#act-dispatch").scroll_into_view_if_needed()
    steps.shown(town, "town-dispatch-desk", guide_desk("dispatcher-dispatch"))
    town.click("#act-dispatch button[type=submit]")
    town.wait_for_selector("#notice")
    assert "已分派" in town.inner_text("#notice")
    departments = town.inner_text("#case-departments")
    assert lead_name in departments and helper_name in departments
    steps.shown(town, "town-dispatched")

    # 5. The assisting department reports its part: its own step.
    helper_page = people.open("dept_sc", **VIEWPORTS[device])
    helper_page.goto(live_server + "/cases/department")
    helper_page.locator(f'#dept-assisting [data-case="{case_no}"]').wait_for()
    steps.shown(helper_page, "assisting-queue")
    helper_page.click(f'#dept-assisting [data-case="{case_no}"] a')
    helper_page.wait_for_url(f"**/cases/{case_no}")
    helper_page.fill("#assist_report-note", "已清理周边占道摊点，配合完成")
    steps.shown(helper_page, "assisting-report", guide_desk("department-assist"))
    _submit(helper_page, "assist_report", "报送协办情况")
    steps.shown(helper_page, "assisting-reported")

    # 6. The lead department signs, handles and reports its result.
    lead = people.open("dept_cg", **VIEWPORTS[device])
    lead.goto(live_server + "/cases/department")
    lead.locator(f'#dept-to-sign [data-case="{case_no}"]').wait_for()
    steps.shown(lead, "lead-queue", guide_desk("department-queue"))
    lead.click(f'#dept-to-sign [data-case="{case_no}"] a')
    lead.wait_for_url(f"**/cases/{case_no}")
    _submit(lead, "sign", "已签收")
    assert "已清理周边占道摊点" in lead.inner_text("#case-timeline")  # the assisting part reached the lead
    lead.fill("#handle-result", "已补装井盖并设置警示")
    steps.shown(lead, "lead-handle", guide_desk("department-handle"))
    _submit(lead, "handle", "已办结")
    steps.shown(lead, "lead-handled")

    # 7. The dispatcher checks and records the feedback: the case closes (the demo profile's steps).
    town.goto(live_server + "/cases/inbox")
    town.locator(f'#inbox-handled [data-case="{case_no}"]').wait_for()
    steps.shown(town, "town-inbox-handled")
    town.click(f'#inbox-handled [data-case="{case_no}"] a')
    town.wait_for_url(f"**/cases/{case_no}")
    _submit(town, "check", "已核查通过")
    town.select_option("#feedback-evaluation", "satisfied")
    steps.shown(town, "town-feedback", guide_desk("dispatcher-close"))
    _submit(town, "feedback", "已反馈评价")
    assert town.inner_text("#case-state") == "已结案"
    steps.shown(town, "town-closed")

    # 8. The worker was told on dispatch and on close.
    worker.goto(live_server + "/notifications")
    told = worker.locator(".notice__message").all_inner_texts()
    assert any(case_no in t and "已分派" in t and lead_name in t for t in told), told
    assert any(case_no in t and "已结案" in t for t in told), told
    steps.shown(worker, "worker-notifications", guide_worker("worker-notifications"))
    worker.goto(f"{live_server}/cases/{case_no}")
    assert worker.inner_text("#case-state") == "已结案"
    steps.shown(worker, "worker-case-closed")
    assert len(list(steps.folder.glob(f"{device}-*.png"))) == steps.count


@pytest.mark.req("D2")
def test_a_duplicate_within_the_distance_is_offered_on_the_form_on_this_database(people, live_server, backend):
    """The Done-when's duplicate test (test_browser_cases, on the session's SQLite server) on both databases."""
    offered(people, live_server)
