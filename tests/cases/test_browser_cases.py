"""The closed loop played in a real browser, one person per browser context: the worker reports from
a phone with its location and a photo and escalates in the same submit; the town dispatcher accepts and dispatches
from its inbox; the department signs and handles; the dispatcher checks and records the feedback;
the case page then shows 已结案 and a file with every step."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from shapely.geometry import shape

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _api(page, live_server, username: str) -> dict:
    """What the API says about an account: its ``/auth/me`` (scope, department)."""
    token = page.request.post(live_server + "/api/v1/auth/token",
                              data={"username": username, "password": "demo12345"}).json()["access_token"]
    return page.request.get(live_server + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json() | {
        "token": token}


class People:
    """One browser context per person, each refusing any request that leaves the machine."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server, self.contexts, self.outside = browser, live_server, [], []

    def open(self, username: str | None, **options):
        context = self.browser.new_context(locale="zh-CN", **options)
        live = self.live_server

        def guard(route):
            url = route.request.url
            if url.startswith((live, "data:", "blob:")):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live
        if username:
            login(page, username)
        self.contexts.append(context)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser, live_server):
    crowd = People(browser, live_server)
    yield crowd
    crowd.close()
    assert not crowd.outside, f"页面向外部发出了请求：{crowd.outside}"


def _submit(page, action: str, notice: str):
    page.click(f"#act-{action} button[type=submit]")
    page.wait_for_selector("#notice")
    assert notice in page.inner_text("#notice"), page.inner_text("#notice")


