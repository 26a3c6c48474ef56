"""Deliberation's jurisdiction matrix (议事协商, issue 18): accounts × topics in three places (A: the demo
grid; V: the demo grid's community; B: a grid of the other county), over the API and the pages. Expected by
hand from the role table (cogovernance.read / deliberation.write: agencies, instructors, chief leaders,
leaders, grid workers) and the jurisdictions: a topic outside answers like a missing one (404), a role
without the permission 403 (departments, the auditor, the security administrator, the partners)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.cogovernance.deliberation import create_deliberation
from gridgov.cogovernance.deliberation_schemas import DeliberationCreate, ParticipantIn
from gridgov.kit.clock import local, utc_now
from gridgov.models.deliberation import Deliberation

from .matrix_common import CITY, Failures

API = "/api/v1/cogovernance/deliberations"
PAGES = "/cogovernance/deliberations"
HTML = {"accept": "text/html"}
TODAY = local(utc_now()).date().isoformat()
SEES = {"city_admin": {"A", "V", "B"}, "county_dispatcher": {"A", "V"}, "town_dispatcher": {"A", "V"},
        "leader": {"A"}, "worker": {"A"}, "worker2": {"B"}}
"""Which topics each holder of cogovernance.read / deliberation.write reaches; a grid's worker or leader
reaches its grid's topics, not those of the whole community (its scope is the grid)."""
REFUSED = ("dept_cg", "auditor", "security_admin", "lawyer", "mediator")
"""Accounts without either permission: 403 everywhere."""


@pytest.fixture
def built(db):
    p = demo_places(db, CITY)
    ids = {}
    for side, code in (("A", p.grid), ("V", p.village), ("B", p.grid2)):
        row = create_deliberation(db, SYSTEM, DeliberationCreate(
            area_code=code, topic=f"矩阵议题 {side}", raised_by="王大明",
            participants=[ParticipantIn(kind="resident", name="赵小兰")]), now=utc_now())
        ids[side] = row.id
    db.flush()
    return p, ids


def test_every_account_reaches_the_deliberations_of_its_jurisdiction_only(built, client_as):
    p, ids = built
    failures = Failures()
    for username in (*SEES, *REFUSED):
        c = client_as(username)
        allowed = SEES.get(username)
        r = c.get(API, params={"page_size": 200})
        failures.check(r.status_code == (200 if allowed else 403), f"{username}: 列表 → {r.status_code}")
        page = c.get(PAGES, headers=HTML)
        failures.check(page.status_code == (200 if allowed else 403), f"{username}: 列表页 → {page.status_code}")
        if allowed:
            listed = {i["id"] for i in r.json()["items"]}
            seen = {side for side, i in ids.items() if i in listed}
            failures.check(seen == allowed, f"{username}: 列表 {sorted(seen)}，应为 {sorted(allowed)}")
            failures.check("赵小兰" not in r.text and "赵小兰" not in page.text, f"{username}: 列表中姓名未打码")
        for side, i in ids.items():
            want = (200 if side in allowed else 404) if allowed else 403
            r = c.get(f"{API}/{i}")
            failures.check(r.status_code == want, f"{username}: 查看 {side} → {r.status_code}，应为 {want}")
            r = c.get(f"{PAGES}/{i}", headers=HTML)
            failures.check(r.status_code == want, f"{username}: 议题页 {side} → {r.status_code}，应为 {want}")
            if want == 200:
                failures.check("赵小兰" in r.text, f"{username}: 议题页应显示完整姓名")
            r = c.post(f"{API}/{i}/participants", json={"kind": "resident", "headcount": 2})
            want_w = {200: 201}.get(want, want)
            failures.check(r.status_code == want_w, f"{username}: 添加参与人 {side} → {r.status_code}，应为 {want_w}")
            r = c.post(f"{API}/{i}/meetings", json={"held_on": TODAY, "place": "议事厅", "attendance": 3})
            failures.check(r.status_code == want_w, f"{username}: 记录会议 {side} → {r.status_code}，应为 {want_w}")
            r = c.post(f"{API}/{i}/follow-ups", json={"kind": "case", "title": "跟进", "category": "x"})
            want_f = {200: 409}.get(want, want)  # inside: refused for being undecided, after the door let it in
            failures.check(r.status_code == want_f, f"{username}: 跟进 {side} → {r.status_code}，应为 {want_f}")
            r = c.get(f"{API}/{i}/attachments/{'0' * 64}")
            want_a = {200: 404}.get(want, want)  # no such attachment inside, no such topic outside
            failures.check(r.status_code == want_a, f"{username}: 附件 {side} → {r.status_code}，应为 {want_a}")
            r = c.patch(f"{API}/{i}", json={"status": "open"})
            failures.check(r.status_code == want, f"{username}: 更新 {side} → {r.status_code}，应为 {want}")
            r = c.post(f"{API}/{i}/publish", json={"publish": False})
            failures.check(r.status_code == want, f"{username}: 公开 {side} → {r.status_code}，应为 {want}")
            r = c.post(f"{PAGES}/{i}/participants", data={"kind": "resident", "headcount": "1"}, headers=HTML,
                       follow_redirects=False)
            want_p = {200: 303}.get(want, want)
            failures.check(r.status_code == want_p, f"{username}: 页面添加参与人 {side} → {r.status_code}/{want_p}")
        for side, code in (("A", p.grid), ("V", p.village), ("B", p.grid2)):
            want = (201 if side in allowed else 404) if allowed else 403
            r = c.post(API, json={"area_code": code, "topic": f"{username} 新议题"})
            failures.check(r.status_code == want, f"{username}: 在 {side} 登记 → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)


def test_a_refused_write_changes_nothing(built, client_as, db):
    _p, ids = built
    before = db.scalar(select(Deliberation.status).where(Deliberation.id == ids["B"]))
    assert client_as("worker").patch(f"{API}/{ids['B']}", json={"status": "withdrawn"}).status_code == 404
    assert client_as("dept_cg").patch(f"{API}/{ids['B']}", json={"status": "withdrawn"}).status_code == 403
    db.expire_all()
    assert db.scalar(select(Deliberation.status).where(Deliberation.id == ids["B"])) == before == "open"
