"""The volunteers' jurisdiction matrix (issue 18): accounts × the register's routes, with one person and
one organisation in each county (A: the demo grid's county, B: the second county's grid). Expected by
hand from the role table (cogovernance.read: the agencies, grid leaders and workers; cogovernance.manage:
the agencies' administrators and dispatchers) and the jurisdictions: what lies elsewhere answers like a
missing row (404), never a 403; departments, auditors and partners hold neither (403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.cogovernance import volunteers
from gridgov.cogovernance.volunteers_schemas import OrgCreate, VolunteerCreate
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY
from .matrix_common import CITY, Failures

HTML = {"accept": "text/html"}
SEES = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "leader": {"A"},
        "worker": {"A"}, "worker2": {"B"}, "dept_cg": None, "auditor": None, "security_admin": None, "lawyer": None}
"""Whose people each account reads (None: it may not read the register at all, 403)."""
KEEPS = {"city_admin", "county_dispatcher", "town_dispatcher"}
"""Who keeps the register (the others that read it get 403 on a write)."""


@pytest.fixture
def built(db, app):
    p = demo_places(db, CITY)
    profile, now = load_profile("zhenjiang"), utc_now()
    people, orgs = {}, {}
    for side, grid, town, phone in (("A", p.grid, p.town, "13600000001"), ("B", p.grid2, p.town2, "13600000002")):
        orgs[side] = volunteers.create_org(db, SYSTEM, OrgCreate(name=f"物业{side}", kind="property", area_code=town),
                                           now=now).id
        people[side] = volunteers.create(db, SYSTEM, VolunteerCreate(name=f"矩阵{side}", kind="courier",
                                                                     place_code=grid, phone=phone),
                                         profile=profile, cipher=app.state.cipher, now=now).id
    clients = {}
    for username in SEES:
        user = db.scalar(select(User).where(User.username == username))
        c = TestClient(app)
        c.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=utc_now() + timedelta(hours=1))
        clients[username] = c
    yield p, people, orgs, clients
    for c in clients.values():
        c.close()


def _expected(username: str, side: str, *, write: bool = False) -> int:
    seen = SEES[username]
    if seen is None or (write and username not in KEEPS):
        return 403
    return 200 if side in seen else 404


def _ids(c, path: str) -> set[int]:
    return {i["id"] for i in c.get(path, params={"page_size": 200}).json()["items"]}


def test_every_account_reads_the_register_of_its_jurisdiction_only(built):
    _p, people, orgs, clients = built
    failures = Failures()
    for username, c in clients.items():
        reads = SEES[username] is not None
        for path in ("/api/v1/cogovernance/volunteers", "/api/v1/cogovernance/volunteer-orgs",
                     "/api/v1/cogovernance/volunteers/ranking"):
            r = c.get(path)
            failures.check(r.status_code == (200 if reads else 403), f"{username}: GET {path} → {r.status_code}")
        for path in ("/cogovernance/volunteers", "/cogovernance/volunteers/ranking", "/cogovernance/volunteers/roster"):
            r = c.get(path, headers=HTML)
            failures.check(r.status_code == (200 if reads else 403), f"{username}: {path} → {r.status_code}")
        if reads:
            listed = _ids(c, "/api/v1/cogovernance/volunteers")
            seen = {side for side, i in people.items() if i in listed}
            failures.check(seen == SEES[username], f"{username}: 人员 {sorted(seen)}，应为 {sorted(SEES[username])}")
            listed = _ids(c, "/api/v1/cogovernance/volunteer-orgs")
            seen_orgs = {side for side, i in orgs.items() if i in listed}
            # organisations serve the towns: a grid's worker or leader reads none of them
            want = SEES[username] if username in KEEPS else set()
            failures.check(seen_orgs == want, f"{username}: 组织 {sorted(seen_orgs)}，应为 {sorted(want)}")
        for side, vid in people.items():
            want = _expected(username, side)
            for path in (f"/api/v1/cogovernance/volunteers/{vid}", f"/api/v1/cogovernance/volunteers/{vid}/reports"):
                r = c.get(path)
                failures.check(r.status_code == want, f"{username}: GET {path} ({side}) → {r.status_code}，应为 {want}")
            r = c.get(f"/cogovernance/volunteers/{vid}", headers=HTML)
            failures.check(r.status_code == want, f"{username}: 页面 {side} → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)


def test_writes_reach_the_jurisdiction_only(built):
    p, people, orgs, clients = built
    failures = Failures()
    grids = {"A": p.grid, "B": p.grid2}
    for n, (username, c) in enumerate(clients.items()):
        for side, vid in people.items():
            want = _expected(username, side, write=True)
            r = c.patch(f"/api/v1/cogovernance/volunteers/{vid}", json={"name": f"改名{username}"})
            failures.check(r.status_code == want, f"{username}: 修改 {side} → {r.status_code}，应为 {want}")
            r = c.post(f"/api/v1/cogovernance/volunteers/{vid}/reveal", json={"reason": "矩阵测试"})
            failures.check(r.status_code == want, f"{username}: 查看手机号 {side} → {r.status_code}，应为 {want}")
            r = c.patch(f"/api/v1/cogovernance/volunteer-orgs/{orgs[side]}", json={"contact": "0511-1"})
            org_want = want if username in KEEPS or want == 403 else 403
            failures.check(r.status_code == org_want, f"{username}: 修改组织 {side} → {r.status_code}，应为 {org_want}")
            body = {"name": "新人", "kind": "rider", "place_code": grids[side], "phone": f"135{n:04d}{ord(side):04d}"}
            r = c.post("/api/v1/cogovernance/volunteers", json=body)
            failures.check(r.status_code == {200: 201}.get(want, want),
                           f"{username}: 在 {side} 登记 → {r.status_code}，应为 {want}")
            csv = f"姓名,类别,所在微网格或网格编码,手机号\n导入,快递员,{grids[side]},134{n:04d}{ord(side):04d}\n"
            r = c.post("/api/v1/cogovernance/volunteers/import", files={"file": ("v.csv", csv.encode(), "text/csv")})
            # a row outside the jurisdiction is a bad row naming the grid as missing (the file is refused)
            imported = {200: 201, 404: 422}.get(want, want)
            failures.check(r.status_code == imported, f"{username}: 导入到 {side} → {r.status_code}，应为 {imported}")
            if imported == 422:
                failures.check("不存在" in r.json()["errors"][0]["reason"], f"{username}: 导入到 {side} 的说明")
            if want != 200:
                r = c.post(f"/api/v1/cogovernance/volunteers/{vid}/deactivate", json={})
                failures.check(r.status_code == want, f"{username}: 停用 {side} → {r.status_code}，应为 {want}")
                r = c.post(f"/cogovernance/volunteers/{vid}/deactivate", headers=HTML, follow_redirects=False)
                failures.check(r.status_code == want, f"{username}: 页面停用 {side} → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)
