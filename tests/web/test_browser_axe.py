"""Accessibility in a real browser (issue 14, item 11; GB/T 37668-2019 follows WCAG 2.1): axe-core, vendored
for the tests under ``tests/web/vendor/axe-core`` (never served by the app), finds no WCAG 2.1 A/AA violation
on any page of any demo role: every page its menu offers, the detail pages reachable from them (a case in each
state the role meets, a grid, a staff member, an area, the list of grid work, a complaint, an instruction, a user),
what folds away opened (the inbox's dispatch dialogs, a case's further actions), the public pages logged out (a
board, its printed sheet, the login page also with its error), a 403 and a 404 page, and the menu open on a phone
and as a desktop's drop-down.

axe comes into each page as a DevTools init script, not an inline script: the pages' CSP stays as it is. The
Leaflet maps are checked like the rest of the page: their markers and grids are named Tab stops and their
controls are labelled in Chinese (gridmap.js)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from gridgov.kit.clock import utc_now

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ALSO = ["empty-table-header", "landmark-one-main", "region", "page-has-heading-one", "landmark-unique", "heading-order"]
"""The rules run: all of axe's rules of WCAG 2.1 A and AA, its experimental ones included (2.5.3, a control's
accessible name holds its visible text, as the header's badge of to-dos once did not; 1.3.1, no styled <p> as a
heading), and a few of its best-practice rules on the page's structure (one main landmark, all content in
landmarks, headings in order, no empty table header)."""
RUN_AXE = """async ([tags, also]) => {
  const rules = window.axe.getRules(tags).map(r => r.ruleId).concat(also);
  const result = await window.axe.run(document,
                                      {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']});
  const doubtful = result.incomplete.filter(v => v.id === 'duplicate-id-aria');
  return result.violations.concat(doubtful).map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""

SETTLED = """() => document.readyState === 'complete' && !document.querySelector('.htmx-request')
  && (!document.querySelector('.user-menu__notices') || !!document.querySelector('.notice-badge'))"""
"""The page has loaded and htmx has swapped in what it loads at once (the header's badge of to-dos)."""

OPEN_DETAILS = """() => { const shut = [...document.querySelectorAll('main details:not([open])')];
  shut.forEach(d => { d.open = true; }); return shut.length; }"""
"""What folds away (a case page's further actions, the inbox's dispatch dialogs, which htmx loads as they open) is
opened before axe runs: axe checks only what shows."""

DETAIL = re.compile(r"^/(?:grids|areas|staff|users|complaints|instructions|adjustments|board|catalogue/applications"
                    r"|cogovernance/deliberations|cogovernance/volunteers)"
                    r"/[^/?#]+$|^/catalogue/\d{12}$|^/cogovernance/(?:teams/tasks|teams|projects)/\d+$")
"""Detail pages reachable from a role's list pages: the first of each kind found is visited too."""


def _kind(path: str) -> str:
    """One detail page of each kind: ``/users/7`` and ``/users/9`` are one kind, ``/users/new`` another."""
    head, last = path.rsplit("/", 1)
    return head + ("/*" if last[:1].isdigit() else "/" + last)


class Axe:
    """Runs axe on pages of one browser context and gathers what it finds, page by page. axe comes with
    every document through an init script (DevTools' ``addScriptToEvaluateOnNewDocument``: the page's CSP,
    which allows no inline script, is not loosened)."""

    def __init__(self, page, skip: set[str] = frozenset()):
        self.page, self.found, self.seen, self.skip = page, {}, set(), skip
        page.context.add_init_script(path=str(AXE))

    def check(self, path: str, status: int = 200, again: bool = False, then=None) -> bool:
        """Opens ``path`` (once, unless ``again``), does ``then(page)`` if given and runs axe; False if the
        page was checked before."""
        if not again and (path in self.seen or path in self.skip):
            return False
        self.seen.add(path)
        response = self.page.goto(self.page.base_url + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        wait_for_js(self.page, SETTLED)
        if self.page.evaluate(OPEN_DETAILS):
            wait_for_js(self.page, SETTLED)
        label = path
        if then is not None:
            then(self.page)
            wait_for_js(self.page, SETTLED)
            label = f"{path}（{then.__name__}）"
        violations = self.page.evaluate(RUN_AXE, [TAGS, ALSO])
        if violations:
            self.found[label] = violations
        return True

    def links(self, selector: str = "main a[href], #site-nav a[href]") -> list[str]:
        hrefs = self.page.eval_on_selector_all(selector, "as => as.map(a => a.getAttribute('href'))")
        return [h.split("#")[0] for h in hrefs if h and h.startswith("/")]

    def report(self) -> str:
        """Each violation once, with the pages it was found on: its id, the element and axe's summary."""
        seen: dict[tuple[str, str, str], list[str]] = {}
        for path, violations in self.found.items():
            for v in violations:
                for n in v["nodes"]:
                    key = (f"[{v['impact']}] {v['id']} — {v['help']}", n["target"], " ".join(n["summary"].split()))
                    seen.setdefault(key, []).append(path)
        return "\n".join(f"{rule}\n    {target}: {summary}\n    页面：{', '.join(paths[:4])}"
                         f"{' …' if len(paths) > 4 else ''}" for (rule, target, summary), paths in seen.items())


def _api(request, live_server: str, username: str) -> dict:
    token = request.post(live_server + "/api/v1/auth/token",
                         data={"username": username, "password": "demo12345"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    return request.get(live_server + "/api/v1/auth/me", headers=auth).json() | {"auth": auth}


def _post(request, url: str, who: dict, data: dict) -> dict:
    r = request.post(url, headers=who["auth"], data=data)
    assert r.status in (200, 201), f"{url}: {r.status} {r.text()}"
    return r.json()


@pytest.fixture(scope="module")
def cases(browser, live_server) -> dict[str, str]:
    """Cases of the demo grid in each state a role meets, through the API: ``{state: case_no}``."""
    context = browser.new_context()
    request = context.request
    base = live_server + "/api/v1"
    worker, town = _api(request, live_server, "worker"), _api(request, live_server, "town_dispatcher")
    lead, helper = _api(request, live_server, "dept_cg"), _api(request, live_server, "dept_sc")
    kind = lead["department_code"].split("-", 1)[1]
    types = request.get(base + "/case-types", headers=worker["auth"]).json()
    typ = next(t["code"] for t in types if t["parent"] and t["department_kind"] == kind)

    def report(title: str, **extra) -> str:
        return _post(request, base + "/cases", worker, {
            "title": title, "type": typ, "source": "patrol", "grid_code": worker["scope_code"],
            "address": "无障碍路 1 号", "description": f"{title}（无障碍检查）"} | extra)["case_no"]

    def act(no: str, who: dict, action: str, **data) -> None:
        _post(request, f"{base}/cases/{no}/actions/{action}", who, data)

    states = {"verified": report("路灯不亮"), "escalated": report("井盖松动", next_action="escalate")}
    for name, title in (("accepted", "占道经营"), ("accepted2", "噪音扰民")):  # two: the inbox opens two dialogs
        states[name] = report(title, next_action="escalate")
        act(states[name], town, "accept")
    states["dispatched"] = report("垃圾满溢", next_action="escalate")
    act(states["dispatched"], town, "accept")
    act(states["dispatched"], town, "dispatch", lead_department=lead["department_code"],
        assisting_departments=[helper["department_code"]])
    states["in_progress"] = report("违章搭建", next_action="escalate")
    act(states["in_progress"], town, "accept")
    act(states["in_progress"], town, "dispatch", lead_department=lead["department_code"],
        assisting_departments=[helper["department_code"]])
    act(states["in_progress"], lead, "sign")
    states["handled"] = report("广告牌破损", next_action="escalate")
    for who, action, data in ((town, "accept", {}), (town, "dispatch", {"lead_department": lead["department_code"]}),
                              (lead, "sign", {}), (lead, "handle", {"result": "已修复"})):
        act(states["handled"], who, action, **data)
    states["resolved"] = report("路面积水", next_action="solve_on_site", result="已疏通")
    states["closed"] = report("树枝折断", next_action="solve_on_site", result="已清理")
    act(states["closed"], town, "feedback", evaluation="satisfied")
    states["rejected"] = report("重复反映")
    states["grid"] = worker["scope_code"]
    act(states["rejected"], worker, "reject", reason="非本网格事项")
    # a complaint from the board and an instruction to the grid, so that their pages have one to open
    r = request.post(f"{base}/public/boards/{worker['scope_code']}/complaints", data={"content": "网格员未按时巡查"})
    assert r.status == 201, r.text()
    _post(request, base + "/instructions", town, {
        "kind": "work_order", "grid_code": worker["scope_code"], "title": "排查消防通道", "content": "本周内排查",
        "category": "zj12_03", "due_at": (utc_now() + timedelta(days=3)).isoformat()})
    context.close()
    return states


ROLES: dict[str, tuple[str, list[str]]] = {
    "worker": ("fulltime", ["verified", "escalated", "resolved", "closed", "rejected"]),
    "leader": ("leader", ["verified", "closed"]),
    "town_dispatcher": ("agency_dispatcher", ["escalated", "accepted", "dispatched", "handled", "resolved", "closed"]),
    "county_dispatcher": ("agency_dispatcher", ["accepted", "in_progress"]),
    "city_admin": ("agency_admin", ["in_progress"]),
    "dept_cg": ("dept_receiver", ["dispatched", "in_progress", "handled"]),
    "dept_sc": ("dept_receiver", ["in_progress"]),
    "auditor": ("auditor", []),
    "security_admin": ("security_admin", []),
    "lawyer": ("legal_professional", []),
    "mediator": ("mediator", []),
    "team_member": ("team_member", []),
    "social_org": ("social_org", []),
}
"""Each demo account's role and the cases it opens (the states it acts in or reads; a department sees the
cases sent to it, ``dept_sc`` as the assisting one). ``worker2`` is left out: the role of ``worker`` in another
grid. The village agency's dispatcher exists only under profiles with village agencies, not the demo's
(its pages are the town dispatcher's)."""

ALSO_OPENS: dict[str, list[str]] = {
    "city_admin": ["/dashboard/screen"],
    "county_dispatcher": ["/dashboard/screen"],
    "leader": ["/dashboard/screen"],
    "dept_cg": ["/dashboard/screen"],
    "team_member": ["/cogovernance/teams/1"],
}
"""Pages a role reaches from its pages but not by a menu link or a detail link (the dashboard's full-screen view,
for the roles that read figures)."""

checked: set[tuple[str, str]] = set()
"""(role, page) already checked: an account of a role already checked opens only its own cases and the
pages that role has not met (the county's dispatcher meets the town's dispatcher's menu again). The public list
of grid work is the same page for every role (role ``*``): the first role checks it."""
SAME_FOR_ALL = re.compile(r"^/(?:catalogue(?:/\d{12})?|public/stats)$")


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live_server, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_the_role_has_no_wcag_violation(context, cases, username):
    role, states = ROLES[username]
    login(context, username)
    axe = Axe(context, skip={p for r, p in checked if r in (role, "*")})
    axe.check(context.url.removeprefix(context.base_url) or "/")
    kinds: set[str] = set()
    for path in axe.links("#site-nav a[href]") + ["/account", "/notifications"]:
        if not axe.check(path):
            continue
        for link in axe.links("main a[href]"):
            if DETAIL.match(link) and _kind(link) not in kinds:
                kinds.add(_kind(link))
                axe.check(link)
    for state in states:
        axe.check(f"/cases/{cases[state]}")
    for path in ALSO_OPENS.get(username, []):
        axe.check(path)
    checked.update((role, p) for p in axe.seen)
    checked.update(("*", p) for p in axe.seen if SAME_FOR_ALL.match(p))
    assert not axe.found, f"{username}：axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()


@pytest.mark.parametrize("username", ["worker", "town_dispatcher"])
def test_the_menu_open_on_a_phone_and_on_a_desktop_has_no_wcag_violation(browser, live_server, username):
    """The menu's colours are checked where it shows: open on a 390×844 phone and as a desktop's drop-down."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live_server, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    try:
        login(page, username)
        axe = Axe(page)
        landing = page.url.removeprefix(live_server)
        axe.check(landing, then=_open_phone_menu)
        page.set_viewport_size({"width": 1280, "height": 860})
        axe.check(landing, again=True, then=_open_desktop_group)
    finally:
        context.close()
    assert not axe.found, f"{username}：axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()


def _open_phone_menu(page) -> None:
    page.click(".nav-toggle")
    page.locator("#site-nav").wait_for()


def _open_desktop_group(page) -> None:
    page.click(".nav-group__toggle")
    page.locator(".nav-group__items").first.wait_for()


def test_the_public_and_error_pages_have_no_wcag_violation(context, cases):
    """Logged out: the login page (also with its error), the list of grid work, a board and its printed sheet,
    the complaint lookup, the public figures (by month and for the period), the resident's report and tracking
    pages (issue 17; their later states: tests/public/test_browser_resident.py), a 404; logged in: a 403 and a 404
    (they keep the logged-in header)."""
    axe = Axe(context)
    board = f"/board/{cases['grid']}"
    for path in ("/login", "/catalogue", f"/catalogue/{cases['grid'][:6]}000000", board, board + "/print",
                 "/complaint-status", "/public/stats", "/public/stats?by=period", "/report", "/track"):
        axe.check(path)
    axe.check("/no-such-page", status=404)
    axe.check("/login", again=True, then=_wrong_password)
    login(context, "worker")
    axe.check("/users", status=403)
    axe.check("/cases/321102000000-20000101-99999", status=404)
    assert not axe.found, "axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()


def _wrong_password(page) -> None:
    page.fill("#username", "worker")
    page.fill("#password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    page.locator(".form-error").wait_for()
