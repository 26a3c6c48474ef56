"""The jurisdiction matrix of legal professionals in the grids (issue 18): accounts × the register, schedules,
visits, the lawyer's own routes and the pages, over the demo (A: the demo town's professionals, visits in the
demo grid; B: one made here in the second county's town, with a schedule and a visit in its grid). Expected
by hand from the role table (cogovernance.read: agencies and grid staff; cogovernance.manage: the agencies'
administrators and dispatchers; cogovernance.take_part: the partners and the agency administrator) and the
jurisdictions: what lies outside answers like a missing row (404), never a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.kit import tokens
from gridgov.kit.clock import local, utc_now
from gridgov.models import User
from gridgov.models.legal import LegalProfessional, LegalSchedule, LegalVisit

from ..conftest import TEST_SECRET_KEY
from .matrix_common import CITY, Failures

HTML = {"accept": "text/html"}
API = "/api/v1/cogovernance/legal"
ACCOUNTS = ("city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "leader", "dept_cg",
            "auditor", "lawyer", "mediator")
READ = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "worker": {"A"},
        "worker2": {"B"}, "leader": {"A"}}
"""cogovernance.read: whose professionals and visits each reader sees; every other account 403."""
MANAGE = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}}
"""cogovernance.manage: whose register each may change and where it may record a visit."""
TAKE_PART = {"city_admin": 404, "lawyer": 200, "mediator": 404}
"""cogovernance.take_part: the lawyer's own schedules (200); the others are linked to no professional (404)."""


@pytest.fixture
def built(db, app):
    p = demo_places(db, CITY)
    now = utc_now()
    today = local(now).date()
    pro_a = db.scalar(select(LegalProfessional).where(LegalProfessional.name == "赵律师"))
    pro_b = LegalProfessional(name="吴律师", kind="law_firm", institution="乙律师事务所", title="",
                              public_phone="12348", area_code=p.town2, active=True, created_at=now, updated_at=now)
    db.add(pro_b)
    db.flush()
    db.add(LegalSchedule(professional_id=pro_b.id, area_code=p.grid2, rule="weekly", weekday=2, dates="", hours="",
                         place="", valid_from=today - timedelta(days=30), created_at=now))
    visit_b = LegalVisit(professional_id=pro_b.id, grid_code=p.grid2, visited_on=today, services="education",
                         people_served=1, notes="", created_at=now)
    db.add(visit_b)
    db.flush()
    visit_a = db.scalar(select(LegalVisit.id).where(LegalVisit.professional_id == pro_a.id).limit(1))
    clients = {}
    for username in ACCOUNTS:
        user = db.scalar(select(User).where(User.username == username))
        c = TestClient(app)
        c.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=now + timedelta(hours=1))
        clients[username] = c
    yield p, {"A": pro_a.id, "B": pro_b.id}, {"A": visit_a, "B": visit_b.id}, clients, today
    for c in clients.values():
        c.close()


def test_reads_reach_the_jurisdiction_only(built):
    p, pros, visits, clients, _today = built
    failures = Failures()
    for username, c in clients.items():
        status = 200 if username in READ else 403
        for path in (f"{API}/professionals", f"{API}/visits"):
            r = c.get(path)
            failures.check(r.status_code == status, f"{username}: GET {path} → {r.status_code}，应为 {status}")
        r = c.get("/cogovernance/legal", headers=HTML)
        failures.check(r.status_code == status, f"{username}: 页面 → {r.status_code}，应为 {status}")
        for side, pid in pros.items():
            want = (200 if side in READ[username] else 404) if username in READ else 403
            r = c.get(f"{API}/professionals/{pid}/schedules")
            failures.check(r.status_code == want, f"{username}: 安排 {side} → {r.status_code}，应为 {want}")
        if username not in READ:
            continue
        seen = {side for side, pid in pros.items() if pid in {x["id"] for x in c.get(f"{API}/professionals").json()}}
        failures.check(seen == READ[username], f"{username}: 人员 {sorted(seen)}，应为 {sorted(READ[username])}")
        listed = {x["id"] for x in c.get(f"{API}/visits", params={"page_size": 200}).json()["items"]}
        seen = {side for side, vid in visits.items() if vid in listed}
        failures.check(seen == READ[username], f"{username}: 记录 {sorted(seen)}，应为 {sorted(READ[username])}")
    assert not failures.items, "\n".join(failures.items)


