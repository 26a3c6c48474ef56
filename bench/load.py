"""A mixed load through the HTTP API: grid workers reporting, dispatchers acting, departments handling,
leaders reading, many simulated users at once against several app processes.

Each simulated user is a coroutine (asyncio + ``httpx``, its own keep-alive connection) logged in
with a bearer token as a real account of its role, created at the start through ``POST
/api/v1/users`` by the administrator (``--admin-user``; an account left by an earlier run with the
same ``--prefix`` is reused). Between two requests a user thinks (uniform 0.5–1.5 × ``--think``
seconds). Users are spread over the processes in turn (user k talks to process k mod N).

What each role does: see bench/load_roles.py.

Phases: a **baseline** of one user per role with short thinking (``--baseline`` seconds, 0: none), then
the **load** (``--users`` for ``--duration`` seconds). One JSON line per role and operation of the
load (count, per_s, p50/p95/p99 ms, errors, conflicts, the baseline's p95 and the ratio), then a
summary line (``"op": "summary"``: requests, throughput, percentiles of all, errors, conflicts, the
health probe's p95 under load and at baseline, cases reported/closed, the machine's load average
before and after). Exit status 1 when any error (a 5xx, an unexpected 4xx, a dropped connection or
a timeout) occurred.

Without ``--url`` the script starts ``--processes`` ``gridgov serve`` processes on free ports over
``--database-url`` (default: a fresh SQLite file holding the demo city built by ``gridgov demo``;
``--build-demo`` builds it into the given database too), in demo mode unless ``--no-demo``, with the
environment's ``GRIDGOV_SECRET_KEY`` (a random one if unset) and one var folder, and stops them at
the end. Usage: ``python bench/load.py [--users 200] [--duration 300] [--url URL,URL] [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import numpy as np
from load_roles import MIX, ROLES, Session, SetupError, Stats, User

# ---------------------------------------------------------------------------------------------
# Accounts


def split(users: int) -> dict[str, int]:
    """How many users of each role: one of each at least, the rest by :data:`MIX`."""
    counts = {role: max(1, round(users * share)) for role, share in MIX.items()}
    counts["worker"] += users - sum(counts.values())
    if users < len(MIX) or counts["worker"] < 1:
        raise SetupError(f"--users 至少 {len(MIX)}")
    return counts


async def plan(admin: httpx.AsyncClient, counts: dict[str, int], prefix: str,
               bases: list[str]) -> tuple[list[dict], list[User], dict]:
    """The accounts to create (role, scope, department) and the users, from the territory the admin sees."""
    me = (await admin.get("/api/v1/auth/me")).raise_for_status().json()
    areas = lambda parent: admin.get("/api/v1/areas", params={"parent": parent})  # noqa: E731
    counties = [a["code"] for a in (await areas(me["scope_code"])).raise_for_status().json() if a["level"] == "county"]
    counties = counties[:max(1, min(len(counties), counts["department"]))]
    towns_by = {c: [a["code"] for a in (await areas(c)).raise_for_status().json() if a["level"] == "town"]
                for c in counties}
    county_of = {t: c for c in counties for t in towns_by[c]}
    want = max(1, counts["dispatcher"] // 3)
    # not the first town of a county: the demo staffs those grids already (a grid takes one full-time worker)
    spare = {c: towns_by[c][1:] or towns_by[c] for c in counties}
    towns = [t for k in range(want) for c in counties if k < len(spare[c]) for t in [spare[c][k]]][:want]
    dept = {}
    for c in {county_of[t] for t in towns}:
        found = (await admin.get("/api/v1/departments", params={"area": c})).raise_for_status().json()
        county_level = [d for d in found if d["area_code"] == c] or found
        dept[c] = next((d["code"] for d in county_level if d["kind"] == "chengguan"), county_level[0]["code"])
    grids = {}
    for t in towns:
        page = (await admin.get("/api/v1/grids", params={"area": t, "page_size": 50})).raise_for_status().json()
        grids[t] = [g["code"] for g in page["items"] if g["kind"] in ("urban", "rural") and g["status"] == "active"]
    towns = [t for t in towns if grids[t]]
    category = (await admin.get("/api/v1/case-categories", params={"place": grids[towns[0]][0]})).json()[0]["code"]
    accounts, users = [], []
    n = 0

    def add(role, key, scope, account_role, place="", lead="", department_code=None, share=(0, 1)):
        nonlocal n
        name = f"{prefix}{ {'worker': 'w', 'dispatcher': 'd', 'department': 'r', 'leader': 'l'}[role]}{key:03d}"
        accounts.append({"username": name, "display_name": f"压测{role}{key}", "role": account_role,
                         "scope_code": scope, "department_code": department_code, "must_change_password": False})
        users.append(User(role, name, bases[n % len(bases)], place, lead, share))
        n += 1

    for k in range(counts["worker"]):
        t = towns[k % len(towns)]
        grid = grids[t][(k // len(towns)) % len(grids[t])]
        add("worker", k, grid, "fulltime", place=grid)
    for k in range(counts["dispatcher"]):
        t = towns[k % len(towns)]
        sharing = len(range(k % len(towns), counts["dispatcher"], len(towns)))
        add("dispatcher", k, t, "agency_dispatcher", place=t, lead=dept[county_of[t]],
            share=(k // len(towns), sharing))
    depts = sorted(set(dept.values()))
    for k in range(counts["department"]):
        d = depts[k % len(depts)]
        sharing = len(range(k % len(depts), counts["department"], len(depts)))
        add("department", k, d.split("-", 1)[0], "dept_receiver", place=d, department_code=d,
            share=(k // len(depts), sharing))
    for k in range(counts["leader"]):
        t = towns[k % len(towns)]
        if k % 2 == 0:
            add("leader", k, county_of[t], "agency_admin")
        else:
            add("leader", k, t, "chief_leader")
    return accounts, users, {"category": category, "towns": len(towns), "departments": len(depts),
                             "worker_grids": len({u.place for u in users if u.role == "worker"})}


async def staffed(admin: httpx.AsyncClient, grid: str, name: str) -> int:
    """A staff record with a pre-job training passed and an active full-time post in ``grid`` (what a worker's
    account must be linked to before it may act, B4): its id."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    staff = (await admin.post("/api/v1/staff", json={"name": name, "gender": "男", "birth_date": "1990-05-01",
                                                     "area_code": grid[:12]})).raise_for_status().json()["id"]
    (await admin.post(f"/api/v1/staff/{staff}/trainings", json={
        "kind": "pre_job", "held_on": (today - timedelta(days=30)).isoformat(), "passed": True})).raise_for_status()
    post = await admin.post("/api/v1/posts", json={"staff_id": staff, "role": "fulltime", "grid_code": grid,
                                                   "start_date": today.isoformat()})
    done = await admin.post(f"/api/v1/posts/{post.raise_for_status().json()['id']}/activate", json={})
    if done.status_code != 200:
        raise SetupError(f"网格 {grid} 的压测网格员岗位无法生效：{done.status_code} {done.text}")
    return staff


