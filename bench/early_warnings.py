"""How long the early warnings take (``GET /api/v1/warnings`` and the hourly job) on SQLite.

The database is a fresh migrated SQLite file holding the demo city of the ``zhenjiang`` profile
(1,000 grids, its departments and demo accounts, built through ``gridgov.demo.build_demo``), then
``--cases`` cases spread evenly over every grid and over the 70 days before ``now`` (ten weeks: the
weekly rule's eight-week baseline, the week looked at and the running one), written by SQL in batches
(a recursive CTE per 100,000 rows). Each case has an address (one of ``cases / 3`` texts) and a point
in a 0.5° × 0.5° box; 70 % are dispatched to the county's 城管 department and one in ten of those ran
overdue.

Figures (one JSON line on stdout): ``city_s`` / ``county_s`` / ``town_s``: every kind of warning for
the city's, the first county's and its first town's agency (what ``GET /api/v1/warnings`` computes),
with how many warnings each found; ``job_s``: the job's run (every agency desk of the city, the
notices stored and committed). ``build_s`` is outside every figure.

Usage: ``python bench/early_warnings.py [--cases 200000] [--database-url sqlite:///path.db]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from gridgov.accounts.demo import demo_places
from gridgov.analysis.warnings_job import run_warnings
from gridgov.analysis.warnings_service import warnings_for
from gridgov.authz.principal import Principal
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.demo import build_demo
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import Grid
from gridgov.policy.loader import load_profile
from gridgov.territory import rules

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
BATCH = 100_000
SPAN_S = 70 * 86400
CIPHER = FieldCipher("bench-" + "k" * 40)


def _sql_time(seconds_expr: str) -> str:
    base = NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base}', ({seconds_expr}) || ' seconds') || '.000000'"


def build(engine, cases: int, profile) -> None:
    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, profile, grids=1000, now=NOW, cipher=CIPHER, people=0)
        grids = [g for g in session.query(Grid.code, Grid.area_code).order_by(Grid.code)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE bench_grids (n INTEGER PRIMARY KEY, code TEXT, town TEXT, county TEXT)")
        conn.execute(
            text("INSERT INTO bench_grids (n, code, town, county) VALUES (:n, :code, :town, :county)"),
            [{"n": n, "code": code, "town": (town := rules.parent_area_code(village)),
              "county": rules.parent_area_code(town)} for n, (code, village) in enumerate(grids)],
        )
        count, addresses = len(grids), max(1, cases // 3)
        for start in range(0, cases, BATCH):
            stop = min(cases, start + BATCH)
            rows = f"WITH RECURSIVE s(i) AS (SELECT {start + 1} UNION ALL SELECT i + 1 FROM s WHERE i < {stop})"
            created = _sql_time(f"-((i * 7919) % {SPAN_S})")
            conn.exec_driver_sql(f"""{rows}
                INSERT INTO cases (id, case_no, title, description, category, type_code, urgency, source, state,
                    discovered_at, lon, lat, address, grid_code, town_code, county_code, handling_level,
                    handling_area_code, lead_department_code, reporter_name, reporter_phone_mask, extensions_used,
                    rework_count, result, created_at, updated_at, version, log_length, log_head)
                SELECT i, printf('BENCH-%08d', i), '压测事件 ' || i, '', 'city_order', 'zj0' || (i % 7), 'normal',
                    'patrol', 'in_progress', {created}, 119.2 + ((i * 104729) % 500000) / 1000000.0,
                    32.0 + ((i * 130363) % 500000) / 1000000.0, '压测路 ' || (i % {addresses}) || ' 号', g.code,
                    g.town, g.county, 'town', g.town, CASE WHEN i % 10 < 7 THEN g.county || '-chengguan' END,
                    '', '', 0, 0, '', {created}, {created}, 1, 0, ''
                FROM s JOIN bench_grids g ON g.n = i % {count}""")
            conn.exec_driver_sql(f"""{rows}
                INSERT INTO case_departments (case_id, department_code, part, dispatched_at)
                SELECT i, g.county || '-chengguan', 'lead', {created}
                FROM s JOIN bench_grids g ON g.n = i % {count} WHERE i % 10 < 7""")
            conn.exec_driver_sql(f"""{rows}
                INSERT INTO case_clocks (case_id, kind, started_at, due_at, warn_at, warning_ratio, working_days,
                    urgency, extensions, provisional, overdue_at)
                SELECT i, 'handling', {created}, {created}, {created}, 0.8, 5, 'normal', 0, 0,
                    CASE WHEN i % 100 < 7 THEN {created} END
                FROM s WHERE i % 10 < 7""")
        conn.exec_driver_sql("ANALYZE")


def timed(factory, principal, profile) -> tuple[float, int]:
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        found = warnings_for(session, principal, profile=profile, cipher=CIPHER, now=NOW)
    return time.perf_counter() - start, found.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--database-url", default=None, help="an empty SQLite file; default: a temporary one")
    parser.add_argument("--profile", default="zhenjiang")
    args = parser.parse_args()
    profile = load_profile(args.profile)
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-warnings-") as tmp:
        engine = make_engine(args.database_url or f"sqlite:///{Path(tmp) / 'warnings.db'}")
        if engine.dialect.name != "sqlite":
            raise SystemExit("bench/early_warnings.py 的批量造数只支持 SQLite")
        upgrade(engine)
        start = time.perf_counter()
        build(engine, args.cases, profile)
        build_s = time.perf_counter() - start
        factory = make_sessionmaker(engine)
        with unit_of_work(factory) as session:
            places = demo_places(session, "321100000000")
        figures = {}
        for name, code in (("city", places.city), ("county", places.county), ("town", places.town)):
            desk = Principal(user_id=0, username="bench", display_name="bench", role="agency_admin", scope_code=code)
            figures[f"{name}_s"], figures[f"{name}_warnings"] = timed(factory, desk, profile)
            figures[f"{name}_s"] = round(figures[f"{name}_s"], 3)
        start = time.perf_counter()
        with unit_of_work(factory) as session:
            said = run_warnings(session, NOW, profile, CIPHER)
        job_s = time.perf_counter() - start
        engine.dispose()
        print(json.dumps({"bench": "warnings", "database": "sqlite", "cases": args.cases,
                          "cores": len(os.sched_getaffinity(0)), "build_s": round(build_s, 1), **figures,
                          "job_s": round(job_s, 3), "job": said}, ensure_ascii=False))


if __name__ == "__main__":
    main()
