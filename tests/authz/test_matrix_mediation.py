"""Mediation's jurisdiction matrix (ZJ§17, issue 18): accounts × the register of bodies, the mediations, the
reveal and their pages, with one body and one mediation in each county (A: the demo town's committee and a
dispute passed to it through the lifecycle; B: a body of the second county's town with its own mediator
``m_b``, made for the test). Expected by hand from the role table and the jurisdictions: what lies outside
answers like a missing row (404), never a 403; a role without the permission gets 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import Case, User
from gridgov.models.mediation import Mediation, MediationBody, MediationMember, MediationParty

from ..cogovernance.mediation_data import PARTIES, accepted_case, demo_body, places_of
from ..conftest import TEST_SECRET_KEY
from .matrix_common import Failures

HTML = {"accept": "text/html"}
ACCOUNTS = ("city_admin", "county_dispatcher", "town_dispatcher", "leader", "worker", "worker2", "dept_cg",
            "auditor", "mediator", "m_b", "lawyer")
BODIES = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "leader": set(),
          "worker": set(), "worker2": set()}
"""Who reads the register (cogovernance.read) and which bodies (a grid's staff: none, bodies serve areas)."""
MEDIATIONS = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}, "leader": {"A"},
              "worker": {"A"}, "worker2": {"B"}, "dept_cg": set(), "mediator": {"A"}, "m_b": {"B"},
              "lawyer": set()}
"""Who reads mediations (cases.read) and whose: staff by the case's grid, a mediator its body's."""
REVEAL = set(MEDIATIONS)
"""Who may reveal the parties (cases.act): here every reader of mediations also acts on cases."""
MANAGE = {"city_admin": {"A", "B"}, "county_dispatcher": {"A"}, "town_dispatcher": {"A"}}
"""Who keeps the register (cogovernance.manage) and where."""


