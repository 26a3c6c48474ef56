"""``gridgov cases``: the sweep (warnings, overdue clocks, overdue supervision) and the file check."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer

from gridgov.cases import casetypes
from gridgov.cases.service import count_cases, verify_files
from gridgov.cases.sweep import sweep
from gridgov.config import Settings, get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import DomainError
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.policy.loader import ProfileError, available_profiles, load_profile

app = typer.Typer(help="事件：时限预警与超期扫描、电子档案核验。", no_args_is_help=True)


def _uow():
    settings = get_settings()
    return unit_of_work(make_sessionmaker(make_engine(settings.database_url))), settings


def _parse_at(value: str | None) -> datetime:
    if not value:
        return utc_now()
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        typer.echo(f"错误：时间 {value} 无法识别，请用 ISO 8601，例如 2026-11-24T09:30:00+08:00", err=True)
        raise typer.Exit(2) from exc
    if at.tzinfo is None:
        typer.echo("错误：时间须带时区，例如 2026-11-24T09:30:00+08:00", err=True)
        raise typer.Exit(2)
    return at


@app.command("sweep")
def sweep_command(
    at: Annotated[str | None, typer.Option("--at", help="按此时间扫描（ISO 8601，带时区），默认现在")] = None,
) -> None:
    """扫描一次：标记进入预警与已超期的时限、超期未答复的督办，并提醒相关人员（可重复执行，不会重复提醒）。"""
    now = _parse_at(at)
    uow, settings = _uow()
    with fail_on_domain_error(), uow as session:
        result = sweep(session, now, load_profile(settings.profile))
    typer.echo(result.summary() or "没有新进入预警或超期的事件")


@app.command("verify-log")
def verify_log(
    case_no: Annotated[str | None, typer.Argument(help="事件编号；与 --all 二选一")] = None,
    all_: Annotated[bool, typer.Option("--all", help="核验全部事件的电子档案")] = False,
) -> None:
    """重新计算电子档案的哈希链，列出每一件档案被改动（记录被修改、删除或截断）的事件；有则退出码为 1。"""
    if bool(case_no) == all_:
        typer.echo("错误：请给出一个事件编号，或用 --all 核验全部事件（二者选一）", err=True)
        raise typer.Exit(2)
    uow, _settings = _uow()
    with fail_on_domain_error(), uow as session:
        broken = verify_files(session, case_no)
        checked = 1 if case_no else count_cases(session)
    if not broken:
        typer.echo(f"电子档案完好：共核验 {checked} 件事件，哈希链均一致")
        return
    typer.echo(f"发现 {len(broken)} 件事件的电子档案被改动（共核验 {checked} 件）：")
    for no, problems in broken.items():
        typer.echo(f"  {no}")
        for problem in problems:
            typer.echo(f"    - {problem}")
    raise typer.Exit(1)


types_app = typer.Typer(help="事件类型（大类/小类）：核验城市自己的事件类型文件（GRIDGOV_CASE_TYPES）。",
                        no_args_is_help=True)


@types_app.command("check")
def check_types(
    file: Annotated[str, typer.Argument(help="事件类型文件（CSV，列：code,name,parent,department_kind,matter）")],
    profile: Annotated[str | None, typer.Option(
        "--profile", help="按此政策配置核验；默认 GRIDGOV_PROFILE；all 为全部五个")] = None,
) -> None:
    """核验事件类型文件：逐行检查，列出每一处错误及其行号；有错则退出码为 1，文件不会被部分采用。"""
    # Only the profile's name: checking a file needs no database nor secret key.
    configured = os.environ.get("GRIDGOV_PROFILE") or Settings.model_fields["profile"].default
    names = available_profiles() if profile == "all" else [profile or configured]
    failed = False
    for name in names:
        try:
            found = casetypes.read(file, load_profile(name))
        except ProfileError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(2) from None
        except DomainError as exc:
            failed = True
            typer.echo(f"[{name}] 未通过：", err=True)
            for item in exc.details or [{"line": "-", "error": exc.message}]:
                typer.echo(f"  第 {item['line']} 行：{item['error']}", err=True)
            continue
        classes = sum(1 for t in found.types if t.is_class)
        typer.echo(f"[{name}] 通过：{classes} 个大类、{len(found.types) - classes} 个小类")
    if failed:
        raise typer.Exit(1)
