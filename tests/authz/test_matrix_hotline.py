"""The hotline's jurisdiction matrix: accounts × the triage queue, the category table and their pages, with
one hotline case and one table row in each county (A: the demo's first county, B: the second, with a
dispatcher of B made for the test). Expected by hand from the role table (hotline.categories: the agencies'
dispatchers and administrators) and the jurisdictions: what lies in the other county answers like a missing
row (404), never a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.interop.clients import create_client, principal_for_key
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import User
from gridgov.models.hotline import HotlineCategory

from ..conftest import TEST_SECRET_KEY
from ..interop.hotline_data import PROFILE, call, places, submit
from .matrix_common import Failures

HTML = {"accept": "text/html"}
ACCOUNTS = ("city_admin", "county_dispatcher", "town_dispatcher", "h_county2", "leader", "worker", "worker2",
            "dept_cg", "auditor", "security_admin")
QUEUE = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "h_county2": {"B"}}
"""Who reads the triage queue (200) and whose cases it holds; every other account: 403."""
TABLE = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": set(), "h_county2": {"B"}}
"""Whose table rows each reader sees (the rows are kept at the counties: a town sees neither)."""
CLASSIFY = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "h_county2": {"B"}}
"""Whose case each may classify (200); the other county's case is a 404."""


@pytest.fixture
def built(db, app):
    p = places(db)
    create_user(db, SYSTEM, UserCreate(username="h_county2", display_name="h_county2", password="Matrix-test-9931",
                                       role="agency_dispatcher", scope_code=p.county2, must_change_password=False),
                now=utc_now(), demo=True)
    keys = {side: create_client(db, name=f"matrix-hotline-{side}", kind="hotline", area_code=area, now=utc_now())[1]
            for side, area in (("A", p.county), ("B", p.county2))}
    db.flush()
    hotlines = {side: principal_for_key(db, key, profile=PROFILE, now=utc_now()) for side, key in keys.items()}
    tickets = {"A": call(p.grid), "B": call(p.grid2)}
    cases = {side: submit(db, hotlines[side], tickets[side])[0].case_no for side in ("A", "B")}
    rows = {}
    for side, area in (("A", p.county), ("B", p.county2)):
        row = HotlineCategory(area_code=area, code=f"M-{side}", name="", type_code="0101", updated_at=utc_now())
        db.add(row)
        db.flush()
        rows[side] = row.id
    clients = {}
    for username in ACCOUNTS:
        user = db.scalar(select(User).where(User.username == username))
        c = TestClient(app)
        c.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=utc_now() + timedelta(hours=1))
        clients[username] = c
    for side, key in keys.items():
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {key}"
        clients[f"hotline_{side}"] = c
    yield p, cases, rows, clients, tickets
    for c in clients.values():
        c.close()


def test_every_account_reaches_the_hotline_queue_and_table_of_its_jurisdiction_only(built):
    p, cases, rows, clients, _tickets = built
    failures = Failures()
    for username, c in clients.items():
        allowed = username in QUEUE
        status = 200 if allowed else 403
        for path in ("/api/v1/hotline/triage", "/api/v1/hotline/categories", "/api/v1/hotline/categories/export.csv"):
            r = c.get(path)
            failures.check(r.status_code == status, f"{username}: GET {path} → {r.status_code}，应为 {status}")
        for path in ("/hotline/triage", "/hotline/categories"):
            r = c.get(path, headers=HTML)
            failures.check(r.status_code == status, f"{username}: {path} → {r.status_code}，应为 {status}")
        if not allowed:
            continue
        queue = {i["case_no"] for i in c.get("/api/v1/hotline/triage").json()["items"]}
        seen = {side for side, no in cases.items() if no in queue}
        failures.check(seen == QUEUE[username], f"{username}: 待分类 {sorted(seen)}，应为 {sorted(QUEUE[username])}")
        page = c.get("/hotline/triage", headers=HTML).text
        failures.check({s for s, no in cases.items() if no in page} == QUEUE[username], f"{username}: 待分类页面")
        table = {r["id"] for r in c.get("/api/v1/hotline/categories").json()}
        seen = {side for side, i in rows.items() if i in table}
        failures.check(seen == TABLE[username], f"{username}: 对照表 {sorted(seen)}，应为 {sorted(TABLE[username])}")
    assert not failures.items, "\n".join(failures.items)


def test_writes_reach_the_jurisdiction_only(built):
    p, cases, rows, clients, _tickets = built
    failures = Failures()
    for username, c in clients.items():
        for side, case_no in cases.items():
            expected = (200 if side in CLASSIFY[username] else 404) if username in CLASSIFY else 403
            r = c.post(f"/api/v1/hotline/triage/{case_no}", json={"type": "0102"})
            failures.check(r.status_code == expected, f"{username}: 分类 {side} → {r.status_code}，应为 {expected}")
            r = c.post(f"/hotline/triage/{case_no}", data={"type": "0102"}, headers=HTML, follow_redirects=False)
            want = {200: 303}.get(expected, expected)
            failures.check(r.status_code == want, f"{username}: 页面分类 {side} → {r.status_code}，应为 {want}")
        for side, area in (("A", p.county), ("B", p.county2)):
            expected = (200 if side in TABLE[username] else 404) if username in TABLE else 403
            r = c.post("/api/v1/hotline/categories", json={"code": "NEW", "type": "0101", "area_code": area})
            failures.check(r.status_code == expected, f"{username}: 新增 {side} 对照 → {r.status_code}/{expected}")
            if expected != 200:  # a row it may not touch: deleting it is a 404 (or 403), and it stays
                r = c.delete(f"/api/v1/hotline/categories/{rows[side]}")
                failures.check(r.status_code == (404 if username in TABLE else 403),
                               f"{username}: 删除 {side} 对照 → {r.status_code}")
    assert not failures.items, "\n".join(failures.items)
    assert clients["h_county2"].delete(f"/api/v1/hotline/categories/{rows['B']}").status_code == 204


def test_the_intake_answers_its_own_client_in_its_own_area_only(built):
    """A hotline client registers in its area (outside: 422) and follows its own tickets (another's: 404);
    no person may hand a ticket over or follow one (403), whatever the role."""
    p, cases, rows, clients, tickets = built
    failures = Failures()
    grids = {"A": p.grid, "B": p.grid2}
    for username, c in clients.items():
        own = username.removeprefix("hotline_") if username.startswith("hotline_") else None
        for side, grid in grids.items():
            expected = (201 if side == own else 422) if own else 403
            r = c.post("/api/v1/intake", json=call(grid).model_dump(mode="json"))
            failures.check(r.status_code == expected, f"{username}: 转办 {side} → {r.status_code}，应为 {expected}")
            expected = (200 if side == own else 404) if own else 403
            r = c.get(f"/api/v1/intake/{tickets[side].external_id}")
            failures.check(r.status_code == expected, f"{username}: 查询 {side} → {r.status_code}，应为 {expected}")
            if expected == 200:
                failures.check(r.json()["case_no"] == cases[side], f"{username}: 工单 {side} 的事件")
        if own:  # a client is no agency: the queue, the table and the pages are not its own
            for path in ("/api/v1/hotline/triage", "/api/v1/hotline/categories"):
                failures.check(c.get(path).status_code == 403, f"{username}: GET {path}")
    assert not failures.items, "\n".join(failures.items)
