"""``/api/v1/health`` (the process is alive) and ``/api/v1/ready`` (it can serve: the database
answers, its schema is at the migrations' head, and whatever else :data:`READY_CHECKS` asks).

A load balancer or orchestrator polls ``/ready`` to decide whether to send traffic to a process;
``/health`` only says the process answers. Each readiness check is a function
``(engine, settings) -> str | None``: None when all is well, else a Chinese sentence saying what is
wrong. ``/ready`` answers 200 with every check's result, or 503 with the failing checks'
sentences, and never raises: a check that fails by raising counts as failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from gridgov import __version__
from gridgov.authz import Permission, require
from gridgov.deps import SessionDep
from gridgov.leases import check_jobs
from gridgov.migrate import alembic_config

ReadyCheck = Callable[[Engine, object], str | None]


def migration_heads() -> set[str]:
    """The revisions the package's migrations end at."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def database_revisions(engine: Engine) -> set[str]:
    """The revisions the database says it is at (empty when never migrated)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def check_database(engine: Engine, settings) -> str | None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return None


def check_migrations(engine: Engine, settings) -> str | None:
    current, heads = database_revisions(engine), migration_heads()
    if current == heads:
        return None
    if not current:
        return "数据库尚未迁移：请运行 gridgov db upgrade"
    return f"数据库版本 {', '.join(sorted(current))} 不是最新的 {', '.join(sorted(heads))}：请运行 gridgov db upgrade"


READY_CHECKS: dict[str, ReadyCheck] = {"database": check_database, "migrations": check_migrations,
                                       "jobs": check_jobs}
"""Name → check. Other modules add theirs (e.g. the jobs' lease)."""


def readiness(engine: Engine, settings) -> dict[str, str]:
    """Each check's answer: "ok" or what is wrong."""
    out: dict[str, str] = {}
    for name, check in READY_CHECKS.items():
        try:
            out[name] = check(engine, settings) or "ok"
        except Exception as exc:  # a check that cannot even run has failed, e.g. the database is down
            out[name] = f"检查失败：{type(exc).__name__}"
    return out


router = APIRouter(tags=["system"])


@router.get("/health", dependencies=[Depends(require(Permission.PUBLIC))], summary="存活检查")
def health(request: Request, session: SessionDep) -> dict:
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "profile": request.app.state.profile.name, "pid": os.getpid()}


@router.get("/ready", dependencies=[Depends(require(Permission.PUBLIC))], summary="就绪检查",
            responses={503: {"description": "未就绪：数据库不可用、未迁移到最新版本或定时任务租约过期"}})
async def ready(request: Request) -> JSONResponse:
    state = request.app.state
    checks = await run_in_threadpool(readiness, state.engine, state.settings)
    failing = {name: said for name, said in checks.items() if said != "ok"}
    if failing:
        return JSONResponse({"status": "not_ready", "detail": "未就绪：" + "；".join(failing.values()),
                             "code": "not_ready", "checks": checks}, status_code=503)
    return JSONResponse({"status": "ready", "version": __version__, "checks": checks})
