"""Speed of a department's worklist (``/cases/department``) with many cases in progress, on SQLite.

Builds a demo city in a temporary SQLite database, takes one case through the lifecycle to 处置中
with the demo county's 城管 department (``dept_cg``) as lead, copies it (its row, clocks and
departments) to ``--cases`` in-progress cases, then times :func:`gridgov.cases.worklists.department`
(the queue's read: scoped query, grouping, the shown pages' rows), ``--repeat`` calls after three warm-ups.
Prints one JSON line: ``p50_ms``, ``min_ms``, the cases and how many cards the page shows.

Usage: ``python bench/worklist.py [--cases 300] [--repeat 20]``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.service import principal_for
from gridgov.app import create_app
from gridgov.cases import worklists
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.demo import build_demo
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import Case, User
from gridgov.models.cases import CaseClock, CaseDepartment
from gridgov.policy.loader import load_profile

PROFILE = "zhenjiang"


def client(app, username: str) -> TestClient:
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
    r.raise_for_status()
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return c


def one_in_progress(app, grid: str, lead: str) -> str:
    worker, town, dept = client(app, "worker"), client(app, "town_dispatcher"), client(app, "dept_cg")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = worker.post("/api/v1/cases", json={"title": "路灯不亮", "category": category, "source": "patrol",
                                           "grid_code": grid, "address": "解放路 1 号", "next_action": "escalate"})
    r.raise_for_status()
    no = r.json()["case_no"]
    for who, action, body in ((town, "accept", {}), (town, "dispatch", {"lead_department": lead}), (dept, "sign", {})):
        who.post(f"/api/v1/cases/{no}/actions/{action}", json=body).raise_for_status()
    return no


def copies(session, case_no: str, n: int) -> None:
    """``n`` copies of the case (row, clocks, departments) under new numbers."""
    case = session.scalar(select(Case).where(Case.case_no == case_no))
    row = {c.key: getattr(case, c.key) for c in Case.__table__.columns if c.key != "id"}
    clocks = [{c.key: getattr(k, c.key) for c in CaseClock.__table__.columns if c.key not in ("id", "case_id")}
              for k in session.scalars(select(CaseClock).where(CaseClock.case_id == case.id))]
    parts = [{c.key: getattr(d, c.key) for c in CaseDepartment.__table__.columns if c.key not in ("id", "case_id")}
             for d in session.scalars(select(CaseDepartment).where(CaseDepartment.case_id == case.id))]
    for i in range(n):
        new_id = session.execute(insert(Case).values(**{**row, "case_no": f"{case_no}-c{i}"})
                                 .returning(Case.id)).scalar_one()
        for k in clocks:
            session.execute(insert(CaseClock).values(**k, case_id=new_id))
        for d in parts:
            session.execute(insert(CaseDepartment).values(**d, case_id=new_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gridgov-bench-worklist-"))
    url = f"sqlite:///{root / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    key = secrets.token_urlsafe(48)
    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, load_profile(PROFILE), grids=1000, now=utc_now(), cipher=FieldCipher(key))
    settings = Settings(demo=True, database_url=url, profile=PROFILE, var_dir=root, secret_key=key)
    app = create_app(settings, engine=engine)
    with unit_of_work(make_sessionmaker(engine)) as session:
        grid = demo_places(session, "321100000000").grid
        user = session.scalar(select(User).where(User.username == "dept_cg"))
        lead, user_id, version = user.department_code, user.id, user.session_version
    no = one_in_progress(app, grid, lead)
    with unit_of_work(make_sessionmaker(engine)) as session:
        copies(session, no, args.cases - 1)
    with unit_of_work(make_sessionmaker(engine)) as session:
        me = principal_for(session, user_id, version, via_cookie=False)
        times = []
        for i in range(args.repeat + 3):
            start = time.perf_counter()
            lists = worklists.department(session, me, now=utc_now())
            if i >= 3:
                times.append((time.perf_counter() - start) * 1000)
            session.expunge_all()  # each call reads as a request would, not from the identity map
    print(json.dumps({"bench": "worklist_department", "database": "sqlite", "cases": args.cases,
                      "in_progress": lists["in_progress"]["total"],
                      "cards": sum(len(g["rows"]) for g in lists.values()),
                      "p50_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                      "n": len(times)}), flush=True)


if __name__ == "__main__":
    main()
