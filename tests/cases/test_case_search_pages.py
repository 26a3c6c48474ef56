"""Finding cases on the 辖区事件 page (issue 14, item 3): the API's filters, the result count and a
pager; a bad filter comes back in Chinese (422); the dispatcher finds a case by part of its title and
by its number in a real browser."""

from __future__ import annotations

import re

import pytest

from gridgov.accounts.demo import demo_places

from ..conftest import login, wait_for_js
from .test_case_search import _report

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _page(client, url: str, status: int = 200, **headers) -> str:
    r = client.get(url, headers={**HTML, **headers})
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    return r.text


def _cards(html: str) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', html)


def _total(html: str) -> int:
    return int(re.search(r'id="case-total" data-total="(\d+)"', html).group(1))


def test_the_page_finds_filters_counts_and_pages_inside_the_jurisdiction(client_as, places):
    worker, worker2, town = client_as("worker"), client_as("worker2"), client_as("town_dispatcher")
    made = [_report(worker, places.grid, f"批量巡查 {n:02d}") for n in range(23)]
    elsewhere = _report(worker2, places.grid2, "批量巡查 另一区")
    html = _page(town, "/cases/mine?q=批量巡查")
    assert _total(html) == 23 and "第 1 / 2 页" in html
    assert _cards(html) == list(reversed(made))[:20] and elsewhere not in html
    second = _page(town, "/cases/mine?q=批量巡查&page=2")
    assert _cards(second) == list(reversed(made))[20:]
    assert re.search(r'href="/cases/mine\?q=%E6%89%B9[^"]*page=2"', html)  # the pager keeps the filter
    assert 'href="/api/v1/cases/export.xlsx?q=' in html
    one = _page(town, f"/cases/mine?q={made[5]}")
    assert _cards(one) == [made[5]] and _total(one) == 1
    assert _cards(_page(town, "/cases/mine?q=巡查 05&state=verified")) == [made[5]]
    assert _total(_page(town, "/cases/mine?q=批量巡查&state=closed")) == 0
    # htmx asks for the results only
    part = _page(town, "/cases/mine?q=批量巡查", **{"HX-Request": "true", "HX-Target": "case-results"})
    assert "<html" not in part and _total(part) == 23 and 'id="case-search"' not in part
    # the worker of the other county finds none of them, not even by number
    assert _total(_page(worker2, f"/cases/mine?q={made[0]}")) == 0


def test_the_worklists_search_through_the_same_page(client_as, places):
    town, dept = client_as("town_dispatcher"), client_as("dept_cg")
    for client, path in ((town, "/cases/inbox"), (dept, "/cases/department")):
        html = _page(client, path)
        assert 'id="case-quick-search"' in html and 'action="/cases/mine"' in html and 'name="q"' in html
    assert 'href="/cases/mine"' in _page(dept, "/cases/department")
    no = _report(client_as("worker"), places.grid, "井盖松动")
    assert _cards(_page(dept, f"/cases/mine?q={no}")) == []  # not dispatched to it: not found, not counted


def test_no_query_shows_the_open_cases_and_a_bad_filter_is_a_chinese_422(client_as, places):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    no = _report(worker, places.grid, "占道经营")
    assert no in _cards(_page(worker, "/cases/mine"))
    assert 'value="open" selected' in _page(worker, "/cases/mine")
    bad = _page(town, "/cases/mine?from=2026-02-30", status=422)
    assert "起始日期应为日期" in bad and _cards(bad) == []


@pytest.mark.browser
def test_the_dispatcher_finds_a_case_by_part_of_its_title_and_by_number_in_the_browser(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
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
        token = page.request.post(live_server + "/api/v1/auth/token",
                                  data={"username": "worker", "password": "demo12345"}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        me = page.request.get(live_server + "/api/v1/auth/me", headers=auth).json()
        category = page.request.get(live_server + "/api/v1/case-categories", headers=auth).json()[0]["code"]
        r = page.request.post(live_server + "/api/v1/cases", headers=auth, data={
            "title": "东门桥头护栏松动", "category": category, "source": "patrol", "grid_code": me["scope_code"],
            "address": "东门桥"})
        assert r.status == 201, r.text()
        case_no = r.json()["case_no"]

        login(page, "town_dispatcher")
        page.goto(live_server + "/cases/mine")
        page.fill("#case-q", "护栏松")
        page.click("#case-search-submit")
        # the address keeps the search (back button, a link to share); htmx pushes it once the answer is
        # in, so waiting for it also waits for the answer (the town may hold one case before the search)
        wait_for_js(page, "new URLSearchParams(location.search).get('q') === '护栏松'"
                          " && document.getElementById('case-total').dataset.total === '1'")
        assert page.locator("#open-cases [data-case]").all_inner_texts()[0].strip().startswith("东门桥头护栏松动")
        page.fill("#case-q", case_no)
        page.click("#case-search-submit")
        wait_for_js(page, f"document.querySelector('#open-cases [data-case]')?.dataset.case === '{case_no}'"
                               " && document.getElementById('case-total').dataset.total === '1'")
        page.click(f"[data-case='{case_no}'] a")
        page.wait_for_url(f"**/cases/{case_no}")
        assert case_no in page.inner_text("#case-no")
    finally:
        context.close()
    assert not outside, outside
