"""``gridgov setup``: walks a new city through its first day (not demo mode); see :mod:`gridgov.firstday`.

Interactive by default (Chinese prompts); ``--yes`` asks nothing and fails on what is missing, for
scripts. Passwords come from hidden prompts or, with ``--password-stdin``, one line each from standard
input in the order security administrator, system administrator, auditor (only for the accounts still
to create), never from the command line. Running it again changes nothing and says so.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from gridgov.authz.scope import SYSTEM
from gridgov.config import Settings, get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Invalid
from gridgov.kit.cli import ask_password, fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.migrate import upgrade as run_upgrade
from gridgov.models.accounts import ROLE_LABELS, Role

app = typer.Typer(help="首日开通：政策配置、迁移、区划、联动部门、初始事项清单、首批管理员与检查。")

DEFAULT_USERNAMES = {Role.SECURITY_ADMIN: "secadmin", Role.SYSADMIN: "sysadmin", Role.AUDITOR: "auditor"}


def _settings(profile: str | None) -> Settings:
    configured = os.environ.get("GRIDGOV_PROFILE")
    if profile and configured and configured != profile:
        typer.echo(f"错误：--profile {profile} 与 GRIDGOV_PROFILE={configured} 不一致：服务按 GRIDGOV_PROFILE 运行，"
                   "请先统一", err=True)
        raise typer.Exit(1)
    try:
        settings = Settings(**({"profile": profile} if profile else {}))
    except ValidationError as exc:
        typer.echo("配置有误：" + "；".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()),
                   err=True)
        raise typer.Exit(1) from None
    if settings.demo:
        typer.echo("错误：GRIDGOV_DEMO 已打开：首日开通用于正式部署；演示请用 gridgov demo", err=True)
        raise typer.Exit(1)
    return settings


def _uow(settings: Settings):
    return unit_of_work(make_sessionmaker(make_engine(settings.database_url)), writes=True)


@app.callback(invoke_without_command=True)
def setup(
    ctx: typer.Context,
    profile: Annotated[str | None, typer.Option("--profile", help="政策配置（默认取 GRIDGOV_PROFILE）")] = None,
    territory: Annotated[Path | None, typer.Option(
        "--territory", help="本市区划网格文件（GeoJSON，格式同 gridgov grids import）；数据库已有区域时不再导入",
        dir_okay=False)] = None,
    departments: Annotated[Path | None, typer.Option(
        "--departments", help="改好名称的联动部门文件（CSV，由 gridgov setup departments-template 生成）；"
        "省略则用默认名称", dir_okay=False)] = None,
    security_admin: Annotated[str | None, typer.Option("--security-admin", help="安全管理员用户名")] = None,
    sysadmin: Annotated[str | None, typer.Option("--sysadmin", help="系统管理员用户名")] = None,
    auditor: Annotated[str | None, typer.Option("--auditor", help="审计员用户名")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入逐行读取待建管理员的密码"
                                                 "（安全管理员、系统管理员、审计员的顺序）")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不提问（脚本用）：缺少的必填项直接报错")] = False,
) -> None:
    """首日开通（非演示模式）：可重复运行，已完成的步骤不再改动。"""
    if ctx.invoked_subcommand is not None:
        return
    from gridgov import firstday
    from gridgov.policy.loader import load_profile
    from gridgov.policy_cli import summary_lines

    settings = _settings(profile)
    policy = load_profile(settings.profile)
    typer.echo(f"1. 政策配置：{summary_lines(policy)[0]}；{summary_lines(policy)[1]}")
    if profile and not os.environ.get("GRIDGOV_PROFILE"):
        typer.echo(f"   请在服务的环境中同样设置 GRIDGOV_PROFILE={settings.profile}")
    if not yes and not typer.confirm("   按此政策配置开通？", default=True):
        raise typer.Exit(1)
    engine = make_engine(settings.database_url)
    run_upgrade(engine)
    engine.dispose()
    typer.echo("2. 数据库：已迁移到最新版本")
    changes = 0
    with fail_on_domain_error():
        with _uow(settings) as session:
            has_areas = firstday.city(session) is not None
        if not has_areas and territory is None:
            if yes:
                raise Invalid("数据库中还没有区域：请用 --territory 给出本市的区划网格文件")
            territory = Path(typer.prompt("   本市区划网格文件（GeoJSON）路径"))
        data = None if has_areas else _read_json(territory)
        with _uow(settings) as session:
            line = firstday.import_territory(session, data, profile=policy, now=utc_now())
            top = firstday.city(session)
            if top is None:
                raise Invalid("区划文件中没有区域")
            city_code = top.code
        changes += not has_areas
        typer.echo(f"3. {line}")
        if departments is None and not yes:
            answer = typer.prompt("   改好名称的联动部门文件（CSV；直接回车则用默认名称）", default="",
                                  show_default=False)
            departments = Path(answer) if answer.strip() else None
        with _uow(settings) as session:
            rows = firstday.department_rows(session, policy, city_code)
            names = {} if departments is None else firstday.read_department_names(_read_text(departments), rows)
            line = firstday.seed_city_departments(session, policy, city_code, names, now=utc_now())
        changes += "未更改" not in line
        hint = "" if departments else "（名称可用 gridgov setup departments-template 导出、修改后再运行）"
        typer.echo(f"4. {line}{hint}")
        with _uow(settings) as session:
            line = firstday.seed_lists(session, policy, city_code, now=utc_now())
        changes += "沿用" not in line
        typer.echo(f"5. {line}")
        changes += _admins(settings, policy, city_code, {Role.SECURITY_ADMIN: security_admin, Role.SYSADMIN: sysadmin,
                                                        Role.AUDITOR: auditor}, password_stdin=password_stdin, yes=yes)
        with _uow(settings) as session:
            result = firstday.check(session)
    _report(result, changes)


def _admins(settings: Settings, policy, city_code: str, usernames: dict[Role, str | None], *, password_stdin: bool,
            yes: bool) -> int:
    from gridgov import firstday
    from gridgov.accounts.schemas import UserCreate
    from gridgov.accounts.service import create_user

    with _uow(settings) as session:
        present = firstday.admins_present(session)
    created = 0
    for role in firstday.ADMIN_ROLES:
        label = ROLE_LABELS[role]
        if present.get(role):
            typer.echo(f"6. {label}：已有 {present[role]} 个账号，未新建")
            continue
        username = usernames[role] or (DEFAULT_USERNAMES[role] if yes else
                                       typer.prompt(f"   {label}的用户名", default=DEFAULT_USERNAMES[role]))
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise Invalid(f"标准输入中缺少{label}的密码（每个待建管理员一行）")
        elif yes:
            raise Invalid(f"需要{label}的密码：不提问时请用 --password-stdin")
        else:
            password = ask_password(f"   {label} {username} 的密码")
        try:
            data = UserCreate(username=username, display_name=label, password=password, role=role, scope_code=city_code,
                              must_change_password=True)
        except ValidationError:
            raise Invalid(f"{label}的用户名或密码长度不对") from None
        with _uow(settings) as session:
            user = create_user(session, SYSTEM, data, now=utc_now(), demo=False, profile=policy)
            typer.echo(f"6. {label}：已创建 {user.username}（辖区 {city_code}，首次登录须修改密码）")
        created += 1
    return created


def _report(result, changes: int) -> None:
    admins = "、".join(f"{ROLE_LABELS[Role(role)]} {n}" for role, n in sorted(result.admins.items())) or "无"
    typer.echo(f"7. 检查：{result.city_name}（{result.city_code}）区域 {result.areas} 个，网格 {result.grids} 个，"
               f"联动部门 {result.departments} 个，用户 {result.users} 个（{admins}），"
               f"事项清单 {result.lists_published}/{result.lists} 份已公布，市级清单第 {result.city_version} 版")
    if result.problems:
        for problem in result.problems:
            typer.echo(f"✗ {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("✓ 首日开通完成" if changes else "✓ 已全部就绪：本次没有做任何更改")
    typer.echo("  下一步：导入网格员（gridgov staff import），为网格员、调度员建账号（gridgov users create），启动服务")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"无法读取 {path}：{exc}") from exc


def _read_json(path: Path | None):
    try:
        return json.loads(_read_text(path)) if path else None
    except json.JSONDecodeError as exc:
        raise Invalid(f"{path} 不是有效的 JSON：{exc}") from exc


@app.command("departments-template")
def departments_template(file: Annotated[Path, typer.Argument(help="写入的 CSV 文件", dir_okay=False)]) -> None:
    """按政策配置列出本市、各县（市、区）、各镇（街道）的联动部门，写入 CSV 供修改“部门名称”一列。"""
    from gridgov import firstday
    from gridgov.policy.loader import load_profile

    settings = get_settings()
    with fail_on_domain_error(), _uow(settings) as session:
        top = firstday.city(session)
        if top is None:
            raise Invalid("数据库中还没有区域：请先导入区划（gridgov grids import 文件）")
        rows = firstday.department_rows(session, load_profile(settings.profile), top.code)
    file.write_text(firstday.department_csv(rows), encoding="utf-8")
    typer.echo(f"已写入 {len(rows)} 个联动部门到 {file}：修改“部门名称”一列后"
               f"用 gridgov setup --departments {file} 载入")
