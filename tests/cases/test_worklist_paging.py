"""Issue 14: the worklists page too. The dispatcher's inbox and a department's queue show each group
one page at a time with a pager; the next page has the rest, the other groups stay on their first
page, and the heading counts the whole group (both databases). The worker's and the 辖区 list
(/cases/mine) page through the case search: tests/cases/test_case_search_pages.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import repository as repo
from gridgov.cases import service, worklists
from gridgov.kit.clock import utc_now
from gridgov.models import Case, User

from .test_case_sweep import principal

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(worklists, "WORKLIST_PAGE_SIZE", 2)


def _escalated(worker, grid: str, n: int) -> list[str]:
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    numbers = []
    for i in range(n):
        r = worker.post("/api/v1/cases", json={"title": f"路灯不亮 {i}", "category": category, "source": "patrol",
                                               "grid_code": grid, "address": f"解放路 {i} 号",
                                               "next_action": "escalate"})
        assert r.status_code == 201, r.text
        numbers.append(r.json()["case_no"])
    return numbers


def _section(html: str, group: str) -> str:
    return html.split(f'id="group-{group}"')[1].split("</section>")[0]


def _cards(section: str) -> list[str]:
    return re.findall(r'data-case="([\d-]+)"', section)


def test_the_inbox_pages_each_group(client_as, places, small_pages):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    numbers = _escalated(worker, places.grid, 5)
    first = town.get("/cases/inbox", headers=HTML).text
    escalated = _section(first, "escalated")
    assert "待受理（网格员上报）（5）" in escalated and len(_cards(escalated)) == 2
    assert 'class="pager"' in escalated and 'href="/cases/inbox?group=escalated&amp;page=2"' in escalated
    assert "第 1 / 3 页" in escalated
    seen = []
    for page in (1, 2, 3):
        html = town.get("/cases/inbox", params={"group": "escalated", "page": page}, headers=HTML).text
        seen += _cards(_section(html, "escalated"))
    assert sorted(seen) == sorted(numbers) and len(set(seen)) == 5  # each case once, the rest on later pages
    past = town.get("/cases/inbox", params={"group": "escalated", "page": 9}, headers=HTML).text
    assert "第 3 / 3 页" in _section(past, "escalated")  # a page past the end shows the last
    assert 'class="pager"' not in _section(first, "dispatch")  # a short group has no pager


def test_the_department_queue_pages_each_group(client_as, places, db, small_pages):
    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    numbers = _escalated(worker, places.grid, 3)
    for no in numbers:
        assert town.post(f"/api/v1/cases/{no}/actions/accept", json={}).status_code == 200
        assert town.post(f"/api/v1/cases/{no}/actions/dispatch", json={"lead_department": lead}).status_code == 200
    first = dept.get("/cases/department", headers=HTML).text
    to_sign = _section(first, "to-sign")
    assert "待签收（3）" in to_sign and len(_cards(to_sign)) == 2
    assert 'href="/cases/department?group=to_sign&amp;page=2"' in to_sign
    second = dept.get("/cases/department", params={"group": "to_sign", "page": 2}, headers=HTML).text
    assert _cards(_section(second, "to-sign")) == [n for n in numbers if n not in _cards(to_sign)]


def test_the_department_queue_builds_rows_only_for_the_pages_shown(client_as, places, db, small_pages, monkeypatch):
    """Issue 19: the queue weighs up to WORKLIST_SCAN open cases but makes a list item (its clocks, its
    informant) only of the cards it shows; the groups' totals, pages and rows stay those of the whole
    list, and 即将超期 is still the in-progress cases whose row shows a warning or an overdue clock."""
    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    numbers = _escalated(worker, places.grid, 7)
    for no in numbers:
        assert town.post(f"/api/v1/cases/{no}/actions/accept", json={}).status_code == 200
        assert town.post(f"/api/v1/cases/{no}/actions/dispatch", json={"lead_department": lead}).status_code == 200
    for no in numbers[:4]:
        assert dept.post(f"/api/v1/cases/{no}/actions/sign", json={}).status_code == 200
    built: list[str] = []
    real = service.list_item
    monkeypatch.setattr(service, "list_item", lambda case, *a, **k: built.append(case.case_no) or real(case, *a, **k))

    html = dept.get("/cases/department", headers=HTML).text
    shown = set(_cards(html))  # every group's first page
    assert "待签收（3）" in html and "处置中（4）" in html and len(shown) == 4
    assert sorted(built) == sorted(shown)  # 7 open cases, 4 cards: 4 list items, each once

    me = principal(db, "dept_cg")
    monkeypatch.setattr(worklists, "WORKLIST_PAGE_SIZE", 100)
    running = [k for ks in repo.clocks_of(db, [c.id for c in db.scalars(select(Case).where(
        Case.case_no.in_(numbers[:4])))]).values() for k in ks if k.stopped_at is None]
    tick = timedelta(microseconds=1)
    for now in sorted({t for k in running for t in (k.warn_at - tick, k.warn_at, k.due_at, k.due_at + tick)}):
        whole = worklists.department(db, me, now=now)  # 即将超期 at each edge of each running clock
        in_progress = whole["in_progress"]["rows"]
        assert whole["due_soon"]["rows"] == [r for r in in_progress if r.status in ("warning", "overdue")], now
    assert whole["due_soon"]["total"] == 4 and {r.status for r in in_progress} == {"overdue"}

    for now in (utc_now(), utc_now() + timedelta(days=60)):  # handling clocks fresh, then long overdue
        monkeypatch.setattr(worklists, "WORKLIST_PAGE_SIZE", 100)
        whole = worklists.department(db, me, now=now)
        assert [r.item.case_no for r in whole["in_progress"]["rows"]] == numbers[:4][::-1]  # newest first
        assert whole["due_soon"]["total"] == (4 if now > utc_now() else 0)
        monkeypatch.setattr(worklists, "WORKLIST_PAGE_SIZE", 2)
        for key, group in whole.items():
            pages = -(-group["total"] // 2) or 1
            seen = []
            for page in range(1, pages + 1):
                built.clear()
                lists = worklists.department(db, me, now=now, asked=(key, page))
                assert (lists[key]["total"], lists[key]["pages"], lists[key]["page"]) == (group["total"], pages, page)
                seen += lists[key]["rows"]
                cards = {r.item.case_no for g in lists.values() for r in g["rows"]}
                assert sorted(built) == sorted(cards) and len(cards) <= 2 * len(lists)
            assert seen == group["rows"]
