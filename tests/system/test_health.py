"""/api/v1/health says the process answers; /api/v1/ready says it can serve (database, schema, …)."""

from __future__ import annotations

from sqlalchemy import text

from gridgov.app import create_app
from gridgov.db import make_engine
from gridgov.health import migration_heads
from gridgov.migrate import downgrade, upgrade
from tests.conftest import make_settings


def test_ready_when_migrated(anonymous):
    r = anonymous.get("/api/v1/ready")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"
    assert r.json()["checks"]["database"] == "ok" and r.json()["checks"]["migrations"] == "ok"
    assert anonymous.get("/api/v1/health").json()["status"] == "ok"


def test_not_ready_until_migrated_to_head(fresh_url, tmp_path):
    from fastapi.testclient import TestClient

    engine = make_engine(fresh_url)
    head = sorted(migration_heads())[0]
    with engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    with TestClient(create_app(make_settings(fresh_url, tmp_path), engine=engine)) as c:
        assert c.get("/api/v1/ready").status_code == 200
        downgrade(engine, "-1")
        r = c.get("/api/v1/ready")
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "not_ready" and "gridgov db upgrade" in r.json()["detail"]
        assert r.json()["checks"]["database"] == "ok"
        assert c.get("/api/v1/health").status_code == 200  # alive, though not ready
        upgrade(engine)
        assert c.get("/api/v1/ready").status_code == 200