@pytest.fixture
def built(db, app, client_as):
    p = places_of(db)
    create_user(db, SYSTEM, UserCreate(username="m_b", display_name="m_b", password="Matrix-test-9931",
                                       role="mediator", scope_code=p.town2, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    c = {u: client_as(u) for u in ("worker", "town_dispatcher")}
    no_a = accepted_case(c, p)
    r = c["town_dispatcher"].post(f"/api/v1/cases/{no_a}/actions/mediate", json={"body": demo_body(db, p).id,
                                                                                  **PARTIES})
    assert r.status_code == 200, r.text
    r = client_as("worker2").post("/api/v1/cases", json={"title": "纠纷", "category": "zj12_03", "type": "0601",
                                                         "source": "patrol", "grid_code": p.grid2, "address": "x"})
    assert r.status_code == 201, r.text
    now, cipher = utc_now(), app.state.cipher
    body_b = MediationBody(name="乙街道人民调解委员会", kind="committee", area_code=p.town2, phone="", active=True,
                           created_at=now, updated_at=now)
    db.add(body_b)
    db.flush()
    m_b = db.scalar(select(User.id).where(User.username == "m_b"))
    db.add(MediationMember(body_id=body_b.id, user_id=m_b, added_at=now))
    case_b = db.scalar(select(Case).where(Case.case_no == r.json()["case_no"]))
    med_b = Mediation(case_id=case_b.id, body_id=body_b.id, grid_code=case_b.grid_code, passed_at=now, status="open")
    db.add(med_b)
    db.flush()
    db.add(MediationParty(mediation_id=med_b.id, seq=1, name_enc=cipher.encrypt("王五"), name_mask="王*"))
    db.commit()
    med_a = db.scalar(select(Mediation.id).where(Mediation.body_id == demo_body(db, p).id))
    ids = {"A": med_a, "B": med_b.id}
    bodies = {"A": demo_body(db, p).id, "B": body_b.id}
    clients = {}
    for username in ACCOUNTS:
        user = db.scalar(select(User).where(User.username == username))
        cl = TestClient(app)
        cl.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=utc_now() + timedelta(hours=1))
        clients[username] = cl
    yield p, ids, bodies, clients
    for cl in clients.values():
        cl.close()


def test_every_account_reads_the_mediations_and_bodies_of_its_jurisdiction_only(built):
    _p, ids, bodies, clients = built
    failures = Failures()
    for username, c in clients.items():
        status = 200 if username in BODIES else 403
        for path in ("/api/v1/cogovernance/mediation/bodies", "/cogovernance/mediation/bodies"):
            r = c.get(path, headers=HTML if not path.startswith("/api") else {})
            failures.check(r.status_code == status, f"{username}: GET {path} → {r.status_code}，应为 {status}")
        if username in BODIES:
            seen = {s for s, i in bodies.items() if i in {b["id"] for b in c.get(
                "/api/v1/cogovernance/mediation/bodies").json()}}
            failures.check(seen == BODIES[username], f"{username}: 调解组织 {sorted(seen)}")
        for side, body_id in bodies.items():
            want = (200 if side in BODIES[username] else 404) if username in BODIES else 403
            r = c.get(f"/api/v1/cogovernance/mediation/bodies/{body_id}")
            failures.check(r.status_code == want, f"{username}: 调解组织 {side} → {r.status_code}，应为 {want}")
        status = 200 if username in MEDIATIONS else 403
        for path in ("/api/v1/cogovernance/mediations", "/cogovernance/mediation"):
            r = c.get(path, headers=HTML if not path.startswith("/api") else {})
            failures.check(r.status_code == status, f"{username}: GET {path} → {r.status_code}，应为 {status}")
        if username in MEDIATIONS:
            listed = {i["id"] for i in c.get("/api/v1/cogovernance/mediations?status=").json()["items"]}
            seen = {s for s, i in ids.items() if i in listed}
            failures.check(seen == MEDIATIONS[username], f"{username}: 调解 {sorted(seen)}")
        for side, mid in ids.items():
            want = (200 if side in MEDIATIONS[username] else 404) if username in MEDIATIONS else 403
            for path in (f"/api/v1/cogovernance/mediations/{mid}", f"/cogovernance/mediation/{mid}"):
                r = c.get(path, headers=HTML if not path.startswith("/api") else {})
                failures.check(r.status_code == want, f"{username}: {path} → {r.status_code}，应为 {want}")
            want = (200 if side in MEDIATIONS[username] else 404) if username in REVEAL else 403
            r = c.post(f"/api/v1/cogovernance/mediations/{mid}/reveal", json={"reason": "矩阵测试"})
            failures.check(r.status_code == want, f"{username}: 查看完整 {side} → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)


def test_the_register_is_kept_inside_the_jurisdiction_only(built, db):
    p, _ids, bodies, clients = built
    failures = Failures()
    m_a = db.scalar(select(User.id).where(User.username == "mediator"))
    for username, c in clients.items():
        for side, area in (("A", p.town), ("B", p.town2)):
            want = (201 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.post("/api/v1/cogovernance/mediation/bodies", json={"name": f"{username}调解站", "kind": "station",
                                                                       "area_code": area})
            failures.check(r.status_code == want, f"{username}: 登记 {side} → {r.status_code}，应为 {want}")
            want = (200 if side in MANAGE[username] else 404) if username in MANAGE else 403
            r = c.patch(f"/api/v1/cogovernance/mediation/bodies/{bodies[side]}", json={"phone": "0511-1234567"})
            failures.check(r.status_code == want, f"{username}: 修改 {side} → {r.status_code}，应为 {want}")
        # linking the demo mediator (an account of town A) to body B: only who sees both
        want = {"city_admin": 200}.get(username, 404 if username in MANAGE else 403)
        r = c.post(f"/api/v1/cogovernance/mediation/bodies/{bodies['B']}/members", json={"user_id": m_a})
        failures.check(r.status_code == want, f"{username}: 关联调解员到 B → {r.status_code}，应为 {want}")
    assert not failures.items, "\n".join(failures.items)
