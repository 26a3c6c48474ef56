"""Cases per second created through the HTTP API, beside a bare FastAPI endpoint inserting one row.

Both run in the same process, in the same run, on the same database: a freshly migrated one holding
the demo city of the ``zhenjiang`` profile (1,000 grids, departments, accounts), on SQLite (a
temporary file) and on PostgreSQL (a throwaway cluster started like the tests' ``tests/pgcluster``;
skipped with a note on stderr when no server can be started, or pointed elsewhere with
``--pg-url``). Each side is served by a real uvicorn server in a thread on loopback and driven by
``--clients`` threads (each number in the list is a separate measurement), each with its own
``httpx.Client`` (keep-alive), posting as fast as answers come back.

* ``api``: ``POST /api/v1/cases`` as the city agency's administrator (bearer token), a hotline case
  with lon/lat (WGS84) at a random point inside a random demo grid and a reporter's phone: the full
  intake (authz, validation, the locator, the per-county case number, encryption of the phone,
  the report clock, the file's first entry, notices to the grid's workers, the commit) and the
  case answered as JSON.
* ``bare``: a FastAPI app with one ``POST /bare`` route taking the same JSON body as a ``dict`` and
  inserting it as one row (title + JSON text) into a table of the same database, through the same
  engine and a session per request that commits: the floor an HTTP intake can reach.

After a warm-up, ``--pairs`` pairs each run the two sides back to back for ``--seconds`` seconds
each, in turn api first and bare first. Figures (one JSON line on stdout), per database, under
``clients_N`` for each number of clients: ``ratio`` = the median over pairs of api / bare within a
pair (target >= 0.5; the two sides of a pair share whatever else the machine is doing, which on a
shared VM drifts over seconds), ``ratio_quartiles`` and ``ratio_pairs`` its spread, ``ratio_total``
= all api cases per api second / all bare rows per bare second; ``api_per_s``, ``bare_per_s``,
``api_p50_ms``, ``api_p99_ms`` and the bare ones over each side's whole time; ``errors``: answers
other than 201, by status, or ``connection_reset`` (they do not count as created).

Usage: ``python bench/intake.py [--clients 1,4] [--seconds 2] [--pairs 12] [--databases sqlite,postgresql]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import httpx
import numpy as np
import shapely
import uvicorn
from fastapi import Body, FastAPI
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)

from gridgov.app import create_app
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.demo import build_demo
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import Grid
from gridgov.policy.loader import load_profile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pgcluster import PgCluster, PgUnavailable

SECRET = secrets.token_urlsafe(48)
bare_rows = Table(
    "bench_bare_rows", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("title", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """An ASGI app served by uvicorn in a daemon thread on loopback."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("压测服务器未能启动")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def bare_app(engine) -> FastAPI:
    factory = make_sessionmaker(engine)
    app = FastAPI()

    @app.post("/bare", status_code=201)
    def bare(body: Annotated[dict, Body()]) -> dict:
        with unit_of_work(factory) as session:
            new_id = session.execute(
                insert(bare_rows).values(title=str(body.get("title", ""))[:100],
                                         body=json.dumps(body, ensure_ascii=False), created_at=utc_now())
                .returning(bare_rows.c.id)
            ).scalar_one()
        return {"id": new_id}

    return app


def prepare(url: str) -> tuple[object, list[tuple[float, float]]]:
    """Migrates, builds the demo city and returns the engine and points inside its grids."""
    engine = make_engine(url)
    upgrade(engine)
    bare_rows.create(engine)
    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, load_profile("zhenjiang"), grids=1000, now=utc_now(), cipher=FieldCipher(SECRET))
        wkbs = session.scalars(select(Grid.geom_wkb).where(Grid.status == "active")).all()
    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))
    inner = shapely.point_on_surface(geoms)  # inside each grid, whatever its shape
    return engine, [(p.x, p.y) for p in inner]


