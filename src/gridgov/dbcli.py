"""``gridgov db``, ``gridgov demo`` and ``gridgov serve``."""

from __future__ import annotations

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
) -> None:
    """启动网页与 API 服务。"""
    import uvicorn
    from pydantic import ValidationError

    from gridgov.app import create_app
    from gridgov.policy.loader import ProfileError

    try:
        settings = get_settings()
        app_ = create_app(settings, run_jobs=True)
    except (ValidationError, ProfileError) as exc:
        typer.echo(f"无法启动：{exc}", err=True)
        raise typer.Exit(1) from exc
    uvicorn.run(app_, host=host or settings.host, port=port or settings.port, log_level="info")


def run_jobs() -> None:
    """立即执行一次定时任务（网格调整到期生效、事项时限扫描、临时事项期满与强制退出）。

    gridgov serve 每分钟自动执行，也可由 cron 调用。
    """
    from gridgov.jobs import run_jobs_once
    from gridgov.policy.loader import load_profile

    settings = get_settings()
    engine = make_engine(settings.database_url)
    done = run_jobs_once(make_sessionmaker(engine), load_profile(settings.profile), settings=settings)
    typer.echo("\n".join(f"{name}：{said}" for name, said in done) or "没有到期的任务")
    if any(said.startswith("失败") for _, said in done):
        raise typer.Exit(1)
