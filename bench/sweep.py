"""How long ``gridgov cases sweep`` takes over 1,000,000 open cases on SQLite.

The database is a fresh migrated SQLite file holding the demo city of the ``zhenjiang`` profile
(1,000 grids, its departments and demo accounts, built through ``gridgov.demo.build_demo``), then
``--cases`` open cases spread over every grid, each with one running clock, written by SQL in
batches (a recursive CTE per 100,000 rows: building them through the services would take hours and
is not what is measured). Clock kinds and states: 70 % handling (dispatched to the county's 城管
department), 20 % acceptance (escalated), 10 % feedback (resolved). Due times are spread evenly from
2 days before ``now`` to 20 days after, each warning 20 % of a 7-day span earlier, so about 15 % of
the clocks are in their warning zone or overdue at ``now``.

Figures (one JSON line on stdout):

* ``catch_up_s``: the first sweep at ``now``: every clock that fell due is marked and notified in one
  go (what a server finds after being down for days; ``catch_up_warned``/``…_overdue``/``…_notices``
  say how much). Includes the commit, as the job commits.
* ``steady_s``: the sweep one minute later, as ``gridgov serve`` runs it every minute: only the
  clocks that fell due in that minute. ``idle_s``: a third sweep at the same instant (nothing to do).
* ``baseline_scan_s``: in the same run, a bare ``SELECT count(*) … FROM case_clocks WHERE
  stopped_at IS NULL`` over the same table: reading every open clock once, the cost a sweep that
  walked the open cases would pay at least. ``catch_up_ratio``/``steady_ratio``: sweep over baseline.
* ``build_s``: the demo city plus the bulk insert, outside every figure.

Target: a sweep of 1,000,000 open cases in under 5 s on SQLite.

Usage: ``python bench/sweep.py [--cases 1000000] [--database-url sqlite:///path.db]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from gridgov.cases.sweep import sweep
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.demo import build_demo
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import Grid
from gridgov.policy.loader import load_profile
from gridgov.territory import rules

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
BATCH = 100_000
SPREAD_S = 22 * 86400  # due times from NOW - 2 days to NOW + 20 days
BEFORE_S = 2 * 86400
STEADY_EVERY = 30_000
WARN_LEAD_S = int(0.2 * 7 * 86400)  # the warning comes 20 % of a 7-day span before the due time


def _sql_time(seconds_expr: str) -> str:
    """An SQLite expression giving NOW + ``seconds_expr`` in the format UTCDateTime stores."""
    base = NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base}', ({seconds_expr}) || ' seconds') || '.000000'"


def build(engine, cases: int, profile) -> None:
    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, profile, grids=1000, now=NOW, cipher=FieldCipher("bench-" + "k" * 40))
        grids = [g for g in session.query(Grid.code, Grid.area_code).order_by(Grid.code)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE bench_grids (n INTEGER PRIMARY KEY, code TEXT, town TEXT, county TEXT)")
        conn.execute(
            text("INSERT INTO bench_grids (n, code, town, county) VALUES (:n, :code, :town, :county)"),
            [{"n": n, "code": code, "town": (town := rules.parent_area_code(village)),
              "county": rules.parent_area_code(town)} for n, (code, village) in enumerate(grids)],
        )
        count = len(grids)
        created = _sql_time("0")
        for start in range(0, cases, BATCH):
            stop = min(cases, start + BATCH)
            rows = f"""WITH RECURSIVE s(i) AS (SELECT {start + 1} UNION ALL SELECT i + 1 FROM s WHERE i < {stop})"""
            conn.exec_driver_sql(f"""{rows}
                INSERT INTO cases (id, case_no, title, description, category, urgency, source, state, discovered_at,
                    address, grid_code, town_code, county_code, handling_level, handling_area_code,
                    lead_department_code, reporter_name, reporter_phone_mask, extensions_used, rework_count, result,
                    created_at, updated_at, version, log_length, log_head)
                SELECT i, printf('BENCH-%08d', i), '压测事项 ' || i, '', 'city_order', 'normal', 'patrol',
                    CASE WHEN i % 10 < 7 THEN 'in_progress' WHEN i % 10 < 9 THEN 'escalated' ELSE 'resolved' END,
                    {created}, '', g.code, g.town, g.county, 'town', g.town,
                    CASE WHEN i % 10 < 7 THEN g.county || '-chengguan' END, '', '', 0, 0, '',
                    {created}, {created}, 1, 0, ''
                FROM s JOIN bench_grids g ON g.n = i % {count}""")
            # one case in STEADY_EVERY falls due 30 s after NOW: the work of the next minute's sweep
            due = f"CASE WHEN i % {STEADY_EVERY} = 0 THEN 30 ELSE ((i * 7919) % {SPREAD_S}) - {BEFORE_S} END"
            conn.exec_driver_sql(f"""{rows}
                INSERT INTO case_clocks (case_id, kind, started_at, due_at, warn_at, warning_ratio, working_days,
                    urgency, extensions, provisional)
                SELECT i, CASE WHEN i % 10 < 7 THEN 'handling' WHEN i % 10 < 9 THEN 'acceptance' ELSE 'feedback' END,
                    {_sql_time(f"{due} - 7 * 86400")}, {_sql_time(due)}, {_sql_time(f"{due} - {WARN_LEAD_S}")},
                    0.8, 5, 'normal', 0, 0
                FROM s""")
        conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:  # fold the bulk insert's WAL into the file, as a long-running server has
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def timed_sweep(factory, now):
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        result = sweep(session, now, None)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="an empty SQLite file; default: a temporary one")
    parser.add_argument("--profile", default="zhenjiang")
    args = parser.parse_args()

    profile = load_profile(args.profile)
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-sweep-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'sweep.db'}"
        engine = make_engine(url)
        if engine.dialect.name != "sqlite":
            raise SystemExit("bench/sweep.py 的批量造数只支持 SQLite")
        upgrade(engine)
        start = time.perf_counter()
        build(engine, args.cases, profile)
        build_s = time.perf_counter() - start
        factory = make_sessionmaker(engine)

        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM case_clocks").scalar()  # warm the page cache alike
            start = time.perf_counter()
            open_clocks, _ = conn.exec_driver_sql(
                "SELECT count(*), max(due_at) FROM case_clocks WHERE stopped_at IS NULL").one()
            baseline_s = time.perf_counter() - start

        catch_up_s, first = timed_sweep(factory, NOW)
        steady_s, second = timed_sweep(factory, NOW + timedelta(minutes=1))
        idle_s, third = timed_sweep(factory, NOW + timedelta(minutes=1))
        engine.dispose()

        print(json.dumps({
            "bench": "sweep",
            "database": "sqlite",
            "cases": args.cases,
            "open_clocks": open_clocks,
            "cores": len(os.sched_getaffinity(0)),
            "build_s": round(build_s, 1),
            "baseline_scan_s": round(baseline_s, 3),
            "catch_up_s": round(catch_up_s, 3),
            "catch_up_warned": first.warned,
            "catch_up_overdue": first.overdue,
            "catch_up_notices": first.notices,
            "steady_s": round(steady_s, 4),
            "steady_marked": second.warned + second.overdue,
            "steady_notices": second.notices,
            "idle_s": round(idle_s, 4),
            "idle_marked": third.warned + third.overdue,
            "catch_up_ratio": round(catch_up_s / baseline_s, 2),
            "steady_ratio": round(steady_s / baseline_s, 3),
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