def drive(base: str, path: str, headers: dict, bodies, clients: int, seconds: float) -> dict:
    """``clients`` threads posting bodies for ``seconds``: count, latencies, statuses."""
    stop_at = [0.0]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[collections.Counter] = [collections.Counter() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def run(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            barrier.wait()
            while time.perf_counter() < stop_at[0]:
                started = time.perf_counter()
                try:
                    status = http.post(path, json=bodies(rng)).status_code
                except httpx.TransportError:  # uvicorn drops the connection after an unhandled 500
                    status = "connection_reset"
                latencies[k].append(time.perf_counter() - started)
                statuses[k][status] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    begin = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    total = sum(statuses, collections.Counter())
    lat = np.array([x for part in latencies for x in part]) * 1000
    return {"per_s": total.get(201, 0) / elapsed, "p50_ms": float(np.percentile(lat, 50)),
            "p99_ms": float(np.percentile(lat, 99)), "errors": {str(k): v for k, v in total.items() if k != 201},
            "created": total.get(201, 0), "elapsed": elapsed, "latencies_ms": lat}


def _whole(slices: list[dict]) -> dict:
    """One side over all its slices: cases per second of all its time, latency percentiles of all
    its requests, every error."""
    lat = np.concatenate([got["latencies_ms"] for got in slices])
    errors = sum((collections.Counter(got["errors"]) for got in slices), collections.Counter())
    return {"per_s": sum(got["created"] for got in slices) / sum(got["elapsed"] for got in slices),
            "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
            "errors": dict(errors)}


def measure(url: str, args) -> dict:
    engine, points = prepare(url)
    settings = Settings(demo=True, database_url=url, profile="zhenjiang", var_dir=Path(args.tmp),
                        secret_key=SECRET)
    app = create_app(settings, engine=engine)
    with Served(app) as api_base, Served(bare_app(engine)) as bare_base:
        token = httpx.post(f"{api_base}/api/v1/auth/token",
                           json={"username": "city_admin", "password": "demo12345"}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        category = httpx.get(f"{api_base}/api/v1/case-categories", headers=auth).json()[0]["code"]

        def case_body(rng: random.Random) -> dict:
            lon, lat = points[rng.randrange(len(points))]
            return {"title": "群众反映路灯不亮", "description": "夜间整条路段路灯不亮，存在安全隐患",
                    "category": category, "source": "hotline", "lon": lon, "lat": lat,
                    "address": "某路某号附近", "reporter_name": "王先生",
                    "reporter_phone": f"139{rng.randrange(10**8):08d}"}

        sides = {"api": (api_base, "/api/v1/cases", auth), "bare": (bare_base, "/bare", {})}
        for base, path, headers in sides.values():  # warm-up: connections, caches, the locator
            drive(base, path, headers, case_body, 1, 1.0)
        figures: dict[str, dict] = {}
        for clients in args.clients:
            pairs = []
            for k in range(args.pairs):
                # Short slices, the two sides back to back and in turn first (api-bare, bare-api, …):
                # a pair shares the machine's mood, which drifts over seconds on a shared VM.
                order = list(sides) if k % 2 == 0 else list(reversed(sides))
                pairs.append({name: drive(*sides[name], case_body, clients, args.seconds) for name in order})
            ratios = [pair["api"]["per_s"] / pair["bare"]["per_s"] for pair in pairs]
            whole = {name: _whole([pair[name] for pair in pairs]) for name in sides}
            api, bare = whole["api"], whole["bare"]
            figures[f"clients_{clients}"] = {
                "ratio": round(statistics.median(ratios), 3),
                "ratio_quartiles": [round(q, 3) for q in statistics.quantiles(ratios, n=4)],
                "ratio_pairs": [round(x, 3) for x in ratios],
                "ratio_total": round(api["per_s"] / bare["per_s"], 3),
                "api_per_s": round(api["per_s"], 1), "bare_per_s": round(bare["per_s"], 1),
                "api_p50_ms": round(api["p50_ms"], 1), "api_p99_ms": round(api["p99_ms"], 1),
                "bare_p50_ms": round(bare["p50_ms"], 1), "bare_p99_ms": round(bare["p99_ms"], 1),
                "errors": {name: whole[name]["errors"] for name in sides},
            }
        with engine.connect() as conn:
            figures["cases_stored"] = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
            figures["file_entries"] = conn.execute(text("SELECT count(*) FROM case_log")).scalar_one()
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4", help="client threads, one run per number (comma-separated)")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one side's slice of a pair")
    parser.add_argument("--pairs", type=int, default=12, help="api/bare pairs per number of clients (at least 2)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None, help="an existing PostgreSQL server (its database is replaced)")
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]

    if args.pairs < 2:
        parser.error("--pairs：至少 2 对")
    out: dict = {"bench": "intake", "clients": args.clients, "seconds": args.seconds, "pairs": args.pairs,
                 "cores": len(os.sched_getaffinity(0))}
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-intake-") as tmp:
        args.tmp = tmp
        for db in args.databases.split(","):
            if db == "sqlite":
                out["sqlite"] = measure(f"sqlite:///{Path(tmp) / 'intake.db'}", args)
            elif db == "postgresql":
                cluster = None
                try:
                    server = args.pg_url
                    if server is None:
                        cluster = PgCluster()
                        server = cluster.start()
                    admin = make_engine(server, isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(text('DROP DATABASE IF EXISTS "gridgov_bench_intake"'))
                        conn.execute(text('CREATE DATABASE "gridgov_bench_intake"'))
                    admin.dispose()
                    out["postgresql"] = measure(server.rsplit("/", 1)[0] + "/gridgov_bench_intake", args)
                except PgUnavailable as exc:
                    print(f"跳过 PostgreSQL：{exc}", file=sys.stderr)
                    out["postgresql"] = {"skipped": str(exc)}
                finally:
                    if cluster is not None:
                        cluster.stop()
            else:
                raise SystemExit(f"未知的数据库 {db}（可选 sqlite、postgresql）")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
