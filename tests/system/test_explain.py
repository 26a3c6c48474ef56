"""Every hot query is backed by an index (issue 19): the SQL the services really issue for the case
lists with their common filters, a case and its file, the inbox, the department queue, a user's
notices, the statistics, the register's grid list and the sweep is captured (an SQLAlchemy
``before_cursor_execute`` listener while the API and the pages answer) and explained.

PostgreSQL: ``EXPLAIN`` with ``enable_seqscan = off``; the planner then still picks a Seq Scan only
where no index fits, so a Seq Scan on a big table fails the test, naming the request and the SQL.
SQLite: ``EXPLAIN QUERY PLAN``, where a full scan of a table reads ``SCAN <table>`` with no index.
The data is the small demo city plus a few cases: plans are about indexes, not sizes.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from gridgov.accounts.demo import demo_places
from gridgov.cases.sweep import sweep
from gridgov.kit.clock import utc_now
from gridgov.models import Department

CITY = "321100000000"
BIG = frozenset({"cases", "case_log", "case_clocks", "case_facts", "case_departments", "notifications",
                 "registry_people", "supervision_orders", "audit_log", "fact_cells", "case_events"})
"""The tables that grow with a province (millions of rows): never read whole by a hot query."""
SKIP = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|PRAGMA|INSERT\s+INTO\s+\S+\s*\([^)]*\)\s*"
                  r"VALUES)", re.IGNORECASE)

CAPPED_COUNT = re.compile(r"^SELECT count\(\*\) AS count_1 FROM \(SELECT .* LIMIT \? OFFSET \?\) AS anon_1$")
"""A case list's total, counted up to the cap (cases.repository.COUNT_CAP)."""


@pytest.fixture
def captured(db, client_as, app):
    """{request: [(sql, params)]}: the statements each hot request issued."""
    places = demo_places(db, CITY)
    worker, town, dept, admin = (client_as(u) for u in ("worker", "town_dispatcher", "dept_cg", "city_admin"))
    dept_code = client_as("dept_cg").get("/api/v1/auth/me").json()["department_code"]
    numbers = []
    for i in range(3):
        r = worker.post("/api/v1/cases", json={"title": f"井盖缺失 {i}", "category": "zj12_02", "source": "patrol",
                                                "grid_code": places.grid, "address": "解放路 12 号"})
        assert r.status_code == 201, r.text
        numbers.append(no := r.json()["case_no"])
        assert worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 200
    assert town.post(f"/api/v1/cases/{numbers[0]}/actions/accept", json={}).status_code == 200
    assert town.post(f"/api/v1/cases/{numbers[0]}/actions/dispatch",
                     json={"lead_department": dept_code}).status_code == 200
    today = utc_now().date()
    requests = {
        "list": (admin, "/api/v1/cases", {}),
        "list_state": (admin, "/api/v1/cases", {"state": "open"}),
        "list_type": (admin, "/api/v1/cases", {"type": "0101"}),
        "list_area": (admin, "/api/v1/cases", {"area": places.county}),
        "list_dates": (admin, "/api/v1/cases", {"from": str(today - timedelta(days=30)), "to": str(today)}),
        "list_town_page": (town, "/cases/mine", {"state": "open", "area": places.town}),
        "case": (admin, f"/api/v1/cases/{numbers[0]}", {}),
        "case_page": (town, f"/cases/{numbers[0]}", {}),
        "case_file": (admin, f"/api/v1/cases/{numbers[0]}/log", {}),
        "inbox": (town, "/cases/inbox", {}),
        "department": (dept, "/cases/department", {}),
        "notifications": (worker, "/api/v1/notifications", {}),
        "stats": (admin, "/api/v1/stats/cases", {"group_by": "type"}),
        "stats_area": (admin, "/api/v1/stats/cases", {"group_by": "area", "from": str(today - timedelta(days=30))}),
        "people": (worker, "/api/v1/people", {}),
    }
    engine = db.get_bind().engine
    found: dict[str, list] = {}
    current: list = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if not executemany and not SKIP.match(statement):
            current.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        for name, (client, url, params) in requests.items():
            current.clear()
            r = client.get(url, params=params)
            assert r.status_code == 200, (name, r.text[:300])
            found[name] = list(current)
            if name == "case_page":  # the file names the lead department, asked for by code (not all 3,000)
                assert f"牵头：{db.get(Department, dept_code).name}" in r.text
        current.clear()
        sweep(db, utc_now() + timedelta(days=30), None)  # everything falls due: every statement runs
        found["sweep"] = list(current)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return found


def _seq_scans(plan: dict) -> list[str]:
    out = [plan.get("Relation Name")] if plan.get("Node Type") == "Seq Scan" else []
    for child in plan.get("Plans", []):
        out += _seq_scans(child)
    return [t for t in out if t]


def test_no_hot_query_reads_a_big_table_whole(captured, db):
    conn = db.connection()
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    problems, explained = [], 0
    for name, statements in captured.items():
        assert statements, f"{name}: no SQL captured"
        for sql, params in statements:
            if pg:
                plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar()
                plan = plan if isinstance(plan, list) else json.loads(plan)
                scanned = [t for t in _seq_scans(plan[0]["Plan"]) if t in BIG]
            else:
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                scanned = [m for r in rows if (m := re.fullmatch(r"SCAN (\w+)", str(r[-1]).strip()))
                           and m.group(1) in BIG]
                scanned = [m.group(1) for m in scanned]
                if CAPPED_COUNT.match(" ".join(sql.split())):
                    scanned = []  # SQLite reads the capped count's rows in table order: it stops at the cap
            explained += 1
            if scanned:
                flat = " ".join(sql.split())
                problems.append(f"{name}: {', '.join(sorted(set(scanned)))} read whole by {flat[:120]} … "
                                f"{flat[flat.find(' WHERE '):][:400]}")
    assert explained > 40
    # the area filter is a range like the scope's: LIKE 'prefix%' misses the index outside the C collation
    assert not [sql for sql, _ in captured["list_area"] if " LIKE " in sql.upper()]
    assert not problems, "\n".join(problems)
