"""API clients (issue 17): a key per system, kept hashed, scoped to its area (and department),
revocable, every call audited; a department's system acts on its department's cases."""

from __future__ import annotations

import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from gridgov.accounts.demo import demo_places
from gridgov.cli import app as cli
from gridgov.interop.clients import revoke_client
from gridgov.kit.clock import utc_now
from gridgov.models import ApiClient, AuditEntry, Case, CaseLogEntry, User

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _as_key(app, key: str) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {key}"
    return c


def test_the_cli_prints_one_json_line_and_keeps_only_the_keys_digest(cli_env, committed):
    app, factory = committed
    cli_env(str(app.state.engine.url))
    with factory() as s:
        dept = s.scalar(select(User.department_code).where(User.username == "dept_cg"))
        area = s.scalar(select(User.scope_code).where(User.username == "dept_cg"))
    runner = CliRunner()
    r = runner.invoke(cli, ["clients", "create", "12345热线", "--kind", "hotline", "--area", CITY])
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout.strip())
    assert set(made) == {"client_id", "api_key"} and made["api_key"].startswith("ggk_")
    with factory() as s:
        row = s.get(ApiClient, made["client_id"])
        assert row.key_hash == hashlib.sha256(made["api_key"].encode()).hexdigest()
        assert made["api_key"] not in json.dumps([str(v) for v in vars(row).values()])
        user = s.get(User, row.user_id)
        assert user.role == "hotline_client" and user.scope_code == CITY
    # the key answers through the door; the call is audited and is the client's last use
    with _as_key(app, made["api_key"]) as c:
        assert c.get("/api/v1/cases").status_code == 200
    listed = runner.invoke(cli, ["clients", "list", "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["name"] for r in rows] == ["12345热线"] and rows[0]["last_used_at"]
    # a department's system names its department, inside its area; the others may not
    r = runner.invoke(cli, ["clients", "create", "城管系统", "--kind", "department", "--area", area,
                            "--department", dept])
    assert r.exit_code == 0, r.output
    for bad in (["x1", "--kind", "department", "--area", area],
                ["x2", "--kind", "hotline", "--area", CITY, "--department", dept],
                ["x3", "--kind", "pager", "--area", CITY],
                ["x4", "--kind", "hotline", "--area", "999999999999"],
                ["12345热线", "--kind", "hotline", "--area", CITY]):
        r = runner.invoke(cli, ["clients", "create", *bad])
        assert r.exit_code == 1 and "错误" in r.stderr, (bad, r.output)
    with factory() as s:
        assert s.scalar(select(ApiClient.name).where(ApiClient.name.like("x%"))) is None
    r = runner.invoke(cli, ["clients", "revoke", "12345热线"])
    assert r.exit_code == 0 and "已吊销" in r.stdout
    with _as_key(app, made["api_key"]) as c:
        refused = c.get("/api/v1/cases")
    assert refused.status_code == 401 and refused.json()["detail"] == "请先登录"
    assert runner.invoke(cli, ["clients", "revoke", "nobody"]).exit_code == 1


def test_a_key_is_audited_on_every_call_and_a_bad_or_revoked_key_is_refused(app, db, api_client):
    client_id, key = api_client("hotline", CITY)
    with _as_key(app, key) as c:
        assert c.get("/api/v1/cases").json()["items"] == []  # it handed nothing over yet
        denied = c.get("/api/v1/staff")  # no permission of a hotline
        assert denied.status_code == 403
    calls = db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "api_client_call",
                                                       AuditEntry.object_id == str(client_id))).all()
    assert "GET /api/v1/cases" in calls
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (forged, "ggk_nothing", "ggk_" + "0" * 12 + "_" + "x" * 43):
        with _as_key(app, bad) as c:
            assert c.get("/api/v1/cases").status_code == 401
    revoke_client(db, str(client_id), now=utc_now())
    db.flush()
    with _as_key(app, key) as c:
        assert c.get("/api/v1/cases").status_code == 401


def test_a_clients_account_cannot_log_in_nor_be_given_by_an_administrator(app, db, api_client, client_as):
    client_id, _key = api_client("open311", CITY)
    username = db.scalar(select(User.username).join(ApiClient, ApiClient.user_id == User.id)
                         .where(ApiClient.id == client_id))
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": "!api-client"})
    assert r.status_code == 401
    admin = client_as("city_admin")
    r = admin.post("/api/v1/users", json={"username": "fake_hotline", "display_name": "假热线",
                                          "password": "Abcd1234!x", "role": "hotline_client", "scope_code": CITY})
    assert r.status_code in (403, 422) and "gridgov clients" in r.json()["detail"]


@pytest.mark.req("D4")
def test_a_department_system_signs_and_handles_its_cases_as_its_department(app, db, api_client, client_as, places):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    dept = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    area = db.scalar(select(User.scope_code).where(User.username == "dept_cg"))
    client_id, key = api_client("department", area, dept)
    other_dept = db.scalar(select(User.department_code).where(User.role == "dept_receiver",
                                                               User.department_code != dept))
    _, other_key = api_client("department", area if other_dept is None else
                              db.scalar(select(User.scope_code).where(User.department_code == other_dept)),
                              other_dept) if other_dept else (None, None)
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    no = worker.post("/api/v1/cases", json={"title": "路灯不亮", "category": category, "source": "patrol",
                                            "grid_code": places.grid, "address": "解放路"}).json()["case_no"]
    for client, action, body in ((worker, "escalate", {}), (town, "accept", {}),
                                 (town, "dispatch", {"lead_department": dept})):
        assert client.post(f"/api/v1/cases/{no}/actions/{action}", json=body).status_code == 200
    with _as_key(app, key) as system:
        queue = system.get("/api/v1/cases").json()["items"]
        assert [c["case_no"] for c in queue] == [no]
        signed = system.post(f"/api/v1/cases/{no}/actions/sign", json={})
        assert signed.status_code == 200 and signed.json()["state"] == "in_progress"
        handled = system.post(f"/api/v1/cases/{no}/actions/handle", json={"result": "已更换灯泡"})
        assert handled.status_code == 200 and handled.json()["state"] == "handled"
        # it acts only as its department: the agency's steps are not its own
        assert system.post(f"/api/v1/cases/{no}/actions/check", json={}).status_code == 403
    if other_key:
        with _as_key(app, other_key) as stranger:
            assert stranger.get(f"/api/v1/cases/{no}").status_code == 404
            assert stranger.post(f"/api/v1/cases/{no}/actions/sign", json={}).status_code == 404
    entries = db.scalars(select(CaseLogEntry).join(Case, Case.id == CaseLogEntry.case_id)
                         .where(Case.case_no == no).order_by(CaseLogEntry.seq)).all()
    sign, handle = entries[-2], entries[-1]
    assert (sign.action, handle.action) == ("sign", "handle")
    assert sign.role == handle.role == "department_client"
    owner = db.scalar(select(ApiClient.user_id).where(ApiClient.id == client_id))
    assert sign.actor_id == owner
