"""The busiest writes (intake, case actions) look the user up inside their one trip to the thread
pool (authz.admit): the answers must be require()'s, and a refusal must write nothing but the
denial, logged after the request's transaction has rolled back (a real file or server here, so
SQLite's write lock is really held)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gridgov.accounts.demo import demo_places
from gridgov.app import create_app
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.models import AuditEntry, Case, User

from ..conftest import build_demo_into, make_settings

CITY = "321100000000"


@pytest.fixture
def served(fresh_url, tmp_path):
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    make = make_sessionmaker(engine)
    with unit_of_work(make) as session:
        grid = demo_places(session, CITY).grid
    with TestClient(create_app(make_settings(fresh_url, tmp_path), engine=engine)) as client:
        yield client, make, grid
    engine.dispose()


def _token(client, username):
    r = client.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _case(grid, **extra):
    return {"title": "群众反映路灯不亮", "category": "zj12_02", "source": "hotline", "grid_code": grid,
            "address": "解放路 12 号", **extra}


def _cases(make) -> int:
    with unit_of_work(make) as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_intake_admits_as_require_does(served):
    client, make, grid = served
    before = _cases(make)  # the demo's own (a deliberation's follow-up case)
    assert client.post("/api/v1/cases", json=_case(grid)).status_code == 401
    assert client.post("/api/v1/cases", json=_case(grid),
                       headers={"Authorization": "Bearer nonsense"}).status_code == 401

    auditor = _token(client, "auditor")
    r = client.post("/api/v1/cases", json=_case(grid), headers=auditor)
    assert r.status_code == 403 and "审计员" in r.json()["detail"]
    with unit_of_work(make) as session:
        denied = session.scalar(select(AuditEntry).where(AuditEntry.actor == "auditor", AuditEntry.action == "denied"))
    assert denied is not None and denied.object_id == "POST /api/v1/cases"

    # The documented difference: the body is checked before the user is looked up.
    assert client.post("/api/v1/cases", json={"title": "x"}, headers=auditor).status_code == 422

    town = _token(client, "town_dispatcher")
    assert client.post("/api/v1/cases", json=_case(grid), headers=town).status_code == 201
    with unit_of_work(make) as session:  # disabling a user ends its tokens at once
        session.execute(update(User).where(User.username == "town_dispatcher").values(is_active=False))
    assert client.post("/api/v1/cases", json=_case(grid), headers=town).status_code == 401
    assert _cases(make) == before + 1


def test_a_case_action_admits_as_require_does(served):
    client, make, grid = served
    worker = _token(client, "worker")
    no = client.post("/api/v1/cases", json=_case(grid, source="patrol"), headers=worker).json()["case_no"]
    r = client.post(f"/api/v1/cases/{no}/actions/escalate", json={}, headers=_token(client, "auditor"))
    assert r.status_code == 403
    assert client.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 401
    with unit_of_work(make) as session:  # the refusals changed nothing
        assert session.execute(select(Case.state, Case.version).where(Case.case_no == no)).one() == ("verified", 1)
    r = client.post(f"/api/v1/cases/{no}/actions/escalate", json={}, headers=worker)
    assert r.status_code == 200 and r.json()["state"] == "escalated"
