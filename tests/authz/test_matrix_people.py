"""The jurisdiction matrix of the people register (实有人口): every demo account × every people route.

People are placed in several grids and a village of the demo city (the demo grid, a second grid of
its town, a grid of another town of its county, the grid of ``worker2`` in the second county, and a
village with no grid). What each account must see is computed here from its scope alone, by plain
queries of the table (a person is inside when its ``scope_code`` starts with the scope's significant
digits; departments see none of the register by default), never through the code under test.
Outside and missing answer the same 404; a role without the permission gets 403.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.models import Grid, User
from gridgov.models.registry import Person

from ..registry.people_fixtures import add_person
from .matrix_common import CITY, Failures

HTML = {"accept": "text/html"}
MISSING = 987654321

MAY_READ = {"city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "leader", "dept_cg", "dept_sc"}
"""Who holds registry.read, written by hand from the brief: grid staff, agencies, leaders and departments
(which then see nothing by default); not the auditor nor the security administrator."""
MAY_REVEAL = {"city_admin"}
"""registry.reveal: the agency administrator only (among the demo accounts)."""
DEPARTMENTS = {"dept_cg", "dept_sc"}


def significant(code: str) -> str:
    if len(code) != 12:
        return code
    for end in (2, 4, 6, 9):
        if set(code[end:]) == {"0"}:
            return code[:end]
    return code


def _place_people(db) -> None:
    places = demo_places(db, CITY)
    town_grids = db.scalars(select(Grid.code).where(Grid.code.startswith(places.town[:9]), Grid.status == "active")
                            .order_by(Grid.code)).all()
    county_grids = db.scalars(select(Grid.code).where(Grid.code.startswith(places.county[:6]),
                                                      ~Grid.code.startswith(places.town[:9]),
                                                      Grid.status == "active").order_by(Grid.code)).all()
    grids = {places.grid, places.grid2, next(g for g in town_grids if g != places.grid), county_grids[0]}
    for n, grid in enumerate(sorted(grids)):
        add_person(db, name=f"矩阵{n}", grid=grid)
    add_person(db, name="矩阵村", area=places.village)


def _message(r) -> str:
    if r.headers.get("content-type", "").startswith("application/json"):
        return r.json()["detail"]
    return re.search(r'class="error-page__message">([^<]*)<', r.text).group(1)


def _listed(c) -> set[int]:
    seen, page = set(), 1
    while True:
        body = c.get("/api/v1/people", params={"page": page, "page_size": 200}).json()
        seen |= {p["id"] for p in body["items"]}
        if page * 200 >= body["total"]:
            return seen
        page += 1


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_sees_exactly_the_people_of_its_jurisdiction(username, client_as, db):
    _place_people(db)
    user = db.scalar(select(User).where(User.username == username))
    prefix = significant(user.scope_code)
    everyone = dict(db.execute(select(Person.id, Person.scope_code)).all())
    expected = set() if username in DEPARTMENTS else {i for i, s in everyone.items() if s.startswith(prefix)}
    outside = sorted(set(everyone) - expected)
    c = client_as(username)
    fail = Failures()
    if username not in MAY_READ:
        for r in (c.get("/api/v1/people"), c.post("/api/v1/people/search", json={"q": "矩阵"}),
                  c.get(f"/api/v1/people/{min(everyone)}"), c.get(f"/api/v1/people/{min(everyone)}/access-log"),
                  c.get("/registry/people", headers=HTML), c.get(f"/registry/people/{min(everyone)}", headers=HTML)):
            fail.check(r.status_code == 403, f"无权限的角色得到 {r.status_code}：{r.url}")
        assert not fail.items, "\n".join(fail.items)
        return
    fail.check(_listed(c) == expected, f"列表 API：{sorted(_listed(c))}，应为 {sorted(expected)}")
    searched = c.post("/api/v1/people/search", json={"q": "矩阵", "page_size": 200}).json()
    fail.check({p["id"] for p in searched["items"]} == expected, "按姓名查找（POST）与辖区不符")
    page = c.get("/registry/people", params={"q": "矩阵"}, headers=HTML).text
    shown = {int(i) for i in re.findall(r'data-person="(\d+)"', page)}
    total = int(re.search(r'id="people-total" data-total="(\d+)"', page).group(1))
    fail.check(shown == expected and total == len(expected), f"列表页面：{sorted(shown)}（共 {total}）")
    missing = {url: c.get(url.format(MISSING), headers=h) for url, h in
               (("/api/v1/people/{}", {}), ("/api/v1/people/{}/access-log", {}), ("/registry/people/{}", HTML))}
    for url, h in (("/api/v1/people/{}", {}), ("/api/v1/people/{}/access-log", {}), ("/registry/people/{}", HTML)):
        for pid in sorted(expected)[:2]:
            r = c.get(url.format(pid), headers=h)
            fail.check(r.status_code == 200, f"{url.format(pid)} 辖区内得到 {r.status_code}")
        for pid in outside[:3]:
            r = c.get(url.format(pid), headers=h)
            fail.check(r.status_code == 404 and _message(r) == _message(missing[url]),
                       f"{url.format(pid)} 辖区外得到 {r.status_code}，与不存在的回答不同")
    for pid in outside[:2]:
        r = c.patch(f"/api/v1/people/{pid}", json={"name": "改名"})
        fail.check(r.status_code in (403, 404), f"PATCH 辖区外 {pid} 得到 {r.status_code}")
    target = sorted(expected)[:1] + outside[:1]
    for pid in target:
        r = c.post(f"/api/v1/people/{pid}/reveal", json={"reason": "verify_identity"})
        want = 403 if username not in MAY_REVEAL else (200 if pid in expected else 404)
        fail.check(r.status_code == want, f"reveal {pid}：{r.status_code}，应为 {want}")
    assert not fail.items, f"{username}（前缀 {prefix}）：\n" + "\n".join(fail.items)
