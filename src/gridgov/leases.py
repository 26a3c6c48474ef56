"""Leases that make each periodic job run in one process at a time, across processes and machines.

One row per job in ``job_leases`` (models/procs.py). A process *takes* a job's lease with one
conditional UPDATE in a short write transaction (BEGIN IMMEDIATE on SQLite, a row lock on
PostgreSQL): it succeeds only when nobody holds the lease (released, or expired after
``GRIDGOV_JOB_LEASE_SECONDS``) and, for the loops, only when the job has not yet been taken for the
current *tick* (``floor(now / GRIDGOV_SWEEP_INTERVAL_SECONDS)``). Taking it bumps the **fencing
token**. The job's own unit of work ends with :func:`finish`, in the SAME transaction as its work:
``UPDATE job_leases … WHERE name = :name AND token = :token``; if that matches no row (the lease
expired and another process took it), :class:`LeaseLost` is raised and the work rolls back. So a
job's effects are committed by at most one holder at a time, and at most once per tick.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from gridgov.db import unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.models import JobLease, JobRun

HOLDER = f"{socket.gethostname()[:80]}:{os.getpid()}"
"""Who this process is, in the lease (host and pid)."""

RUNS_KEPT_DAYS = 7
"""Rows of ``job_runs`` are deleted after this many days (the ``procs_prune`` job)."""

SWEEP_JOB = "cases_sweep"
"""The job whose lease the readiness check ``jobs`` watches."""

FRESH_INTERVALS = 3
"""Ready when the sweep succeeded within this many intervals (or the process started since)."""


class LeaseLost(RuntimeError):
    """The job's lease was taken over by another process while it ran: its work is rolled back."""


def tick_of(now: datetime, interval_seconds: int) -> int:
    return int(now.timestamp() // max(1, interval_seconds))


def _ensure_row(session: Session, name: str) -> None:
    """The job's lease row, made free on first use (by whichever process comes first)."""
    if session.get(JobLease, name) is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(JobLease).values(name=name, holder="", token=0, tick=-1, last_error="")
                        .on_conflict_do_nothing())


def acquire(make_session: sessionmaker, name: str, now: datetime, *, ttl_seconds: int,
            tick: int | None = None, holder: str = HOLDER) -> int | None:
    """Takes the lease of job ``name``; its fencing token, or None when another process holds it (or,
    with ``tick``, when the job was already taken for this tick or a later one)."""
    with unit_of_work(make_session, writes=True) as session:
        _ensure_row(session, name)
        free = (JobLease.expires_at.is_(None)) | (JobLease.expires_at <= now)
        stmt = update(JobLease).where(JobLease.name == name, free)
        values = {"holder": holder, "token": JobLease.token + 1, "expires_at": now + timedelta(seconds=ttl_seconds),
                  "last_started_at": now}
        if tick is not None:
            stmt = stmt.where(JobLease.tick < tick)
            values["tick"] = tick
        token = session.execute(stmt.values(**values).returning(JobLease.token)).scalar()
    return token


def finish(session: Session, name: str, token: int, *, started: datetime, now: datetime, tick: int | None,
           said: str | None, ok: bool = True, error: str = "", holder: str = HOLDER) -> None:
    """Records the run and releases the lease, in the caller's transaction, if ``token`` still holds
    it; raises :class:`LeaseLost` otherwise (the caller's transaction must then roll back)."""
    values = {"expires_at": None, "last_duration_ms": max(0, int((now - started).total_seconds() * 1000)),
              "last_error": error}
    if ok:
        values["last_success_at"] = now
    done = session.execute(update(JobLease).where(JobLease.name == name, JobLease.token == token)
                           .values(**values).returning(JobLease.name)).scalar()
    if done is None:
        raise LeaseLost(f"定时任务 {name} 的租约已被其他进程接管（令牌 {token} 已失效），本次结果回滚")
    if tick is None and ok and not said:
        return  # the webhook worker's idle rounds (every few seconds) leave no row
    session.add(JobRun(name=name, tick=tick, token=token, holder=holder, started_at=started, finished_at=now,
                       ok=ok, said=(said or error)[:2000]))


def release_failed(make_session: sessionmaker, name: str, token: int, *, started: datetime, tick: int | None,
                   error: str) -> None:
    """After a failed run (its work rolled back): records the error and frees the lease, if still held."""
    try:
        with unit_of_work(make_session, writes=True) as session:
            finish(session, name, token, started=started, now=utc_now(), tick=tick, said=None, ok=False,
                   error=error)
    except LeaseLost:
        pass


def prune_runs(session: Session, now: datetime) -> int:
    """Deletes the job runs older than :data:`RUNS_KEPT_DAYS`."""
    return session.execute(delete(JobRun).where(JobRun.started_at < now - timedelta(days=RUNS_KEPT_DAYS))).rowcount


# ---------------------------------------------------------------- readiness

_started: dict[str, float] = {}


def note_start(engine: Engine) -> None:
    """Remembers when this process's app over ``engine`` started (the readiness grace period)."""
    _started[str(engine.url)] = time.time()


def check_jobs(engine: Engine, settings) -> str | None:
    """Readiness: the sweep's lease ran successfully within the last few intervals."""
    interval = getattr(settings, "sweep_interval_seconds", 60)
    if interval <= 0:
        return None
    limit = FRESH_INTERVALS * interval
    started = _started.get(str(engine.url))
    if started is not None and time.time() - started < limit:
        return None
    with engine.connect() as conn:
        last = conn.execute(select(JobLease.last_success_at).where(JobLease.name == SWEEP_JOB)).scalar()
    if last is not None and (utc_now() - last).total_seconds() <= limit:
        return None
    when = f"上次成功于 {last:%Y-%m-%d %H:%M:%S} UTC" if last else "从未成功运行"
    return (f"定时任务未按时运行：事件时限扫描（{SWEEP_JOB}）{when}；规则是最近 {FRESH_INTERVALS} 个执行间隔"
            f"（{limit} 秒）内必须成功运行一次，进程启动后的前 {limit} 秒不检查。请确认有进程在运行定时任务"
            "（gridgov serve 未加 --no-jobs，或另有 gridgov jobs --loop）")
