"""The figures at province size: KPIs by county × month through ``analysis.store.aggregate`` (the
pre-aggregated cells), against DuckDB running the same GROUP BY over the raw rows in memory, in the
same run; the dashboard's API calls; the upkeep the cells add to every change of a case.

``--cases`` synthetic fact rows (bench/gen_cases.py: a province of 10 cities, 100 counties, 1,500
towns, 30,000 grids, 36 months) are loaded into an in-memory DuckDB (the baseline) and, per
database, into a freshly migrated SQLite file or a throwaway PostgreSQL cluster (tests/pgcluster.py;
``--pg-url`` to use a server) holding the demo city (for the API's accounts) and the synthetic
areas: executemany on SQLite, COPY on PostgreSQL; then ``rebuild_cells`` and ANALYZE. Figures (one
JSON line each, on stdout):

* ``county_month``: the 100 counties × 36 months of every counter and duration sum, as 100 calls
  ``aggregate(group_by="month", area=<county>)`` (whole months: cells only), best of ``--repeat``;
  ``duckdb_s`` the same sums by ``GROUP BY county_code, month`` over the raw rows in DuckDB (best of
  ``--repeat``), ``ratio`` = ours / DuckDB (target ≤ 1.5), ``plain_s`` the plain GROUP BY over
  case_facts (``store_plain.aggregate_plain``, once, on ``--plain-counties`` counties scaled to all)
  and whether all three agree (``equal``).
* ``county_month_edges``: the same with a period cut mid-month at both ends (edge days counted from
  the fact rows), against DuckDB on the same days.
* ``api``: ``GET /api/v1/stats/cases`` for each group_by × 3 areas (the city, a county, a town) × 2
  periods (a year, a cut quarter), as the city's agency administrator through the app's TestClient:
  p50/p95/max ms (target p95 < 300 ms).
* ``upkeep``: ``rollup.apply`` for a case's fact row moving (another grid, day, type…), per call,
  in a transaction rolled back; beside it ``duckdb_update_ms``, an UPDATE of one row by case id in
  the DuckDB copy (what keeping a DuckDB replica in step would cost per change, outside the
  database's transaction).
* ``monthly_report``: one county's monthly report (``gridgov.analysis.monthly.build_report`` and the
  PDF) when that module is importable, else ``{"skipped": …}``.

Usage: ``python bench/analysis.py [--cases 5000000] [--databases sqlite,postgresql] [--repeat 3]``
(needs the ``bench`` extra: ``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import gen_cases  # noqa: E402
from tests.pgcluster import PgCluster, PgUnavailable  # noqa: E402

from gridgov.analysis import store, store_plain  # noqa: E402
from gridgov.authz.scope import SYSTEM  # noqa: E402
from gridgov.cases import rollup  # noqa: E402
from gridgov.db import make_engine, make_sessionmaker, unit_of_work  # noqa: E402
from gridgov.migrate import upgrade  # noqa: E402
from gridgov.models import Area  # noqa: E402
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS  # noqa: E402

START, MONTHS = date(2023, 1, 1), 36
END = date(2025, 12, 31)
NAMES = [*FACT_COUNTERS, *(f"{d}_{x}" for d in FACT_DURATIONS for x in ("sum", "n"))]


def emit(figure: dict) -> None:
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


# ------------------------------------------------------------------------------------------ DuckDB


def duck_load(cols: dict) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    facts = {**cols, "reported_day": cols["reported_day"].astype("datetime64[ns]")}  # noqa: F841 (scanned by name)
    con.execute("CREATE TABLE case_facts AS SELECT * REPLACE (reported_day::DATE AS reported_day) FROM facts")
    return con


def duck_county_month(con, lo: date, hi: date) -> dict[tuple[str, str], list[int]]:
    sums = [f"sum({c})::BIGINT" for c in FACT_COUNTERS]
    for d in FACT_DURATIONS:
        sums += [f"coalesce(sum({d}), 0)::BIGINT", f"count({d})"]
    rows = con.execute(
        f"SELECT county_code, strftime(reported_day, '%Y-%m') AS m, {', '.join(sums)} FROM case_facts "
        "WHERE reported_day BETWEEN ? AND ? GROUP BY 1, 2", [lo, hi]).fetchall()
    return {(r[0], r[1]): [int(v) for v in r[2:]] for r in rows}


# ----------------------------------------------------------------------------------------- loading


def load(engine, cols: dict, areas_rows: list, n: int, *, api: bool) -> dict:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if api:
        from gridgov.demo import build_demo
        from gridgov.kit.crypto import FieldCipher
        from gridgov.policy.loader import load_profile

        with unit_of_work(make_sessionmaker(engine)) as session:
            build_demo(session, load_profile("zhenjiang"), grids=100, now=datetime.now(UTC),
                       cipher=FieldCipher(secrets.token_urlsafe(48)), people=0)
    now = datetime.now(UTC)
    with unit_of_work(make_sessionmaker(engine)) as session:
        have = set(session.scalars(select(Area.code)))
        new = [{"code": c, "name": name, "level": lvl, "parent_code": parent, "created_at": now, "updated_at": now}
               for c, name, lvl, parent in areas_rows if c not in have]
        session.execute(insert(Area), new)
    timings["setup_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    chunk = 50_000
    names = ", ".join(gen_cases.COLUMNS)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("PRAGMA foreign_keys=OFF")  # synthetic fact rows have no case row behind them
            cur.execute("BEGIN")  # the engine's connections run in autocommit mode (db.make_engine)
            sql = f"INSERT INTO case_facts ({names}) VALUES ({', '.join('?' for _ in gen_cases.COLUMNS)})"
            for lo in range(0, n, chunk):
                cur.executemany(sql, gen_cases.rows(cols, lo, min(n, lo + chunk), iso_dates=True))
        else:
            cur.execute("ALTER TABLE case_facts DROP CONSTRAINT fk_case_facts_case_id_cases")
            with cur.copy(f"COPY case_facts ({names}) FROM STDIN") as copy:
                for lo in range(0, n, chunk):
                    for row in gen_cases.rows(cols, lo, min(n, lo + chunk), iso_dates=False):
                        copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    timings["load_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with unit_of_work(make_sessionmaker(engine)) as session:
        rollup.rebuild_cells(session)
    timings["rebuild_cells_s"] = round(time.perf_counter() - t, 1)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        timings["cells"] = conn.scalar(text("SELECT count(*) FROM fact_cells"))
    return timings


# -------------------------------------------------------------------------------------- measuring


def ours(session: Session, fn, counties: list[str], lo: date, hi: date) -> dict[tuple[str, str], list[int]]:
    out = {}
    for county in counties:
        groups, _totals = fn(session, SYSTEM, group_by="month", area=county, date_from=lo, date_to=hi)
        for g in groups:
            out[(county, g.key)] = [g.counts[k] for k in NAMES]
    return out


def county_month(engine, con, counties: list[str], lo: date, hi: date, args, name: str, db: str) -> None:
    sample = counties[:: max(1, len(counties) // args.plain_counties)][: args.plain_counties]
    with Session(engine) as session:
        ours_s, got = best(lambda: ours(session, store.aggregate, counties, lo, hi), args.repeat)
        plain_t = time.perf_counter()
        plain = ours(session, store_plain.aggregate_plain, sample, lo, hi)
        plain_s = (time.perf_counter() - plain_t) * len(counties) / len(sample)
    duck_s, duck = best(lambda: duck_county_month(con, lo, hi), args.repeat)
    in_sample = set(sample)
    equal = got == duck and plain == {k: v for k, v in got.items() if k[0] in in_sample}
    emit({"bench": "analysis", "figure": name, "database": db, "from": lo.isoformat(), "to": hi.isoformat(),
          "groups": len(got), "ours_s": round(ours_s, 4), "duckdb_s": round(duck_s, 4),
          "ratio": round(ours_s / duck_s, 3), "target_ratio": 1.5, "plain_s": round(plain_s, 3),
          "plain_counties": len(sample), "plain_ratio": round(plain_s / duck_s, 2), "equal": equal})


def api_p95(engine, tmp: Path, db: str) -> None:
    from fastapi.testclient import TestClient

    from gridgov.app import create_app
    from gridgov.config import Settings

    settings = Settings(demo=True, database_url=str(engine.url.render_as_string(hide_password=False)),
                        profile="zhenjiang", var_dir=tmp, secret_key=secrets.token_urlsafe(48))
    app = create_app(settings, engine=engine)
    times, errors = [], {}
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token", json={"username": "city_admin", "password": "demo12345"})
        if r.status_code != 200:
            emit({"bench": "analysis", "figure": "api", "database": db, "skipped": f"登录失败 {r.status_code}"})
            return
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        areas = [None, "321102000000", "321102001000"]
        periods = [("2025-01-01", "2025-12-31"), ("2025-03-15", "2025-06-20")]
        for _warm in range(2):
            times.clear()
            calls: list[tuple] = []
            for group_by in store.GROUP_BY:
                for area in areas:
                    for lo, hi in periods:
                        params = {"group_by": group_by, "from": lo, "to": hi, **({"area": area} if area else {})}
                        t = time.perf_counter()
                        r = client.get("/api/v1/stats/cases", params=params, headers=headers)
                        times.append((time.perf_counter() - t) * 1000)
                        calls.append((times[-1], group_by, area, lo, hi))
                        if r.status_code != 200:
                            errors[r.status_code] = errors.get(r.status_code, 0) + 1
    times.sort()
    slowest = [{"ms": round(c[0], 1), "group_by": c[1], "area": c[2], "from": c[3], "to": c[4]}
               for c in sorted(calls, key=lambda c: c[0], reverse=True)[:4]]
    emit({"bench": "analysis", "figure": "api", "database": db, "calls": len(times), "slowest": slowest,
          "p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
          "max_ms": round(times[-1], 1), "target_p95_ms": 300, "errors": errors})


def upkeep(engine, con, cols: dict, grids, db: str, moves: int = 1000) -> None:
    import random

    rng = random.Random(3)
    n = len(cols["case_id"])
    picked = [rng.randrange(n) for _ in range(moves)]
    olds = [dict(zip(gen_cases.COLUMNS, gen_cases.rows(cols, i, i + 1, iso_dates=False)[0], strict=True))
            for i in picked]
    news = [dict(o, grid_code=str(grids[rng.randrange(len(grids))]), type_code=f"T{rng.randint(1, 20):02d}",
                 reported_day=o["reported_day"] + timedelta(days=rng.randint(-40, 40)), closed=1 - o["closed"])
            for o in olds]
    with engine.connect() as conn:
        session = Session(bind=conn)
        t = time.perf_counter()
        for old, new in zip(olds, news, strict=True):
            rollup.apply(session, old, new)
        apply_ms = (time.perf_counter() - t) * 1000 / moves
        session.rollback()
    t = time.perf_counter()
    for i in picked[:100]:
        con.execute("UPDATE case_facts SET closed = 1 - closed WHERE case_id = ?", [int(cols["case_id"][i])])
    duck_ms = (time.perf_counter() - t) * 1000 / 100
    for i in picked[:100]:
        con.execute("UPDATE case_facts SET closed = 1 - closed WHERE case_id = ?", [int(cols["case_id"][i])])
    emit({"bench": "analysis", "figure": "upkeep", "database": db, "apply_ms": round(apply_ms, 3),
          "duckdb_update_ms": round(duck_ms, 3)})


def monthly_report(engine, db: str) -> None:
    try:
        from gridgov.analysis import monthly
    except ImportError:
        emit({"bench": "analysis", "figure": "monthly_report", "database": db,
              "skipped": "gridgov.analysis.monthly 不在本分支（未测）"})
        return
    from gridgov.analysis import monthly_pdf

    with Session(engine) as session:
        t = time.perf_counter()
        figures = monthly.build_report(session, SYSTEM, "321102000000", "2025-06", datetime.now(UTC))
        build_s = time.perf_counter() - t
        pdf = monthly_pdf.render_pdf(figures)
        total_s = time.perf_counter() - t
    emit({"bench": "analysis", "figure": "monthly_report", "database": db, "build_s": round(build_s, 2),
          "with_pdf_s": round(total_s, 2), "pdf_bytes": len(pdf), "target_s": 10})


def run_database(db: str, url: str, con, cols: dict, areas_rows, grids, counties, args, tmp: Path) -> None:
    engine = make_engine(url)
    upgrade(engine)
    timings = load(engine, cols, areas_rows, args.cases, api=not args.no_api)
    emit({"bench": "analysis", "figure": "load", "database": db, "cases": args.cases, **timings})
    county_month(engine, con, counties, START, END, args, "county_month", db)
    county_month(engine, con, counties, date(2023, 1, 15), date(2025, 12, 20), args, "county_month_edges", db)
    if not args.no_api:
        api_p95(engine, tmp, db)
    upkeep(engine, con, cols, grids, db)
    if not args.no_api:
        monthly_report(engine, db)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--plain-counties", type=int, default=5,
                        help="对照的朴素 GROUP BY 只算这么多个县（按比例折算到全部县）")
    parser.add_argument("--no-api", action="store_true", help="不建演示城市，不测 API 与月报")
    args = parser.parse_args()
    t = time.perf_counter()
    areas_rows, grids = gen_cases.territory()
    cols = gen_cases.generate(args.cases, grids, start=START, months=MONTHS)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    con = duck_load(cols)
    emit({"bench": "analysis", "figure": "generate", "cases": args.cases, "grids": len(grids),
          "generate_s": round(gen_s, 1), "duckdb_load_s": round(time.perf_counter() - t, 1),
          "duckdb": duckdb.__version__})
    counties = [c for c, _n, level, _p in areas_rows if level == "county"]
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-analysis-") as tmp:
        for db in args.databases.split(","):
            if db == "sqlite":
                run_database(db, f"sqlite:///{Path(tmp) / 'analysis.db'}", con, cols, areas_rows, grids, counties,
                             args, Path(tmp))
            elif db == "postgresql":
                cluster = None
                try:
                    server = args.pg_url
                    if server is None:
                        cluster = PgCluster()
                        server = cluster.start()
                    admin = make_engine(server, isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(text('DROP DATABASE IF EXISTS "gridgov_bench_analysis"'))
                        conn.execute(text('CREATE DATABASE "gridgov_bench_analysis"'))
                    admin.dispose()
                    run_database(db, server.rsplit("/", 1)[0] + "/gridgov_bench_analysis", con, cols, areas_rows,
                                 grids, counties, args, Path(tmp))
                except PgUnavailable as exc:
                    emit({"bench": "analysis", "database": db, "skipped": str(exc)})
                finally:
                    if cluster is not None:
                        cluster.stop()
            else:
                raise SystemExit(f"未知的数据库 {db}（可选 sqlite、postgresql）")


if __name__ == "__main__":
    main()
