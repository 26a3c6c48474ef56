"""Periodic jobs: things that must happen at a time rather than on a request.

A job is a function ``(session, now, profile) -> str | None`` that does what has fallen due and
says what it did (None when nothing was due). Each job runs under its lease in the database
(:mod:`gridgov.leases`): in one process at a time across all processes and machines, and, in the
loops (``gridgov serve`` unless ``--no-jobs``, ``gridgov jobs --loop``), at most once per tick of
``GRIDGOV_SWEEP_INTERVAL_SECONDS``; ``gridgov jobs`` runs each once now (unless another process is
running it). Jobs stay idempotent (each guards its writes with a conditional UPDATE). Each job runs
in its own transaction, which ends with the lease's fencing check: one failing job neither stops nor
rolls back the others, and a job whose lease was taken over rolls back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from gridgov import leases, observability
from gridgov.db import unit_of_work
from gridgov.kit.clock import utc_now

log = logging.getLogger("gridgov.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    run: Callable[..., str | None]
    with_cipher: bool = False
    """Called as ``run(session, now, profile, cipher)``: the job reads or matches personal data."""
    with_settings: bool = False
    """Called as ``run(session, now, profile, cipher, settings)``: the job needs the deployment's settings."""
    own_transactions: bool = False
    """Called as ``run(make_session, now, profile, cipher, settings)``: the job opens its own short units
    of work (it talks to other systems between them and must hold no transaction meanwhile)."""


def _apply_due_adjustments(session: Session, now: datetime, profile) -> str | None:
    import gridgov.staff  # noqa: F401  (registers the hook that ends the posts of a grid retiring)
    from gridgov.territory.adjustments import apply_due_adjustments

    applied = apply_due_adjustments(session, now)
    return f"生效网格调整 {len(applied)} 项" if applied else None


def _sweep_cases(session: Session, now: datetime, profile) -> str | None:
    from gridgov.cases.sweep import sweep

    result = sweep(session, now, profile)
    observability.sweep_marked(result)
    return result.summary()


def _sweep_complaints(session: Session, now: datetime, profile) -> str | None:
    from gridgov.public.complaint_sweep import sweep_complaints

    marked = sweep_complaints(session, now)
    return f"网格员投诉超期未处理 {marked} 件" if marked else None


def _expire_catalogue(session: Session, now: datetime, profile) -> str | None:
    from gridgov.catalogue.rectification import expire_catalogue

    done = expire_catalogue(session, now, profile=profile)
    return "；".join(done) if done else None


def _registry_retention(session: Session, now: datetime, profile) -> str | None:
    from gridgov.registry.retention import apply_retention

    archived, deleted = apply_retention(session, now, profile)
    said = [f"归档迁出或死亡人员 {archived} 人"] if archived else []
    said += [f"删除保存期满的人员信息 {deleted} 人"] if deleted else []
    return "；".join(said) or None


def _warn_overdue_visits(session: Session, now: datetime, profile, cipher) -> str | None:
    from gridgov.registry.care import warn_overdue_visits

    sent = warn_overdue_visits(session, now, profile, cipher)
    return f"特殊人群走访逾期提醒 {sent} 条" if sent else None


def _monthly_reports(session: Session, now: datetime, profile, cipher) -> str | None:
    from gridgov.analysis.monthly_reports import monthly_job

    return monthly_job(session, now, profile, cipher)


def _analysis_warnings(session: Session, now: datetime, profile, cipher) -> str | None:
    from gridgov.analysis.warnings_job import run_warnings

    return run_warnings(session, now, profile, cipher)


def _deliver_messages(session: Session, now: datetime, profile, cipher, settings) -> str | None:
    from gridgov.notify import outbound

    done = outbound.deliver_pending(session, channel=outbound.channel_for(settings), cipher=cipher, now=now,
                                    max_attempts=settings.sms_max_attempts)
    purged = outbound.purge_old(session, now=now, keep_days=settings.sms_keep_days)
    return replace(done, purged=purged).summary()


def _purge_resident_codes(session: Session, now: datetime, profile) -> str | None:
    from gridgov.public.report import purge_codes

    purged = purge_codes(session, now=now)
    return f"删除过期的居民短信验证码 {purged} 条" if purged else None


