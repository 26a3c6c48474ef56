"""Speed at province size: the case lists, a case, the worklists and the sweep over ``gridgov demo --scale``.

Run against a database built by ``gridgov demo --scale province`` (PostgreSQL; ``--scale city`` on
SQLite works too). The app is the real one (``create_app`` on that database, demo mode), driven in
process through Starlette's TestClient with bearer tokens of the demo accounts, so every figure
includes routing, authentication, the scoped queries, the page or JSON rendering, and the database.

Figures, one JSON line each (``p50_ms``/``p95_ms`` over ``--repeat`` requests after three warm-ups,
``ratio_p95`` = its p95 over the baseline's p95, ``target_ms`` and ``ok``):

* ``list_api_*`` / ``list_page_*``: ``GET /api/v1/cases`` and the page ``/cases/mine`` as the city's
  administrator (the whole province's cases in its jurisdiction), unfiltered and with the common filters:
  ``state=open``, ``type``, ``area`` (a county), ``from``/``to`` (a month), the four together, a keyword
  ``q``; each request takes a random value (county, month, type). Target p95 < 200 ms.
* ``case_api`` / ``case_page``: ``GET /api/v1/cases/{no}`` and ``/cases/{no}`` of random cases. < 100 ms.
* ``inbox`` (``/cases/inbox``, the demo town's dispatcher) and ``department`` (``/cases/department``, the
  demo county's 城管 receiver). < 150 ms.
* ``sweep_minute``: :func:`gridgov.cases.sweep.sweep` with ``now`` one minute after the last sweep (the
  latest ``case_facts.computed_at``: the build's instant, or the last minute a previous run swept), committed,
  for ``--minutes`` successive minutes (each changes the database as the job does). < 1000 ms.

Baseline (same run, same client, same database): ``GET /api/v1/auth/me`` as the same user: routing, the
token, the user's row read from the database and a small JSON answer; the cost every authenticated request
pays before its own work. A figure's ratio says how many such round trips its work costs; it moves less
with the machine's load than the milliseconds do.

Usage: ``python bench/scale.py --database-url postgresql+psycopg://…/gridgov_province [--repeat 40]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from gridgov.app import create_app
from gridgov.cases.sweep import sweep
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.models.analysis import CaseFact

TARGETS = {"list": 200, "case": 100, "inbox": 150, "department": 150, "sweep": 1000}


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def timed(client: TestClient, url: str, params: dict | None = None) -> float:
    start = time.perf_counter()
    r = client.get(url, params=params)
    elapsed = (time.perf_counter() - start) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{url} {params} → {r.status_code}: {r.text[:300]}")
    return elapsed


def measure(client: TestClient, url_of, repeat: int) -> list[float]:
    """``url_of(i)`` → (url, params) for request ``i``; three warm-ups, then ``repeat`` timed."""
    for i in range(3):
        timed(client, *url_of(-1 - i))
    return [timed(client, *url_of(i)) for i in range(repeat)]


def login(app, username: str) -> TestClient:
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
    if r.status_code != 200:
        raise SystemExit(f"登录 {username} 失败：{r.text[:200]}")
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("GRIDGOV_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--profile", default="zhenjiang")
    parser.add_argument("--only", default="", help="comma-separated figure name prefixes")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("需要 --database-url（gridgov demo --scale 建成的数据库）")
    engine = make_engine(args.database_url)
    rng = random.Random(19)
    with engine.connect() as conn:
        size = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("grids", "cases", "case_log", "case_clocks", "case_facts", "registry_people")}
        counties = [r[0] for r in conn.execute(text("SELECT DISTINCT county_code FROM case_numbers"))]
        types = [r[0] for r in conn.execute(text("SELECT code FROM (SELECT DISTINCT type_code AS code FROM "
                                                  "case_facts) t WHERE code IS NOT NULL ORDER BY code"))]
        top = conn.execute(text("SELECT max(id) FROM cases")).scalar_one()
        ids = sorted({rng.randint(1, top) for _ in range(4 * args.repeat)})
        listed = ",".join(map(str, ids))
        numbers = [r[0] for r in conn.execute(text(f"SELECT case_no FROM cases WHERE id IN ({listed})"))]
        last = conn.execute(select(func.max(CaseFact.computed_at))).scalar_one()
    print(json.dumps({"bench": "scale", "database": engine.dialect.name, "cores": len(os.sched_getaffinity(0)),
                      **size}, ensure_ascii=False), flush=True)
    settings = Settings(demo=True, database_url=args.database_url, profile=args.profile,
                        var_dir=tempfile.mkdtemp(prefix="gridgov-bench-scale-"))
    app = create_app(settings, engine=engine)
    admin, dispatcher, dept = login(app, "city_admin"), login(app, "town_dispatcher"), login(app, "dept_cg")
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]

    def month(i: int) -> dict:
        m = months[(i * 7) % len(months)]
        y, mm = int(m[:4]), int(m[5:])
        nxt = f"{y + (mm == 12)}-{mm % 12 + 1:02d}"
        return {"from": f"{m}-01", "to": f"{nxt}-01"}

    filters = {
        "all": lambda i: {},
        "open": lambda i: {"state": "open"},
        "type": lambda i: {"type": types[i % len(types)]},
        "area": lambda i: {"area": counties[i % len(counties)]},
        "dates": month,
        "combined": lambda i: {"state": "done", "type": types[i % len(types)], "area": counties[i % len(counties)],
                               **month(i)},
        "keyword": lambda i: {"q": ["占道", "噪音", "垃圾", "违建", "井盖"][i % 5]},
    }
    only = [p for p in args.only.split(",") if p]
    baseline = measure(admin, lambda i: ("/api/v1/auth/me", None), args.repeat)
    base95 = pct(baseline, 0.95)
    print(json.dumps({"figure": "baseline_auth_me", "p50_ms": round(pct(baseline, 0.5), 1),
                      "p95_ms": round(base95, 1), "n": len(baseline)}), flush=True)

    def report(name: str, kind: str, samples: list[float]) -> None:
        p95 = pct(samples, 0.95)
        print(json.dumps({"figure": name, "p50_ms": round(pct(samples, 0.5), 1), "p95_ms": round(p95, 1),
                          "ratio_p95": round(p95 / base95, 1), "target_ms": TARGETS[kind],
                          "ok": p95 < TARGETS[kind], "n": len(samples)}), flush=True)

    def wanted(name: str) -> bool:
        return not only or any(name.startswith(p) for p in only)

    for key, params in filters.items():
        for name, client, url in ((f"list_api_{key}", admin, "/api/v1/cases"), (f"list_page_{key}", admin,
                                                                                 "/cases/mine")):
            if wanted(name):
                report(name, "list", measure(client, lambda i, u=url, f=params: (u, f(i)), args.repeat))
    if wanted("case_api"):
        report("case_api", "case", measure(admin, lambda i: (f"/api/v1/cases/{numbers[i % len(numbers)]}", None),
                                           args.repeat))
    if wanted("case_page"):
        report("case_page", "case", measure(admin, lambda i: (f"/cases/{numbers[i % len(numbers)]}", None),
                                            args.repeat))
    if wanted("inbox"):
        report("inbox", "inbox", measure(dispatcher, lambda i: ("/cases/inbox", None), args.repeat))
    if wanted("department"):
        report("department", "department", measure(dept, lambda i: ("/cases/department", None), args.repeat))
    if wanted("sweep"):
        factory, samples, marked = make_sessionmaker(engine), [], 0
        for k in range(1, args.minutes + 1):
            start = time.perf_counter()
            with unit_of_work(factory) as session:
                result = sweep(session, last + timedelta(minutes=k), None)
            samples.append((time.perf_counter() - start) * 1000)
            marked += result.warned + result.overdue
        p95 = pct(samples, 0.95)
        print(json.dumps({"figure": "sweep_minute", "p50_ms": round(pct(samples, 0.5), 1), "p95_ms": round(p95, 1),
                          "max_ms": round(max(samples), 1), "ratio_p95": round(p95 / base95, 1),
                          "target_ms": TARGETS["sweep"], "ok": max(samples) < TARGETS["sweep"],
                          "minutes": len(samples), "marked": marked}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
