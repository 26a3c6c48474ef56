"""The read replica (issue 19, ``GRIDGOV_DATABASE_REPLICA_URL``) against a real streaming replica:
a primary cluster and a hot standby copied from it with ``pg_basebackup -R`` (tests/pgcluster.py).

Replay on the standby is paused to tell the two apart: what the replica-backed routes show stops at
the pause, what the primary routes show does not. A standby refuses every write, so every route on
the replica answering 200 (an audited export included) shows that nothing routed there writes.
"""

from __future__ import annotations

import io
import logging
import os
import re

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from gridgov.accounts import passwords
from gridgov.accounts.demo import demo_places
from gridgov.authz.permissions import route_dependencies
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.demo import build_demo
from gridgov.deps import get_replica_session
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import AuditEntry
from gridgov.policy.loader import load_profile

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY, _unavailable, make_settings, token_for
from ..pgcluster import PgCluster, PgReplica, PgUnavailable

CITY = "321100000000"
GRIDS = 60
SHM = "/dev/shm"

ON_REPLICA = {
    # path: (who asks, query); "{grid}", "{area}", "{list}", "{version}" are filled in from the demo city
    # statistics and dashboards
    "/api/v1/stats/cases": ("city_admin", {}),
    "/api/v1/stats/cogovernance": ("city_admin", {}),
    "/stats/cogovernance": ("city_admin", {}),
    "/dashboard": ("city_admin", {}),
    "/dashboard/screen": ("city_admin", {}),
    "/api/v1/index": ("city_admin", {}),
    "/index": ("city_admin", {}),
    "/api/v1/appraisal": ("city_admin", {"period": "2026-11"}),
    "/cases/overview": ("city_admin", {}),
    "/cases/map.geojson": ("city_admin", {}),
    # exports
    "/api/v1/cases/export.xlsx": ("city_admin", {}),
    "/api/v1/staff/gaps.csv": ("city_admin", {}),
    "/api/v1/staff/export.xlsx": ("city_admin", {}),
    "/api/v1/staff/export-full.xlsx": ("city_admin", {}),
    "/api/v1/audit.csv": ("auditor", {}),
    "/audit.csv": ("auditor", {}),
    "/api/v1/registry/export.xlsx": ("city_admin", {"kind": "units", "grid": "{grid}"}),
    "/api/v1/hotline/categories/export.csv": ("city_admin", {}),
    "/hotline/categories/export.csv": ("city_admin", {}),
    "/api/v1/cogovernance/tasks.csv": ("city_admin", {}),
    "/api/v1/grids/export": ("city_admin", {"area": "{area}"}),
    "/catalogue/export.xlsx": (None, {}),
    "/catalogue/export.pdf": (None, {}),
    # public pages
    "/public/stats": (None, {}),
    "/api/v1/public/stats": (None, {}),
    "/public/map": (None, {}),
    "/api/v1/public/map": (None, {}),
    "/board/{grid_code}": (None, {}),
    "/board/{grid_code}/print": (None, {}),
    "/board/{grid_code}/qr.svg": (None, {}),
    "/api/v1/public/boards/{grid_code}": (None, {}),
    "/catalogue": (None, {}),
    "/catalogue/{area_code:catalogue_area}": (None, {}),
    "/catalogue/lists/{list_id}/compare": (None, {}),
    "/api/v1/catalogue/lists": (None, {"area": "{area}"}),
    "/api/v1/catalogue/lists/{list_id}/versions": (None, {}),
    "/api/v1/catalogue/lists/{list_id}/versions/{a}/compare/{b}": (None, {}),
}
"""Every route that reads on the replica (the routes taking ``deps.ReplicaSessionDep``): docs/deploy.md's list."""


def replica_routes(app) -> set[str]:
    return {path for path, _methods, calls in route_dependencies(app) if get_replica_session in calls}


