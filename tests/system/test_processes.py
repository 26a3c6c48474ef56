"""Several processes on one database (issue 19): each periodic job runs in one process at a time and
once per tick (a lease with a fencing token), the rate-limit windows and used challenge nonces are
shared, the locator follows a grid change made by another process, the demo key is one key, and
``gridgov serve --workers 2`` answers from two processes. On both databases where it matters."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter as Tally
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import shapely
from sqlalchemy import select, update

from gridgov import jobs, leases
from gridgov.config import _demo_secret
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Invalid
from gridgov.migrate import upgrade
from gridgov.models import Counter, Grid, JobLease, JobRun, RateHit
from gridgov.models.territory import GridStatus
from gridgov.policy.loader import load_profile
from gridgov.public import guard as guards
from gridgov.public.complaints import LOOKUP_LIMIT
from gridgov.territory import repository as territory_repo
from gridgov.territory.service import get_locator, locators
from tests.conftest import DEMO_PROFILE, TEST_SECRET_KEY, _free_port, build_demo_into, make_settings
from tests.public.resident import solve

GRIDGOV = [sys.executable, "-c", "from gridgov.cli import app; app()"]


def _env(url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env.update(GRIDGOV_DATABASE_URL=url, GRIDGOV_DEMO="1", GRIDGOV_VAR_DIR=str(var_dir),
               GRIDGOV_PROFILE=DEMO_PROFILE, GRIDGOV_WEBHOOK_INTERVAL_SECONDS="0", **extra)
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(GRIDGOV + args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _wait(condition, timeout: float, what: str, logs: list[Path] = ()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        time.sleep(0.2)
    said = "\n".join(p.read_text(errors="replace")[-2000:] for p in logs)
    raise AssertionError(f"{what}: not within {timeout} s\n{said}")


# ---------------------------------------------------------------- jobs: three processes, once per tick

TICK = 2
"""Seconds: GRIDGOV_SWEEP_INTERVAL_SECONDS of the three job loops."""


def test_three_job_loops_run_each_job_once_per_tick_and_never_at_once(fresh_url, tmp_path):
    env = _env(fresh_url, tmp_path / "var", GRIDGOV_SWEEP_INTERVAL_SECONDS=str(TICK))
    logs = [tmp_path / f"jobs{i}.log" for i in range(3)]
    procs = [_start(["jobs", "--loop"], env, log) for log in logs]
    engine = make_engine(fresh_url)
    try:
        _wait(lambda: all("定时任务循环已启动" in log.read_text(errors="replace") for log in logs), 40,
              "three job loops", logs)
        first = leases.tick_of(datetime.now(UTC), TICK) + 2  # past the first (cold: imports) rounds
        last = first + 3

        def ticks_done():
            with engine.connect() as conn:
                return (conn.execute(select(JobRun.tick).order_by(JobRun.tick.desc()).limit(1)).scalar() or 0) > last

        _wait(ticks_done, 6 * TICK + 10, "four ticks of jobs", logs)
    finally:
        _stop(procs)
    with engine.connect() as conn:
        runs = conn.execute(select(JobRun).where(JobRun.tick.is_not(None)).order_by(JobRun.started_at)).all()
    engine.dispose()
    per_tick = Tally((r.name, r.tick) for r in runs)
    for t in sorted({r.tick for r in runs}):
        rs = [r for r in runs if r.tick == t]
        print(t, t - first, len(rs), min(r.started_at for r in rs).strftime("%S.%f"),
              max(r.finished_at for r in rs).strftime("%S.%f"), Tally(r.holder for r in rs))
    assert max(per_tick.values()) == 1, [k for k, n in per_tick.items() if n > 1]  # never twice in a tick
    names = [job.name for job in jobs.JOBS]
    missing = [(name, t) for name in names for t in range(first, last + 1) if (name, t) not in per_tick]
    assert not missing  # every job in every tick, by one process or another
    for name in names:  # one process at a time: a run starts after the one before it committed
        mine = [r for r in runs if r.name == name]
        for before, after in zip(mine, mine[1:], strict=False):
            assert after.started_at >= before.finished_at and after.token > before.token, name
    print("holders:", Tally(r.holder for r in runs))
    keys = sorted(p.name for p in (tmp_path / "var").iterdir())
    assert keys == ["demo-secret.key"]  # three processes starting at once made one key


def test_the_demo_key_is_one_key_when_processes_start_at_once(tmp_path):
    start, got = threading.Barrier(8), []

    def make():
        start.wait()
        got.append(_demo_secret(tmp_path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and len(set(got)) == 1 and (tmp_path / "demo-secret.key").read_text() == got[0]
    assert [p.name for p in tmp_path.iterdir()] == ["demo-secret.key"]


def test_a_holder_whose_lease_was_taken_over_rolls_back(fresh_url):
    engine = make_engine(fresh_url)
    sessions = make_sessionmaker(engine)
    t0 = datetime.now(UTC)
    try:
        old = leases.acquire(sessions, "x", t0, ttl_seconds=5, holder="a:1")
        assert old is not None
        assert leases.acquire(sessions, "x", t0 + timedelta(seconds=1), ttl_seconds=5, holder="b:2") is None  # held
        new = leases.acquire(sessions, "x", t0 + timedelta(seconds=10), ttl_seconds=5, holder="b:2")  # expired
        assert new == old + 1
        with pytest.raises(leases.LeaseLost), unit_of_work(sessions, writes=True) as session:
            session.add(Counter(name="from_the_old_holder", value=1))
            leases.finish(session, "x", old, started=t0, now=t0 + timedelta(seconds=11), tick=None, said="做了")
        with unit_of_work(sessions, writes=True) as session:
            session.add(Counter(name="from_the_new_holder", value=1))
            leases.finish(session, "x", new, started=t0, now=t0 + timedelta(seconds=12), tick=None, said="做了",
                          holder="b:2")
        with sessions() as session:
            names = set(session.scalars(select(Counter.name)))
            lease = session.get(JobLease, "x")
            runs = session.execute(select(JobRun.holder, JobRun.token)).all()
        assert "from_the_new_holder" in names and "from_the_old_holder" not in names
        assert lease.holder == "b:2" and lease.expires_at is None and lease.last_success_at is not None
        assert runs == [("b:2", new)]
    finally:
        engine.dispose()


def test_a_job_runs_once_per_tick_and_its_lease_keeps_the_outcome(fresh_url, monkeypatch):
    calls = []

    def work(session, now, profile):
        calls.append(now)
        session.add(Counter(name=f"run{len(calls)}", value=1))
        return "做了一件事"

    def fails(session, now, profile):
        raise RuntimeError("坏了")

    monkeypatch.setattr(jobs, "JOBS", (jobs.Job("work", "任务", work), jobs.Job("fails", "失败的任务", fails)))
    engine = make_engine(fresh_url)
    sessions, profile = make_sessionmaker(engine), load_profile(DEMO_PROFILE)
    try:
        both = [("work", "做了一件事"), ("fails", "失败：RuntimeError")]
        assert jobs.run_jobs_once(sessions, profile, tick=100) == both
        assert jobs.run_jobs_once(sessions, profile, tick=100) == []  # taken for this tick already
        assert jobs.run_jobs_once(sessions, profile, tick=101) == both
        assert len(calls) == 2
        with sessions() as session:
            work_lease, failed = session.get(JobLease, "work"), session.get(JobLease, "fails")
            ran = session.execute(select(JobRun.name, JobRun.tick, JobRun.ok).order_by(JobRun.id)).all()
        assert work_lease.tick == 101 and work_lease.token == 2 and work_lease.last_error == ""
        assert failed.last_success_at is None and "坏了" in failed.last_error and failed.expires_at is None
        assert ran == [("work", 100, True), ("fails", 100, False), ("work", 101, True), ("fails", 101, False)]
    finally:
        engine.dispose()


def test_ready_says_in_chinese_when_the_sweep_has_not_run(fresh_url, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from gridgov.app import create_app

    engine = make_engine(fresh_url)
    app = create_app(make_settings(fresh_url, tmp_path, sweep_interval_seconds=60), engine=engine)
    try:
        with TestClient(app) as c:
            assert c.get("/api/v1/ready").json()["checks"]["jobs"] == "ok"  # the grace period of a new process
            monkeypatch.setattr(leases, "_started", {})  # as if it started long ago
            r = c.get("/api/v1/ready")
            said = r.json()["detail"]
            assert r.status_code == 503 and "定时任务未按时运行" in said and "最近 3 个执行间隔" in said
            with unit_of_work(make_sessionmaker(engine)) as session:
                session.add(JobLease(name=leases.SWEEP_JOB, holder="", token=1, tick=1, last_error="",
                                     last_success_at=datetime.now(UTC) - timedelta(seconds=100)))
            assert c.get("/api/v1/ready").status_code == 200
            with unit_of_work(make_sessionmaker(engine)) as session:
                session.execute(update(JobLease).values(last_success_at=datetime.now(UTC) - timedelta(seconds=200)))
            assert c.get("/api/v1/ready").json()["checks"]["jobs"].startswith("定时任务未按时运行")
    finally:
        engine.dispose()


# ---------------------------------------------------------------- shared state of the requests


@pytest.fixture
def two_apps(fresh_url, tmp_path):
    """Two apps, each with its own engine, over one database: two processes as far as state goes."""
    from gridgov.app import create_app

    engines = [make_engine(fresh_url) for _ in range(2)]
    apps = [create_app(make_settings(fresh_url, tmp_path / f"app{i}"), engine=e) for i, e in enumerate(engines)]
    yield apps
    for e in engines:
        e.dispose()


def test_two_apps_share_the_rate_limit_windows_and_the_used_challenges(two_apps, monkeypatch):
    from fastapi.testclient import TestClient

    a, b = two_apps
    with TestClient(a) as ca, TestClient(b) as cb:
        for i in range(LOOKUP_LIMIT):  # the complaint lookup's window, per IP, half in each app
            r = (ca if i % 2 else cb).post("/api/v1/public/complaints/lookup",
                                           json={"number": 9, "phone": "13900000000"})
            assert r.status_code == 404, r.text
        r = ca.post("/api/v1/public/complaints/lookup", json={"number": 9, "phone": "13900000000"})
        assert r.status_code == 429 and "提交过于频繁" in r.json()["detail"] and int(r.headers["Retry-After"]) > 0
        challenge = cb.get("/api/v1/public/challenge").json()
        # CSRF is stateless (a double-submit cookie): a form from one process posts to the other
        page = ca.get("/track", headers={"Accept": "text/html"})
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text).group(1)
        cb.cookies.update(ca.cookies)
        r = cb.post("/track", data={"csrf_token": token, "case_no": "X1", "code": "123456"},
                    headers={"Accept": "text/html"})
        assert r.status_code == 404 and "CSRF 校验失败" not in r.text
        assert cb.post("/track", data={"csrf_token": token[::-1], "case_no": "X1", "code": "123456"},
                       headers={"Accept": "text/html"}).status_code == 403  # the check did run there
    monkeypatch.setitem(guards.LIMITS, "x", guards.Limit("x", 2, 600, "测试"))
    now = datetime.now(UTC)
    guards.guard_of(a).hit("x", "10.0.0.1", now)
    guards.guard_of(b).hit("x", "10.0.0.1", now)
    with pytest.raises(guards.TooManyRequests) as refused:
        guards.guard_of(a).hit("x", "10.0.0.1", now)
    assert refused.value.headers == {"Retry-After": "600"} and "操作过于频繁" in refused.value.message
    with unit_of_work(a.state.write_sessionmaker) as session:  # the IP is kept as an HMAC, never as it is
        assert "10.0.0.1" not in str(session.execute(select(RateHit.bucket, RateHit.key_hash)).all())
    answer = solve(challenge["question"])
    with unit_of_work(a.state.write_sessionmaker) as session:
        guards.guard_of(a).verify(challenge["token"], answer, now, session=session)
    with pytest.raises(Invalid), unit_of_work(b.state.write_sessionmaker) as session:
        guards.guard_of(b).verify(challenge["token"], answer, now, session=session)  # used in the other app


def test_the_locator_follows_a_grid_retired_by_another_process(fresh_url, tmp_path):
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            code, wkb = territory_repo.active_grid_geometries(session)[0]
            point = shapely.point_on_surface(shapely.from_wkb(wkb))
            assert get_locator(session).locate(point.x, point.y) == code
        script = ("import sys\nfrom sqlalchemy import update\nfrom gridgov.db import make_engine, make_sessionmaker, "
                  "unit_of_work\nfrom gridgov.models import Grid\nfrom gridgov.territory import repository as r\n"
                  "with unit_of_work(make_sessionmaker(make_engine(sys.argv[1]))) as s:\n"
                  "    s.execute(update(Grid).where(Grid.code == sys.argv[2]).values(status='retired'))\n"
                  "    r.bump_grids_version(s)\n")
        subprocess.run([sys.executable, "-c", script, fresh_url, code], check=True, timeout=60, env=os.environ)
        with sessions() as session:
            assert session.scalar(select(Grid.status).where(Grid.code == code)) == GridStatus.RETIRED
            assert get_locator(session).locate(point.x, point.y) is None  # rebuilt on the other's counter
    finally:
        locators.clear()
        engine.dispose()


# ---------------------------------------------------------------- serve --workers 2


def test_serve_with_two_workers_answers_from_two_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = _env(url, tmp_path / "var", GRIDGOV_SECRET_KEY=TEST_SECRET_KEY)
    proc = _start(["serve", "--workers", "2", "--no-jobs", "--port", str(port)], env, log)
    base, pids = f"http://127.0.0.1:{port}", set()
    try:
        def one() -> None:
            try:
                with httpx.Client(timeout=5) as c:  # a new connection each time: either worker may take it
                    health, ready = c.get(f"{base}/api/v1/health"), c.get(f"{base}/api/v1/ready")
            except httpx.HTTPError:
                return  # not listening yet
            if health.status_code == 200 and ready.status_code == 200:
                pids.add(health.json()["pid"])

        def answered() -> bool:
            threads = [threading.Thread(target=one) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return len(pids) >= 2

        _wait(answered, 120, "two workers answering", [log])
    finally:
        _stop([proc])
    assert proc.pid not in pids and len(pids) == 2
