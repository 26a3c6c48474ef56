"""Issue 14: the worklists page too. The dispatcher's inbox and a department's queue show each group
one page at a time with a pager; the next page has the rest, the other groups stay on their first
page, and the heading counts the whole group (both databases). The worker's and the 辖区 list
(/cases/mine) page through the case search: tests/cases/test_case_search_pages.py."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import worklists
from gridgov.models import User

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