@pytest.mark.req("E1")
def test_worker_dispatcher_department_and_back_to_closed_through_the_pages(people, live_server):
    probe = people.open(None)
    worker_me = _api(probe, live_server, "worker")
    grid_code = worker_me["scope_code"]
    grid = probe.request.get(f"{live_server}/api/v1/grids/{grid_code}",
                             headers={"Authorization": f"Bearer {worker_me['token']}"}).json()
    point = shape(grid["geometry"]).representative_point()
    lead = _api(probe, live_server, "dept_cg")["department_code"]

    # The worker, on a phone, where the problem is.
    worker = people.open("worker", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                         geolocation={"longitude": point.x, "latitude": point.y}, permissions=["geolocation"])
    worker.goto(live_server + "/cases/mine")
    worker.click("#report-button")
    worker.wait_for_url("**/cases/new")
    worker.fill("#title", "人行道井盖缺失")
    category = worker.locator("#category option").nth(1).get_attribute("value")
    worker.select_option("#category", category)
    worker.fill("#description", "解放路口井盖缺失，夜间有行人踩空的危险")
    worker.fill("#grid_code", "")
    worker.click("#locate-button")
    wait_for_js(worker, f"document.getElementById('grid_code').value === '{grid_code}'")
    assert "已定位" in worker.inner_text("#locate-status")
    worker.set_input_files("#photos", files=[{"name": "well.png", "mimeType": "image/png", "buffer": _png()}])
    # One submit registers and escalates (issue 14): no second button to find on the case page.
    worker.click("#submit-escalate")
    worker.wait_for_url(re.compile(r"/cases/\d{12}-\d{8}-\d{5}\?"))
    case_no = worker.inner_text("#case-no").strip()
    assert "已上报" in worker.inner_text("#notice") and worker.inner_text("#case-state") == "已上报"
    assert worker.locator("#case-photos img").count() == 1
    wait_for_js(worker, "document.querySelector('#case-photos img').naturalWidth > 0")

    # The town dispatcher: inbox → accept → dispatch from the inbox's dialog.
    town = people.open("town_dispatcher")
    town.goto(live_server + "/cases/inbox")
    town.click(f'#inbox-escalated [data-case="{case_no}"] a')
    town.wait_for_url(f"**/cases/{case_no}")
    _submit(town, "accept", "已受理")
    town.goto(live_server + "/cases/inbox")
    card = town.locator(f'#inbox-dispatch [data-case="{case_no}"]')
    card.locator("summary").click()
    card.locator("select[name=lead_department]").wait_for()
    card.locator("select[name=lead_department]").select_option(lead)
    card.locator("button[type=submit]").click()
    town.wait_for_url(re.compile(r"/cases/inbox\?done=dispatch"))
    assert "已分派" in town.inner_text("#notice")
    assert town.locator(f'#inbox-dispatch [data-case="{case_no}"]').count() == 0

    # The department: sign, then handle with its result.
    dept = people.open("dept_cg")
    dept.goto(live_server + "/cases/department")
    dept.click(f'#dept-to-sign [data-case="{case_no}"] a')
    dept.wait_for_url(f"**/cases/{case_no}")
    assert "办理时限" in dept.inner_text("#case-clocks")
    _submit(dept, "sign", "已签收")
    dept.fill("#handle-result", "已补装井盖并设置警示")
    _submit(dept, "handle", "已办结")

    # Back to the dispatcher: check, then the reporter's evaluation.
    town.goto(live_server + "/cases/inbox")
    town.click(f'#inbox-handled [data-case="{case_no}"] a')
    town.wait_for_url(f"**/cases/{case_no}")
    _submit(town, "check", "已核查通过")
    town.select_option("#feedback-evaluation", "satisfied")
    _submit(town, "feedback", "已反馈评价")

    worker.goto(f"{live_server}/cases/{case_no}")
    assert worker.inner_text("#case-state") == "已结案"
    steps = worker.locator("#case-timeline li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert steps == ["create", "escalate", "accept", "dispatch", "sign", "handle", "check", "feedback"]
    assert "档案哈希链校验通过" in worker.inner_text("#file-check")
    assert "已补装井盖并设置警示" in worker.inner_text("#case-result")


@pytest.mark.req("D2")
def test_a_duplicate_within_the_distance_is_offered_on_the_form_and_joins_the_case(people, live_server):
    """Issue 14, item 10: a worker reporting where an open case of the same category already lies is
    shown it (附近已有相同事件) as soon as the phone gives the point, and 我也发现了 adds what was typed
    and photographed to that case instead of opening a second one."""
    probe = people.open(None)
    me = _api(probe, live_server, "worker")
    auth = {"Authorization": f"Bearer {me['token']}"}
    grid = probe.request.get(f"{live_server}/api/v1/grids/{me['scope_code']}", headers=auth).json()
    point = shape(grid["geometry"]).representative_point()
    category = probe.request.get(f"{live_server}/api/v1/case-categories", headers=auth).json()[0]["code"]
    first = probe.request.post(f"{live_server}/api/v1/cases", headers=auth, data={
        "title": "井盖缺失<b>粗</b>", "category": category, "source": "patrol", "lon": point.x, "lat": point.y,
        "next_action": "escalate"}).json()["case_no"]

    # 30 m away, on a phone
    lon = point.x + 30 / (111_320 * 0.85)
    worker = people.open("worker", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                         geolocation={"longitude": lon, "latitude": point.y}, permissions=["geolocation"])
    worker.goto(live_server + "/cases/new")
    assert worker.locator("#nearby").is_hidden()
    worker.fill("#title", "井盖不见了")
    worker.fill("#description", "我路过也看到了")
    worker.select_option("#category", category)
    worker.click("#locate-button")
    worker.locator(f'#nearby-list [data-case="{first}"]').wait_for()
    assert "附近已有相同事件" in worker.inner_text("#nearby")
    item = worker.locator(f'#nearby-list [data-case="{first}"]')
    assert "井盖缺失<b>粗</b>" in item.inner_text() and item.locator("b").count() == 0  # text, never HTML
    assert "相距约" in item.inner_text()
    worker.set_input_files("#photos", files=[{"name": "again.png", "mimeType": "image/png", "buffer": _png()}])
    item.locator("button", has_text="我也发现了").click()
    worker.wait_for_url(re.compile(rf"/cases/{first}\?done=joined"))
    assert f"已补充到事件 {first}" in worker.inner_text("#notice")
    log = probe.request.get(f"{live_server}/api/v1/cases/{first}/log", headers=auth).json()
    assert log[-1]["action"] == "comment" and "我路过也看到了" in log[-1]["note"] and len(log[-1]["attachments"]) == 1