def test_writes_reach_the_jurisdiction_only(built):
    p, pros, _visits, clients, today = built
    grids = {"A": p.grid, "B": p.grid2}
    failures = Failures()
    for username, c in clients.items():
        for side, pid in pros.items():
            want = (201 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.post(f"{API}/professionals/{pid}/schedules", json={
                "area_code": grids[side], "rule": "dates", "dates": [today.isoformat()],
                "valid_from": today.isoformat()})
            failures.check(r.status_code == want, f"{username}: 新增安排 {side} → {r.status_code}，应为 {want}")
            r = c.patch(f"{API}/professionals/{pid}", json={"title": "主任"})
            want = {201: 200}.get(want, want)
            failures.check(r.status_code == want, f"{username}: 修改 {side} → {r.status_code}，应为 {want}")
            want = (201 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.post(f"{API}/visits", json={"professional_id": pid, "grid_code": grids[side],
                                              "visited_on": today.isoformat(), "services": ["consultation"]})
            failures.check(r.status_code == want, f"{username}: 记录 {side} → {r.status_code}，应为 {want}")
            # the page's forms: the same answers (a redirect where the API creates)
            want = (303 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.post("/cogovernance/legal/schedules", headers=HTML, follow_redirects=False, data={
                "professional_id": pid, "area_code": grids[side], "rule": "weekly", "weekday": "4",
                "valid_from": today.isoformat()})
            failures.check(r.status_code == want, f"{username}: 页面新增安排 {side} → {r.status_code}，应为 {want}")
            r = c.post("/cogovernance/legal/visits", headers=HTML, follow_redirects=False, data={
                "professional_id": pid, "grid_code": grids[side], "visited_on": today.isoformat(),
                "services": ["documents"], "people_served": "2"})
            failures.check(r.status_code == want, f"{username}: 页面记录 {side} → {r.status_code}，应为 {want}")
        for side, town in (("A", p.town), ("B", p.town2)):
            want = (303 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.post("/cogovernance/legal/professionals", headers=HTML, follow_redirects=False, data={
                "name": "页面登记", "kind": "petition", "institution": "信访局", "area_code": town})
            failures.check(r.status_code == want, f"{username}: 页面登记 {side} → {r.status_code}，应为 {want}")
        want = 201 if username in MANAGE else 403
        r = c.post(f"{API}/professionals", json={"name": "新人", "kind": "police", "institution": "派出所",
                                                 "area_code": p.town})
        failures.check(r.status_code == want, f"{username}: 登记 A → {r.status_code}，应为 {want}")
        r = c.post(f"{API}/professionals", json={"name": "新人", "kind": "police", "institution": "派出所",
                                                 "area_code": p.town2})
        want = (201 if "B" in MANAGE[username] else 404) if username in MANAGE else 403
        failures.check(r.status_code == want, f"{username}: 登记 B → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)


def test_a_partners_own_routes(built):
    p, _pros, _visits, clients, today = built
    failures = Failures()
    for username, c in clients.items():
        allowed = username in TAKE_PART
        for path in (f"{API}/referrals", f"{API}/mine/visits"):
            want = (200 if path.endswith("referrals") or TAKE_PART[username] == 200 else 404) if allowed else 403
            r = c.get(path)
            failures.check(r.status_code == want, f"{username}: GET {path} → {r.status_code}，应为 {want}")
        own = TAKE_PART.get(username, 403)
        r = c.get(f"{API}/mine/schedules")
        failures.check(r.status_code == own, f"{username}: 我的安排 → {r.status_code}，应为 {own}")
        r = c.get("/cogovernance/legal/referrals", headers=HTML)
        failures.check(r.status_code == (200 if allowed else 403), f"{username}: 转请页面 → {r.status_code}")
        for grid, ok in ((p.grid, 201), (p.grid2, 404)):
            want = (ok if own == 200 else 404) if allowed else 403
            r = c.post(f"{API}/mine/visits", json={"grid_code": grid, "visited_on": today.isoformat(),
                                                   "services": ["screening"]})
            failures.check(r.status_code == want, f"{username}: 记录我的服务 {grid} → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)