def _prune_shared_state(session: Session, now: datetime, profile) -> str | None:
    from gridgov.public.windows import prune

    hits, nonces = prune(session, now)
    runs = leases.prune_runs(session, now)
    said = [f"删除过期的限流记录 {hits} 条"] if hits else []
    said += [f"删除过期的验证题记录 {nonces} 条"] if nonces else []
    said += [f"删除 {leases.RUNS_KEPT_DAYS} 天前的任务运行记录 {runs} 条"] if runs else []
    return "；".join(said) or None


def _webhooks(make_session: sessionmaker, now: datetime, profile, cipher, settings) -> str | None:
    from gridgov.interop.webhooks_job import run

    return run(make_session, now, profile, cipher, policy=settings.webhook_targets)


JOBS: tuple[Job, ...] = (
    Job("adjustments", "到期网格调整生效", _apply_due_adjustments),
    Job("cases_sweep", "事件时限预警、超期与督办超期提醒", _sweep_cases),
    Job("complaints_sweep", "网格员投诉处理超期提醒（JS§19）", _sweep_complaints),
    Job("catalogue", "临时事项期满退出、逾期未整改强制退出", _expire_catalogue),
    Job("registry_retention", "迁出、死亡人员信息归档与期满删除", _registry_retention),
    Job("registry_visits", "特殊人群走访逾期提醒（ZJ§19、JS§9(7)）", _warn_overdue_visits, with_cipher=True),
    Job("monthly_reports", "每月第一个工作日生成上月市、县月度分析报告（JM§21）", _monthly_reports,
        with_cipher=True),
    Job("analysis_warnings", "预警：事件量突增、重复事件、部门超期、网格员投诉、走访逾期（JM§21）", _analysis_warnings,
        with_cipher=True),
    Job("outbound", "发送短信（反映人告知、验证码），失败的按间隔重试，删除超过保存期的短信", _deliver_messages,
        with_cipher=True, with_settings=True),
    Job("resident_codes", "删除两天前的居民短信验证码（issue 17）", _purge_resident_codes),
    Job("procs_prune", "删除过期的限流记录、已用验证题和七天前的任务运行记录（issue 19）", _prune_shared_state),
    Job("webhooks", "Webhook 推送：分发事件变化、按退避重试、24 小时后标记失败", _webhooks, own_transactions=True),
)


def _default_settings():
    from gridgov.config import get_settings

    return get_settings()


def _cipher_of(settings):
    from gridgov.kit.crypto import FieldCipher

    return FieldCipher.from_settings(settings)


def _run_one(job: Job, make_session: sessionmaker, profile, now: datetime, cipher, settings, *,
             tick: int | None) -> str | None:
    """Runs one job under its lease (gridgov.leases); raises what the job raised (its work rolled
    back) or LeaseLost. Returns what it did, or :data:`SKIPPED` when another process holds the lease."""
    token = leases.acquire(make_session, job.name, utc_now(), ttl_seconds=_lease_seconds(settings), tick=tick)
    if token is None:
        return SKIPPED
    started = utc_now()
    try:
        if job.own_transactions or job.with_settings:
            settings = settings or _default_settings()
        if job.own_transactions or job.with_settings or job.with_cipher:
            cipher = cipher or _cipher_of(settings or _default_settings())  # the field keys too (rotation)
        if job.own_transactions:
            said = job.run(make_session, now, profile, cipher, settings)
            with unit_of_work(make_session, writes=True) as session:
                leases.finish(session, job.name, token, started=started, now=utc_now(), tick=tick, said=said)
            return said
        with unit_of_work(make_session, writes=True) as session:
            if job.with_settings:
                said = job.run(session, now, profile, cipher, settings)
            elif job.with_cipher:
                said = job.run(session, now, profile, cipher)
            else:
                said = job.run(session, now, profile)
            # fencing: in the job's own transaction, before its commit
            leases.finish(session, job.name, token, started=started, now=utc_now(), tick=tick, said=said)
        return said
    except leases.LeaseLost:
        raise
    except Exception as exc:
        leases.release_failed(make_session, job.name, token, started=started, tick=tick,
                              error=f"{type(exc).__name__}: {exc}"[:500])
        raise


SKIPPED = "\0skipped"


def _lease_seconds(settings) -> int:
    return getattr(settings, "job_lease_seconds", None) or 600