def _plain(url: str) -> str:
    return url.replace("+psycopg", "")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A primary holding the migrated demo city (its starter list of grid work too) and its streaming
    replica, caught up; both stopped after the module."""
    started: list[PgCluster] = []
    cheap = pytest.MonkeyPatch()  # the demo's 14 accounts: argon2 at its lightest, not 1 s each
    cheap.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        primary = PgCluster(SHM if os.access(SHM, os.W_OK) else None)
        started.append(primary)
        admin = primary.start(primary=True)
        with psycopg.connect(_plain(admin), autocommit=True) as conn:
            conn.execute("CREATE DATABASE gridgov")
        url = admin.rsplit("/", 1)[0] + "/gridgov"
        engine = make_engine(url)
        upgrade(engine)
        with unit_of_work(make_sessionmaker(engine)) as session:  # the demo city, smaller than conftest's
            build_demo(session, load_profile(DEMO_PROFILE), grids=GRIDS, now=utc_now(),
                       cipher=FieldCipher(TEST_SECRET_KEY), people=0)
        replica = PgReplica(primary)
        started.append(replica)
        replica.start()
        replica.wait_caught_up()
    except PgUnavailable as exc:
        for cluster in reversed(started):
            cluster.stop()
        cheap.undo()
        _unavailable(str(exc))
    try:
        yield url, replica.url.rsplit("/", 1)[0] + "/gridgov", replica, engine
    finally:
        cheap.undo()
        engine.dispose()
        for cluster in reversed(started):
            cluster.stop()


@pytest.fixture(scope="module")
def replica_app(pair, tmp_path_factory):
    from gridgov.app import create_app

    url, replica_url, _replica, _engine = pair
    settings = make_settings(url, tmp_path_factory.mktemp("replica-app"), database_replica_url=replica_url,
                             public_map=True)
    app = create_app(settings)
    yield app
    app.state.replica.engine.dispose()
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def places(pair):
    with make_sessionmaker(pair[3])() as session:
        return demo_places(session, CITY)


def _as(app, who: str | None) -> TestClient:
    c = TestClient(app)
    if who:
        c.headers["Authorization"] = f"Bearer {token_for(c, who)}"
    return c


def _replay(replica: PgReplica, what: str) -> None:
    with psycopg.connect(_plain(replica.url), autocommit=True) as conn:
        conn.execute(f"SELECT pg_wal_replay_{what}()")


def _case_nos(content: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return {v for row in sheet.iter_rows(values_only=True) for v in row
            if isinstance(v, str) and re.fullmatch(r"\d{12}-\d{8}-\d{5}", v)}


def _audit_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(AuditEntry))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_every_route_on_the_replica_answers_from_the_read_only_standby(replica_app, places):
    app = replica_app
    assert replica_routes(app) == set(ON_REPLICA), "ON_REPLICA（及 docs/deploy.md 的清单）应列出所有读副本的路由"
    assert all(methods == {"GET"} for path, methods, calls in route_dependencies(app)
               if get_replica_session in calls)
    catalogue = _as(app, None).get("/api/v1/catalogue/lists", params={"area": places.town}).json()
    list_id = catalogue[0]["id"]
    version = _as(app, None).get(f"/api/v1/catalogue/lists/{list_id}/versions").json()[0]["id"]
    fill = {"{grid}": places.grid, "{area}": places.town, "{grid_code}": places.grid,
            "{area_code:catalogue_area}": places.county, "{list_id}": str(list_id), "{a}": str(version),
            "{b}": str(version)}
    clients = {who: _as(app, who) for who in {who for who, _q in ON_REPLICA.values()}}
    for template, (who, query) in ON_REPLICA.items():
        path = template
        for key, value in fill.items():
            path = path.replace(key, value)
        r = clients[who].get(path, params={k: fill.get(v, v) for k, v in query.items()})
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    for c in clients.values():
        c.close()


@pytest.mark.postgres
def test_figures_lag_on_the_replica_while_writes_and_the_case_pages_stay_on_the_primary(replica_app, pair, places):
    app = replica_app
    url, replica_url, replica, _engine = pair
    worker, town, admin = _as(app, "worker"), _as(app, "town_dispatcher"), _as(app, "city_admin")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    before = _case_nos(admin.get("/api/v1/cases/export.xlsx").content)
    _replay(replica, "pause")
    try:
        r = worker.post("/api/v1/cases", json={"title": "副本测试：井盖缺失", "category": category, "source": "patrol",
                                               "grid_code": places.grid, "address": "解放路 1 号"})
        assert r.status_code == 201, r.text
        no = r.json()["case_no"]
        # (b) a write, the next actions and their pages go to the primary: a standby would refuse them
        assert worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 200
        r = town.post(f"/api/v1/cases/{no}/actions/accept", json={})
        assert r.status_code == 200, r.text
        assert town.get(f"/api/v1/cases/{no}").json()["state"] == "accepted"
        page = town.get(f"/cases/{no}")
        assert page.status_code == 200 and no in page.text and "已受理" in page.text
        # (a) the export reads on the replica: replay is paused, so the new case is not there yet
        paused = admin.get("/api/v1/cases/export.xlsx")
        assert paused.status_code == 200
        assert _case_nos(paused.content) == before and no not in before
        # an audited export reads on the replica and writes its audit entry on the primary
        audits = _audit_count(url), _audit_count(replica_url)
        assert admin.get("/api/v1/staff/export-full.xlsx").status_code == 200
        assert (_audit_count(url), _audit_count(replica_url)) == (audits[0] + 1, audits[1])
    finally:
        _replay(replica, "resume")
    replica.wait_caught_up()
    assert no in _case_nos(admin.get("/api/v1/cases/export.xlsx").content)
    for c in (worker, town, admin):
        c.close()


@pytest.mark.postgres
def test_a_replica_that_goes_away_is_replaced_by_the_primary_with_one_warning(replica_app, pair, places, caplog):
    """Runs last: it stops the replica (and starts it again)."""
    app = replica_app
    _url, _replica_url, replica, _engine = pair
    admin, worker = _as(app, "city_admin"), _as(app, "worker")
    app.state.replica.RETRY_SECONDS = 0.0  # try the replica again at every request (30 s in production)
    replica.halt()
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    no = worker.post("/api/v1/cases", json={"title": "副本停机后上报", "category": category, "source": "patrol",
                                            "grid_code": places.grid, "address": "解放路 2 号"}).json()["case_no"]
    with caplog.at_level(logging.WARNING, logger="gridgov.db"):
        first = admin.get("/api/v1/cases/export.xlsx")
        second = admin.get("/api/v1/stats/cases")
    assert first.status_code == 200 and second.status_code == 200
    assert no in _case_nos(first.content)  # read on the primary
    warned = [r.getMessage() for r in caplog.records if r.name == "gridgov.db"]
    assert len(warned) == 1 and "无法连接" in warned[0] and f"127.0.0.1:{replica.port}/gridgov" in warned[0]
    assert app.state.replica.down
    caplog.clear()
    replica.restart()
    replica.wait_caught_up()
    with caplog.at_level(logging.WARNING, logger="gridgov.db"):
        assert no in _case_nos(admin.get("/api/v1/cases/export.xlsx").content)
    assert not app.state.replica.down
    assert [r.getMessage() for r in caplog.records if r.name == "gridgov.db"] == [
        f"只读副本 127.0.0.1:{replica.port}/gridgov 已恢复，统计、导出和公开页面重新由副本读取"]
    admin.close()
    worker.close()


# ---------------------------------------------------------------- without a replica (both databases)


def test_without_a_replica_the_heavy_routes_read_on_the_primary_as_before(client_as, anonymous, app, db):
    """No GRIDGOV_DATABASE_REPLICA_URL (SQLite, or PostgreSQL alone): the heavy routes read in the
    request's own session on the primary, so they see a write at once, as before."""
    assert app.state.replica is None and app.state.replica_engine is None
    places = demo_places(db, CITY)
    worker, admin = client_as("worker"), client_as("city_admin")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    no = worker.post("/api/v1/cases", json={"title": "无副本", "category": category, "source": "patrol",
                                            "grid_code": places.grid, "address": "解放路 3 号"}).json()["case_no"]
    assert no in _case_nos(admin.get("/api/v1/cases/export.xlsx").content)
    for path in ("/api/v1/stats/cases", "/dashboard", "/cases/overview"):
        assert admin.get(path).status_code == 200, path
    assert anonymous.get(f"/board/{places.grid}").status_code == 200


def test_a_replica_needs_postgresql_on_both_sides(tmp_path):
    with pytest.raises(ValueError, match="只读副本只支持 PostgreSQL"):
        Settings(demo=True, var_dir=tmp_path, database_url="postgresql://h/db", database_replica_url="sqlite:///r.db")
    with pytest.raises(ValueError, match="主库 GRIDGOV_DATABASE_URL 不是 PostgreSQL"):
        Settings(demo=True, var_dir=tmp_path, database_replica_url="postgresql://h/db")