async def enrol(admin: httpx.AsyncClient, accounts: list[dict], users: list[User], password: str,
                prefix: str, concurrency: int = 4) -> int:
    """Creates the accounts that do not exist yet (a worker with its staff record and post) and logs
    each user in; returns how many accounts it created."""
    existing: set[str] = set()
    for page in range(1, 100):
        got = (await admin.get("/api/v1/users", params={"q": prefix, "page": page, "page_size": 200})).json()
        existing |= {u["username"] for u in got["items"]}
        if page * 200 >= got["total"]:
            break
    gate = asyncio.Semaphore(concurrency)

    async def one(account: dict, user: User) -> None:
        async with gate:
            if user.username not in existing:
                if user.role == "worker":
                    account = {**account, "staff_id": await staffed(admin, user.place, account["display_name"])}
                r = await admin.post("/api/v1/users", json={**account, "password": password})
                if r.status_code == 422 and account["role"] == "chief_leader":  # the profile has no 总网格长
                    account["role"] = "agency_admin"
                    r = await admin.post("/api/v1/users", json={**account, "password": password})
                if r.status_code != 201:
                    raise SetupError(f"无法创建账号 {account['username']}：{r.status_code} {r.text}")
            async with httpx.AsyncClient(base_url=user.base, timeout=60) as http:
                t = await http.post("/api/v1/auth/token", json={"username": user.username, "password": password})
            if t.status_code != 200:
                raise SetupError(f"账号 {user.username} 无法登录：{t.status_code} {t.text}")
            user.token = t.json()["access_token"]

    await asyncio.gather(*(one(a, u) for a, u in zip(accounts, users, strict=True)))
    return len({u.username for u in users} - existing)


