"""Every page of every role's menu, and the public pages, in Chromium on a desktop and on a 390×844 phone:
each fits (no button taller than 80 px, nothing past the viewport's right edge: :mod:`tests.web.layout`),
its header's 帮助 link leads to the user guide's page of that role, and that page answers. A screenshot of
each page is kept under ``GRIDGOV_ARTIFACTS`` (``tour/<viewport>/``); with ``GRIDGOV_GUIDE_SHOTS`` set, the
user guide's screenshots of the leader, the auditor, the administrators and the public pages are taken
here (on the desktop; the worker's, the dispatcher's and the departments' come from the scenario,
tests/cases/test_browser_scenario.py)."""

from __future__ import annotations

import re

import pytest

from ..conftest import login
from .layout import artefacts_dir, assert_fits, layout_problems, screenshot

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

ROLES = {
    # account: (its guide page, {menu path: the guide's screenshot of it, taken on the desktop})
    "worker": ("worker", {}),
    "leader": ("leader", {"/cases/overview": "leader-overview", "/grids": "leader-grids"}),
    "town_dispatcher": ("dispatcher", {"/instructions": "dispatcher-instructions"}),
    "county_dispatcher": ("dispatcher", {}),
    "dept_cg": ("department", {}),
    "auditor": ("auditor", {"/audit": "auditor-audit"}),
    "city_admin": ("admin", {"/": "admin-home", "/users": "admin-users", "/staff": "admin-staff"}),
    "security_admin": ("admin", {}),
    "lawyer": ("lawyer", {"/cogovernance/legal/referrals": "lawyer-referrals"}),
}

EXTRA = {
    # pages beyond the menu: forms, and the first detail page a list links to (list, the link's pattern)
    "city_admin": ["/users/new", "/staff/new", "/staff/import", "/staff/gaps", "/adjustments/new",
                   "/catalogue/applications/new", "/instructions/new", ("/staff", r"^/staff/\d+$"),
                   ("/users", r"^/users/\d+$"), ("/grids", r"^/grids/\d{15}$"), ("/areas", r"^/areas/\d{12}$")],
    "worker": [("/grids", r"^/grids/\d{15}$")],
    "dept_cg": ["/instructions/request"],
}


@pytest.fixture
def context_for(browser, live_server):
    contexts, outside = [], []

    def open_as(device: str, username: str | None):
        context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])

        def guard(route):
            url = route.request.url
            if url.startswith((live_server, "data:", "blob:")):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server
        if username:
            login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def _visit(page, folder, device: str, who: str, path: str, guide: str | None = None) -> None:
    response = page.goto(page.base_url + path)
    assert response.status == 200, f"{who} {path}: {response.status}"
    page.wait_for_load_state("load")
    assert_fits(page, f"{device} {who} {path}")
    screenshot(page, folder, f"{who}-{_name(path)}", guide=guide if device == "desktop" else None,
               full_page=False)


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_the_role_fits_and_its_help_is_its_guide(context_for, device, username):
    guide_page, guide_shots = ROLES[username]
    folder = artefacts_dir("tour", device)
    page = context_for(device, username)
    page.goto(page.base_url + "/account")
    assert page.get_attribute("#help-link", "href") == f"/help/{guide_page}"
    menu = page.locator("#site-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert menu, f"{username} 没有菜单"
    for path in dict.fromkeys([*menu, "/notifications", "/account"]):
        _visit(page, folder, device, username, path, guide_shots.get(path))
        assert page.get_attribute("#help-link", "href") == f"/help/{guide_page}", path
    for extra in EXTRA.get(username, ()):
        if isinstance(extra, tuple):
            page.goto(page.base_url + extra[0])
            links = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            extra = next(h for h in links if h and re.match(extra[1], h))
        _visit(page, folder, device, username, extra)
    page.click("#help-link")
    page.wait_for_url(f"**/help/{guide_page}")
    assert page.locator("#help-body h1").count() == 1
    assert_fits(page, f"{device} {username} 使用指南")
    screenshot(page, folder, f"{username}-help", full_page=False)


def test_the_public_pages_fit_and_link_the_public_guide(context_for, live_server):
    worker = context_for("desktop", "worker")
    grid = worker.request.get(live_server + "/api/v1/auth/me").json()["scope_code"]
    for device in VIEWPORTS:
        folder = artefacts_dir("tour", device)
        page = context_for(device, None)
        for path, guide in ((f"/board/{grid}", "public-board"), ("/complaint-status", "public-complaint"),
                            ("/catalogue", "public-catalogue"), ("/login", "public-login"),
                            ("/help", None), ("/help/public", None)):
            _visit(page, folder, device, "public", path, guide)
            assert page.get_attribute("#help-link", "href") == "/help/public", path


def test_the_layout_check_names_a_tall_button_and_what_sticks_out_but_not_what_a_box_scrolls(context_for):
    """The check itself can fail: on a phone, a 120 px button and a 2000 px wide block are named; the same
    block inside a scrolling box (a wide table's wrapper) is not."""
    page = context_for("phone", "worker")
    page.goto(page.base_url + "/account")
    assert_fits(page, "before")
    page.evaluate("""() => {
      const main = document.querySelector('main');
      const box = document.createElement('div'); box.className = 'table-wrap';
      box.innerHTML = '<div style="width:2000px">宽表格</div>'; main.appendChild(box);
    }""")
    assert_fits(page, "a scrolling box")
    page.evaluate("""() => {
      const main = document.querySelector('main');
      const wide = document.createElement('p'); wide.id = 'too-wide'; wide.style.width = '2000px';
      wide.textContent = '太宽'; main.appendChild(wide);
      const tall = document.createElement('a'); tall.className = 'button'; tall.style.display = 'block';
      tall.style.height = '120px'; tall.textContent = '拉长的按钮'; main.appendChild(tall);
    }""")
    problems = layout_problems(page)
    assert any("页面宽" in p for p in problems), problems
    assert any("p#too-wide" in p for p in problems) and any("拉长的按钮" in p and "120px" in p for p in problems)
    assert not any("宽表格" in p for p in problems)
