"""``gridgov users``: create accounts from the command line, as the system itself.

A real instance starts with no accounts and no demo passwords: its first security administrator,
system administrator and auditor are created here (separation of duties: afterwards the security
administrator manages auditors and security administrators, the system administrator the rest).
The same rules as the pages apply (username, password strength, role and scope), except that the
command may give any role; the password is read from a prompt or from standard input, never from
the command line (where it would land in the shell history and the process list).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from gridgov.authz.scope import SYSTEM
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.cli import ask_password, fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.models.accounts import ROLE_LABELS, STAFF_POST_ROLES, Role

app = typer.Typer(help="用户账号：在命令行创建账号（首个安全管理员、系统管理员、审计员）。", no_args_is_help=True)

ROLE_HELP = "角色：" + "，".join(f"{r.value}（{label}）" for r, label in ROLE_LABELS.items())


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="用户名：3–32 位小写字母、数字或下划线，以字母开头")],
    role: Annotated[Role, typer.Option("--role", help=ROLE_HELP, case_sensitive=False, show_choices=False)],
    scope: Annotated[str, typer.Option("--scope", help="辖区：12 位区划代码、15 位网格编码或 17 位微网格编码")],
    name: Annotated[str | None, typer.Option("--name", help="姓名（省略则用角色名）")] = None,
    department: Annotated[str | None, typer.Option("--department", help="所属部门编码（联动部门人员必填）")] = None,
    staff: Annotated[str | None, typer.Option("--staff", help="关联的网格员档案：姓名（须在该辖区有该岗位，"
                                              "先用 gridgov staff import 导入）；岗位账号须关联才能办理业务")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（第一行）")] = False,
    must_change: Annotated[bool, typer.Option("--must-change/--no-must-change",
                                              help="首次登录须修改密码（默认是）")] = True,
) -> None:
    """创建一个账号（以系统身份，可授予任何角色；写入审计日志）。"""
    from gridgov.accounts.schemas import UserCreate
    from gridgov.accounts.service import create_user
    from gridgov.policy.loader import load_profile
    from gridgov.staff.lookup import one_staff_named_at

    settings = get_settings()
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ask_password("密码")
    try:
        data = UserCreate(
            username=username, display_name=(name or ROLE_LABELS[role]).strip(), password=password, role=role,
            scope_code=scope.strip(), department_code=department or None, must_change_password=must_change,
        )
    except ValidationError as exc:
        fields = {"username": "用户名", "display_name": "姓名", "password": "密码", "scope_code": "辖区"}
        wrong = "、".join(dict.fromkeys(fields.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors()))
        typer.echo(f"错误：{wrong}的长度或格式不对", err=True)
        raise typer.Exit(1) from None
    with fail_on_domain_error(), unit_of_work(make_sessionmaker(make_engine(settings.database_url)),
                                              writes=True) as session:
        if staff:
            data.staff_id = one_staff_named_at(session, SYSTEM, staff.strip(), role, data.scope_code)
        user = create_user(session, SYSTEM, data, now=utc_now(), demo=settings.demo,
                           profile=load_profile(settings.profile))
    typer.echo(f"已创建账号 {user.username}（{ROLE_LABELS[role]}，辖区 {user.scope_code}"
               + (f"，关联网格员 {staff.strip()}" if staff else "") + "）"
               + ("，首次登录须修改密码" if must_change else ""))
    if role in STAFF_POST_ROLES and not staff:
        typer.echo(f"注意：该账号未关联网格员档案，关联在岗的档案（--staff 或用户管理页面）之前"
                   f"不能以{ROLE_LABELS[role]}身份办理业务", err=True)