# ---------------------------------------------------------------------------------------------
# Running


async def drive(users: list[User], stats: Stats, seconds: float, think: float, bases: list[str],
                timeout: float, category: str) -> float:
    """Every user (and a health probe per process) for ``seconds``; returns the elapsed time."""
    stop = time.monotonic() + seconds

    async def pause(scale: float = 1.0) -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * think * scale)

    async def run(user: User, k: int) -> None:
        s, rng = Session(user, stats, timeout), random.Random(k)
        ctx = {"think": pause, "category": category}
        await asyncio.sleep(rng.uniform(0, min(think, seconds / 4)))  # users arrive over the first moments
        try:
            while time.monotonic() < stop:
                await ROLES[user.role](s, rng, ctx)
                await pause()
        finally:
            await s.http.aclose()

    async def probe(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    status: int | str = (await http.get("/api/v1/health")).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                stats.note(("probe", "health"), time.perf_counter() - started, status)
                await asyncio.sleep(1.0)

    begin = time.monotonic()
    await asyncio.gather(*(run(u, k) for k, u in enumerate(users)), *(probe(b) for b in bases))
    return time.monotonic() - begin


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def servers(args, tmp: Path):
    """``--processes`` ``gridgov serve`` processes over one database; yields their base URLs."""
    env = {**os.environ, "GRIDGOV_DATABASE_URL": args.database_url, "GRIDGOV_VAR_DIR": str(tmp)}
    env.setdefault("GRIDGOV_SECRET_KEY", secrets.token_urlsafe(48))
    if not args.no_demo:
        env["GRIDGOV_DEMO"] = "1"
    cli = [sys.executable, "-c", "from gridgov.cli import app; app()"]
    if args.build_demo:
        subprocess.run([*cli, "demo", "--people", "0"], env=env, check=True, stdout=subprocess.DEVNULL)
    procs, bases = [], []
    try:
        for k in range(args.processes):
            port = _free_port()
            log = open(args.logs / f"serve-{k}.log", "wb")  # noqa: SIM115 (closed with the process)
            procs.append((subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True), log))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 180
        for (proc, _log), base in zip(procs, bases, strict=True):
            while True:
                if proc.poll() is not None:
                    raise SetupError(f"服务进程退出：{(args.logs / 'serve-0.log').read_text(errors='replace')[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/api/v1/ready", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SetupError("服务进程未能就绪")
                time.sleep(0.5)
        yield bases
    finally:
        for proc, _log in procs:
            proc.terminate()
        for proc, log in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def server_errors(tmp: Path | None) -> int:
    """Tracebacks written by the served processes (0 when the servers are not ours)."""
    if tmp is None:
        return 0
    return sum(p.read_text(errors="replace").count("Traceback") for p in tmp.glob("serve-*.log"))


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def measure(args, bases: list[str]) -> tuple[dict, Stats, Stats]:
    async with httpx.AsyncClient(base_url=bases[0], timeout=60) as admin:
        t = await admin.post("/api/v1/auth/token", json={"username": args.admin_user, "password": args.admin_password})
        if t.status_code != 200:
            raise SetupError(f"管理员无法登录：{t.status_code} {t.text}")
        admin.headers["Authorization"] = f"Bearer {t.json()['access_token']}"
        counts = split(args.users)
        accounts, users, info = await plan(admin, counts, args.prefix, bases)
        started = time.monotonic()
        info["accounts_created"] = await enrol(admin, accounts, users, args.password, args.prefix)
        info["setup_s"] = round(time.monotonic() - started, 1)
    category = info.pop("category")
    baseline = Stats()
    if args.baseline > 0:
        firsts = [next(u for u in users if u.role == role) for role in ROLES]
        info["baseline_s"] = round(await drive(firsts, baseline, args.baseline, 0.2, bases, args.timeout,
                                                  category), 1)
    load = Stats()
    info["loadavg_before"] = loadavg()
    info["elapsed_s"] = round(await drive(users, load, args.duration, args.think, bases, args.timeout,
                                             category), 1)
    info["loadavg_after"] = loadavg()
    info["counts"] = counts
    return info, load, baseline


def report(args, info: dict, load: Stats, baseline: Stats, tmp: Path | None) -> int:
    elapsed = info["elapsed_s"]
    for key in sorted(load.lat):
        line = {"phase": "load", "role": key[0], "op": key[1], **load.figures(key, elapsed)}
        if baseline.lat.get(key):
            base = baseline.figures(key, 1)["p95_ms"]
            line["baseline_p95_ms"] = base
            line["p95_ratio"] = round(line["p95_ms"] / base, 2) if base else None
        print(json.dumps(line, ensure_ascii=False))
    every = np.array([x for k, v in load.lat.items() if k[0] != "probe" for x in v]) * 1000
    health = load.figures(("probe", "health"), elapsed)
    summary = {
        "op": "summary", "users": args.users, "duration_s": args.duration, "processes": len(args.bases),
        "database": info["database"], "requests": len(every), "per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(float(np.percentile(every, 50)), 1), "p95_ms": round(float(np.percentile(every, 95)), 1),
        "p99_ms": round(float(np.percentile(every, 99)), 1),
        "errors": sum(v for k, v in load.errors.items() if k[0] != "probe"),
        "conflicts": sum(load.conflicts.values()), "health_p95_ms": health["p95_ms"], "health_errors": health["errors"],
        "cases_reported": len(load.lat[("worker", "report")]) - load.errors[("worker", "report")],
        "cases_closed": len(load.lat[("dispatcher", "close")]) - load.errors[("dispatcher", "close")]
        - load.conflicts[("dispatcher", "close")],
        "server_tracebacks": server_errors(args.logs if tmp else None),
    }
    if baseline.lat:
        b_every = np.array([x for k, v in baseline.lat.items() if k[0] != "probe" for x in v]) * 1000
        summary["baseline_p95_ms"] = round(float(np.percentile(b_every, 95)), 1)
        summary["p95_ratio"] = round(summary["p95_ms"] / summary["baseline_p95_ms"], 2)
        summary["baseline_health_p95_ms"] = baseline.figures(("probe", "health"), 1)["p95_ms"]
        summary["baseline_errors"] = sum(baseline.errors.values())
    summary.update({k: v for k, v in info.items() if k != "database"})
    print(json.dumps(summary, ensure_ascii=False))
    for sample in load.samples + baseline.samples:
        print(f"错误：{sample}", file=sys.stderr)
    failed = summary["errors"] + health["errors"] + summary.get("baseline_errors", 0) + summary["server_tracebacks"]
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between requests (s)")
    parser.add_argument("--baseline", type=float, default=30, help="seconds of the one-user-per-role baseline")
    parser.add_argument("--url", default="", help="running app processes (comma-separated base URLs)")
    parser.add_argument("--database-url", default="", help="the database the started processes serve")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--build-demo", action="store_true", help="build the demo city into --database-url first")
    parser.add_argument("--no-demo", action="store_true", help="start the processes outside demo mode")
    parser.add_argument("--admin-user", default="city_admin")
    parser.add_argument("--admin-password", default="demo12345")
    parser.add_argument("--password", default="Load-bench-2026", help="password of the accounts the run creates")
    parser.add_argument("--prefix", default="", help="username prefix of the accounts (default ld<users>_)")
    parser.add_argument("--log-dir", default="", help="where the started processes write their logs (kept)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as an error")
    args = parser.parse_args()
    args.prefix = args.prefix or f"ld{args.users}_"
    with contextlib.ExitStack() as stack:
        tmp = None
        if args.url:
            args.bases = [u.strip().rstrip("/") for u in args.url.split(",") if u.strip()]
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gridgov-bench-load-")))
            args.logs = Path(args.log_dir) if args.log_dir else tmp
            args.logs.mkdir(parents=True, exist_ok=True)
            if not args.database_url:
                args.database_url, args.build_demo = f"sqlite:///{tmp / 'load.db'}", True
            args.bases = stack.enter_context(servers(args, tmp))
        try:
            info, load, baseline = asyncio.run(_measure(args))
        except SetupError as exc:
            print(f"无法开始压测：{exc}", file=sys.stderr)
            sys.exit(2)
        info["database"] = (args.database_url.split("://", 1)[0] if args.database_url else "external")
        status = report(args, info, load, baseline, tmp)
    sys.exit(status)


async def _measure(args):
    return await measure(args, args.bases)


if __name__ == "__main__":
    main()
