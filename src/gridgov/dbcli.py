"""``gridgov db``, ``gridgov demo`` and ``gridgov serve``."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from gridgov.config import Settings, get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.migrate import upgrade as run_upgrade

app = typer.Typer(help="数据库：迁移与状态。", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="目标版本")] = "head") -> None:
    """运行数据库迁移（表结构只来自迁移脚本）。"""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    run_upgrade(engine, revision)
    typer.echo(f"数据库已迁移到 {revision}：{engine.url.render_as_string(hide_password=True)}")


def demo(
    grids: Annotated[int, typer.Option("--grids", help="网格数量（基准测试可用 100000）", min=10)] = 1000,
    profile: Annotated[str | None, typer.Option("--profile", help="政策配置，默认取 GRIDGOV_PROFILE")] = None,
    people: Annotated[int, typer.Option("--people", help="演示街道的实有人口数（虚构数据）", min=0,
                                        max=1_000_000)] = 20_000,
    scale: Annotated[str | None, typer.Option(
        "--scale", help="规模演示：province（10 万网格、1000 万事件、300 万人口，用 PostgreSQL）或 city（十分之一）",
    )] = None,
    stop_after: Annotated[float | None, typer.Option(
        "--stop-after", help="规模演示：建事件若干分钟后停下并收尾（再次运行即接着建）", min=0, hidden=True)] = None,
) -> None:
    """建立演示城市：迁移数据库，载入确定性的区划与网格、联动部门、演示账号、演示网格员和初始事项清单（已存在则复用）。"""
    from gridgov.demo import build_demo
    from gridgov.kit.crypto import FieldCipher
    from gridgov.policy.loader import load_profile

    if scale is not None and scale not in ("province", "city", "test"):  # test: the tests' tiny size
        raise typer.BadParameter("只能是 province 或 city", param_hint="--scale")
    settings = Settings(demo=True, **({"profile": profile} if profile else {}))
    engine = make_engine(settings.database_url)
    run_upgrade(engine)
    if scale:
        from gridgov.scale import SCALES, build, day_of

        found = build(engine, load_profile(settings.profile), SCALES[scale], now=day_of(utc_now()),
                      cipher=FieldCipher.from_settings(settings), say=typer.echo,
                      stop_after=None if stop_after is None else stop_after * 60)
        typer.echo("规模演示数据：" + "，".join(f"{k} {v:,}" for k, v in found.items()))
        return
    with fail_on_domain_error(), unit_of_work(make_sessionmaker(engine)) as session:
        lines = build_demo(session, load_profile(settings.profile), grids=grids, now=utc_now(),
                           cipher=FieldCipher.from_settings(settings), people=people)
    typer.echo("\n".join(lines))


def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址，默认 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口，默认 8000")] = None,
    workers: Annotated[int, typer.Option("--workers", help="进程数（每个进程无状态，共用数据库）", min=1,
                                         max=64)] = 1,
    run_jobs_too: Annotated[bool, typer.Option("--jobs/--no-jobs",
                                               help="本服务是否也运行定时任务（各进程经数据库租约协调，每项任务每个周期只运行一次）；"
                                                    "--no-jobs 时请另行运行 gridgov jobs --loop")] = True,
) -> None:
    """启动网页与 API 服务。"""
    import os

    import uvicorn
    from pydantic import ValidationError

    from gridgov.policy.loader import ProfileError, validate_profiles_or_die

    try:
        settings = get_settings()
        if workers == 1:
            from gridgov.app import create_app

            app_ = create_app(settings, run_jobs=run_jobs_too)
        else:  # each worker builds its own app; the settings and profile are checked here, once, first
            validate_profiles_or_die(settings.profile)
    except (ValidationError, ProfileError) as exc:
        typer.echo(f"无法启动：{exc}", err=True)
        raise typer.Exit(1) from exc
    from gridgov.observability import configure_logging, prepare_multiprocess, uvicorn_log_options

    configure_logging(settings.log_format)  # GRIDGOV_LOG_FORMAT; our access log replaces uvicorn's
    # X-Forwarded-For/-Proto are believed from the proxies in GRIDGOV_FORWARDED_ALLOW_IPS only (none: off).
    options = dict(host=host or settings.host, port=port or settings.port, log_level="info",
                   proxy_headers=bool(settings.forwarded_allow_ips), forwarded_allow_ips=settings.forwarded_allow_ips,
                   **uvicorn_log_options())
    if workers == 1:
        uvicorn.run(app_, **options)
        return
    # Several processes: each worker calls the app factory named by an import string (what uvicorn can
    # hand to a process it spawns) and reads the same settings from the environment. Their metrics add
    # up in one folder (prometheus-client's multiprocess mode).
    prepare_multiprocess(settings.var_dir, workers)
    os.environ[SERVE_JOBS_ENV] = "1" if run_jobs_too else "0"
    # A worker imports the whole app before it answers the supervisor's ping: on a busy machine that
    # takes longer than uvicorn's 5 s default, and the worker would be killed and started again forever.
    uvicorn.run("gridgov.dbcli:serve_app", factory=True, workers=workers, timeout_worker_healthcheck=60, **options)


SERVE_JOBS_ENV = "GRIDGOV_SERVE_JOBS"
"""How ``serve --workers N`` tells its worker processes whether to run the jobs (--jobs/--no-jobs)."""


def serve_app():
    """The app factory each worker of ``gridgov serve --workers N`` calls."""
    import os

    from gridgov.app import create_app
    from gridgov.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format)  # in the worker process too: its own logging set-up
    return create_app(settings, run_jobs=os.environ.get(SERVE_JOBS_ENV, "1") == "1")


def run_jobs(
    loop: Annotated[bool, typer.Option("--loop", help="持续运行：每个周期（GRIDGOV_SWEEP_INTERVAL_SECONDS）执行一轮，"
                                                     "供 gridgov serve --no-jobs 的部署使用")] = False,
) -> None:
    """立即执行一次定时任务（网格调整到期生效、事件时限扫描、临时事项期满与强制退出等）。

    gridgov serve 每个周期自动执行（多个进程经数据库租约协调，每项任务每个周期只由一个进程运行），也可由 cron 调用；
    --loop 则作为独立进程持续运行。
    """
    from gridgov.jobs import run_jobs_once, run_loop
    from gridgov.kit.crypto import FieldCipher
    from gridgov.policy.loader import load_profile

    settings = get_settings()
    engine = make_engine(settings.database_url)
    profile = load_profile(settings.profile)
    if loop:
        typer.echo(f"定时任务循环已启动：每 {settings.sweep_interval_seconds} 秒一轮（Ctrl-C 停止）")
        with contextlib.suppress(KeyboardInterrupt):
            run_loop(make_sessionmaker(engine), profile, max(1, settings.sweep_interval_seconds),
                     cipher=FieldCipher.from_settings(settings), settings=settings)
        return
    done = run_jobs_once(make_sessionmaker(engine), profile, settings=settings)
    typer.echo("\n".join(f"{name}：{said}" for name, said in done) or "没有到期的任务")
    if any(said.startswith("失败") for _, said in done):
        raise typer.Exit(1)
