"""``gridgov clients``: the other systems allowed to call the API (the 12345 hotline, departments'
systems, Open311 apps), each with a key of its own."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.interop import clients
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.models.interop import CLIENT_KIND_LABELS, CLIENT_KINDS

app = typer.Typer(help="接口客户端：12345 热线、部门业务系统和 Open311 应用的接入密钥。", no_args_is_help=True)

_KINDS = "、".join(f"{k}（{CLIENT_KIND_LABELS[k]}）" for k in CLIENT_KINDS)


def _uow():
    return unit_of_work(make_sessionmaker(make_engine(get_settings().database_url)), writes=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="客户端名称（唯一），如 12345-热线")],
    kind: Annotated[str, typer.Option("--kind", help=f"类型：{_KINDS}")],
    area: Annotated[str, typer.Option("--area", help="客户端所属区域编码（它能转办和查看的范围）")],
    department: Annotated[str | None, typer.Option("--department", help="部门系统所属联动部门的编码")] = None,
) -> None:
    """创建接口客户端，输出一行 JSON：{"client_id": …, "api_key": …}。密钥只显示这一次，库中只存其摘要；
    客户端以 Authorization: Bearer <api_key> 调用接口，每次调用记入审计日志。"""
    with fail_on_domain_error(), _uow() as session:
        client, key = clients.create_client(session, name=name, kind=kind, area_code=area,
                                            department_code=department, now=utc_now())
        client_id = client.id
    typer.echo(json.dumps({"client_id": client_id, "api_key": key}))


@app.command("revoke")
def revoke(name_or_id: Annotated[str, typer.Argument(help="客户端名称或编号")]) -> None:
    """吊销客户端的密钥（立即失效，不可恢复；需要时重新创建一个客户端）。"""
    with fail_on_domain_error(), _uow() as session:
        client = clients.revoke_client(session, name_or_id, now=utc_now())
        name = client.name
    typer.echo(f"已吊销接口客户端 {name}")


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="每个客户端输出一行 JSON")] = False,
) -> None:
    """列出接口客户端：类型、区域、部门、创建和吊销时间、最近一次调用（不显示密钥）。"""
    with _uow() as session:
        rows = clients.list_clients(session)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        typer.echo("尚无接口客户端")
    for row in rows:
        state = f"已吊销 {row['revoked_at']}" if row["revoked_at"] else "有效"
        typer.echo(f"{row['client_id']}\t{row['name']}\t{row['kind_label']}\t{row['area']}\t"
                   f"{row['department'] or '-'}\t{state}\t最近调用 {row['last_used_at'] or '从未'}")
