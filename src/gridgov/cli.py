"""The ``gridgov`` command. Each domain adds its own sub-commands."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from pydantic import ValidationError

from gridgov import __version__
from gridgov.accounts.cli import app as users_app
from gridgov.analysis.cli import app as analysis_app
from gridgov.backup_cli import backup, restore
from gridgov.calendar_cli import app as calendar_app
from gridgov.cases.cli import app as cases_app
from gridgov.cases.cli import types_app as case_types_app
from gridgov.dbcli import app as db_app
from gridgov.dbcli import demo, run_jobs, serve
from gridgov.firstday_cli import app as setup_app
from gridgov.interop.cli import app as clients_app
from gridgov.keys_cli import app as keys_app
from gridgov.policy_cli import app as profile_app
from gridgov.registry.cli import app as registry_app
from gridgov.staff.cli import app as staff_app
from gridgov.territory.cli import app as grids_app


class _Gridgov(typer.Typer):
    """The root command: a deployment's settings that do not validate (a missing GRIDGOV_SECRET_KEY, an
    unknown profile…) end the command with their Chinese sentences and status 1, not a traceback."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            if exc.title != "Settings":
                raise
            reasons = "；".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            print(f"配置有误：{reasons}", file=sys.stderr)
            sys.exit(1)


app = _Gridgov(
    help="gridgov 城乡网格化社会治理平台：数据库、演示城市、网格、网格员、事项、用户账号、政策配置、"
         "工作日历、定时任务，以及生产部署（多进程服务、首日开通、备份与恢复）。",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.add_typer(grids_app, name="grids")
app.add_typer(profile_app, name="profile")
app.add_typer(calendar_app, name="calendar")
app.add_typer(staff_app, name="staff")
app.add_typer(cases_app, name="cases")
app.add_typer(case_types_app, name="case-types")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(registry_app, name="registry")
app.add_typer(analysis_app, name="analysis")
app.add_typer(clients_app, name="clients")
app.add_typer(setup_app, name="setup")
app.command("demo")(demo)
app.command("serve")(serve)
app.command("jobs")(run_jobs)
app.command("backup")(backup)
app.command("restore")(restore)


@app.command("guide")
def guide(
    out: Path = typer.Option(Path("docs/guide"), "--out", help="写入的目录（默认 docs/guide）"),
    check: bool = typer.Option(False, "--check", help="只检查是否与软件包中的指南一致，不写入；不一致时以状态 1 退出"),
) -> None:
    """把软件包中的使用指南（gridgov/web/guide：各角色的页面和截图）复制到 docs/guide。"""
    from gridgov.web.guide import export

    changed, extra = export(out, check=check)
    for rel in changed:
        typer.echo(f"{'✗ 已过期' if check else '已写入'} {out / rel}", err=check)
    for rel in extra:
        typer.echo(f"{'✗ 多余' if check else '已删除'} {out / rel}", err=check)
    if check and (changed or extra):
        typer.echo("请运行 gridgov guide 重新生成 docs/guide", err=True)
        raise typer.Exit(code=1)
    if not changed and not extra:
        typer.echo(f"✓ {out} 已是最新")


@app.command("version")
def version() -> None:
    """打印版本号。"""
    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
