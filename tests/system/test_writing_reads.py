"""GETs that write (audited exports) keep working while others write (issue 11, finding 6).

A GET's session is read-only; the audit entries a read records are written apart, in a short
transaction that takes the write lock up front (see gridgov.deps.get_session). On the old code a
GET read in a deferred SQLite transaction and then wrote its audit row: as soon as another request
committed in between, SQLite refused the write ("database is locked") and the export was a 500.
These tests run the real app on a committed database (not the rolled-back test connection)."""

from __future__ import annotations

import threading

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gridgov.accounts.demo import demo_places
from gridgov.authz import Permission, require
from gridgov.deps import ReadOnlyRequest, SessionDep
from gridgov.models import AuditEntry, Case, Counter

from ..conftest import token_for

CITY = "321100000000"
WRITERS = 4
CASES_EACH = 12


def _client(app, username: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
    return c


def test_audited_exports_answer_while_four_clients_create_cases(committed):
    app, factory = committed
    with factory() as s:
        places = demo_places(s, CITY)
        cases_before = s.scalar(select(func.count()).select_from(Case))
    writers = [_client(app, "worker") for _ in range(WRITERS)]
    auditor, admin = _client(app, "auditor"), _client(app, "city_admin")
    category = writers[0].get("/api/v1/case-categories").json()[0]["code"]
    statuses: dict[str, list[int]] = {"create": [], "audit.csv": [], "export-full": []}
    errors: list[str] = []
    done = threading.Event()
    start = threading.Barrier(WRITERS + 2)

    def create(c, n):
        start.wait()
        for i in range(CASES_EACH):
            r = c.post("/api/v1/cases", json={"title": f"写入压力 {n}-{i}", "category": category,
                                               "source": "patrol", "grid_code": places.grid, "address": "测试路 1 号"})
            statuses["create"].append(r.status_code)
            if r.status_code >= 500:
                errors.append(r.text)

    def read(name, call):
        start.wait()
        while not done.is_set():
            r = call()
            statuses[name].append(r.status_code)
            if r.status_code >= 500:
                errors.append(f"{name}: {r.text}")

    threads = [threading.Thread(target=create, args=(c, n)) for n, c in enumerate(writers)]
    readers = [
        threading.Thread(target=read, args=("audit.csv", lambda: auditor.get(
            "/api/v1/audit.csv", params={"action": "audit_exported"}))),
        threading.Thread(target=read, args=("export-full", lambda: admin.get(
            "/api/v1/staff/export-full.xlsx", params={"area": places.town}))),
    ]
    for t in threads + readers:
        t.start()
    for t in threads:
        t.join(timeout=300)
    done.set()
    for t in readers:
        t.join(timeout=120)
    for c in [*writers, auditor, admin]:
        c.close()

    assert not errors, errors[:3]
    assert statuses["create"] == [201] * (WRITERS * CASES_EACH)
    assert statuses["audit.csv"] and set(statuses["audit.csv"]) == {200}
    assert statuses["export-full"] and set(statuses["export-full"]) == {200}
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases_before + WRITERS * CASES_EACH
        exported = s.scalar(select(func.count()).where(AuditEntry.action == "audit_exported"))
        revealed = s.scalar(select(func.count()).where(AuditEntry.action == "staff_revealed"))
    assert exported == len(statuses["audit.csv"])  # every export was audited, once
    assert revealed == len(statuses["export-full"])


def test_a_get_cannot_write_in_its_own_session(app):
    """The guard behind the rule: any other write from a GET fails loudly, at once."""
    router = APIRouter()

    @router.get("/test-writing-get", dependencies=[Depends(require(Permission.PUBLIC))])
    def writing_get(session: SessionDep):
        session.add(Counter(name="test_writing_get", value=1))
        session.flush()
        return {}

    @router.get("/test-updating-get", dependencies=[Depends(require(Permission.PUBLIC))])
    def updating_get(session: SessionDep):
        session.execute(update(Counter).values(value=Counter.value + 1))
        return {}

    app.include_router(router)
    with TestClient(app) as c:
        for path in ("/test-writing-get", "/test-updating-get"):
            with pytest.raises(ReadOnlyRequest):
                c.get(path)