def run_jobs_once(make_session: sessionmaker, profile, *, now: datetime | None = None,
                  cipher=None, settings=None, tick: int | None = None) -> list[tuple[str, str]]:
    """Runs every job once, each under its lease (gridgov.leases): a job another process is running
    is skipped. Returns (job name, what it did or the error) for the jobs that did something.
    ``cipher``: the app's field cipher (else one from the settings' secret key); ``settings``: the
    app's settings (else :func:`gridgov.config.get_settings`). ``tick``: the loops' interval number,
    so that across processes each job runs at most once per tick (None: run now, as ``gridgov jobs``)."""
    now = now or utc_now()
    done: list[tuple[str, str]] = []
    for job in JOBS:
        started = time.perf_counter()
        try:
            said = _run_one(job, make_session, profile, now, cipher, settings, tick=tick)
        except leases.LeaseLost as exc:
            observability.job_finished(job.name, time.perf_counter() - started, False)
            log.warning("%s", exc)
            done.append((job.name, "失败：LeaseLost"))
            continue
        except Exception as exc:
            observability.job_finished(job.name, time.perf_counter() - started, False)
            log.exception("job %s failed", job.name)
            done.append((job.name, f"失败：{type(exc).__name__}"))
            continue
        if said == SKIPPED:  # another process holds the job, or ran it this tick: nothing ran here
            continue
        observability.job_finished(job.name, time.perf_counter() - started, True)
        if said:
            log.info("job %s: %s", job.name, said)
            done.append((job.name, said))
    return done


def seconds_to_next_tick(interval_seconds: int, at: float | None = None) -> float:
    """Seconds until the next tick begins (the loops wake at tick boundaries, so that all processes
    try each tick's jobs together and one of them takes each)."""
    at = time.time() if at is None else at
    return interval_seconds - (at % interval_seconds) + 0.01


def run_due(make_session: sessionmaker, profile, interval_seconds: int, *, cipher=None,
            settings=None) -> float:
    """One round of a loop: the jobs not yet run in the current tick by any process. Returns the
    seconds to wait before the next round: none if the round ran into the next tick (so that tick
    is not skipped), else until the next tick begins."""
    now = utc_now()
    tick = leases.tick_of(now, interval_seconds)
    run_jobs_once(make_session, profile, now=now, cipher=cipher, settings=settings, tick=tick)
    return 0.0 if leases.tick_of(utc_now(), interval_seconds) > tick else seconds_to_next_tick(interval_seconds)


def run_loop(make_session: sessionmaker, profile, interval_seconds: int, *, cipher=None, settings=None,
             rounds: int | None = None) -> None:
    """``gridgov jobs --loop``: the jobs' loop as a process of its own (for servers run with --no-jobs)."""
    done = 0
    while rounds is None or done < rounds:
        wait = seconds_to_next_tick(interval_seconds)
        try:
            wait = run_due(make_session, profile, interval_seconds, cipher=cipher, settings=settings)
        except Exception:  # a bad moment (the database restarting) must not end the loop
            log.exception("jobs round failed")
        done += 1
        time.sleep(wait)


async def run_forever(make_session: sessionmaker, profile, interval_seconds: int, *, cipher=None,
                      settings=None) -> None:
    """The loop ``gridgov serve`` starts (unless --no-jobs): at each tick, the jobs no other process
    has taken for it (in a worker thread, so a slow job never blocks requests)."""
    while True:
        wait = seconds_to_next_tick(interval_seconds)
        try:
            wait = await asyncio.to_thread(run_due, make_session, profile, interval_seconds, cipher=cipher,
                                           settings=settings)
        except Exception:
            log.exception("jobs round failed")
        await asyncio.sleep(wait)


def _webhooks_round(make_session: sessionmaker, profile, cipher, settings) -> str | None:
    job = next(j for j in JOBS if j.name == "webhooks")
    said = _run_one(job, make_session, profile, utc_now(), cipher, settings, tick=None)
    return None if said == SKIPPED else said


async def run_webhooks_forever(make_session: sessionmaker, profile, cipher, settings) -> None:
    """The webhook worker ``gridgov serve`` starts (every ``GRIDGOV_WEBHOOK_INTERVAL_SECONDS``), under
    the ``webhooks`` job's lease: in one process at a time across all of them, never beside the job."""
    while True:
        try:
            await asyncio.to_thread(_webhooks_round, make_session, profile, cipher, settings)
        except Exception:  # a bad moment (the database restarting) must not end the worker
            log.exception("webhook worker failed")
        await asyncio.sleep(settings.webhook_interval_seconds)
