"""``gridgov backup DIR`` and ``gridgov restore DIR`` (see :mod:`gridgov.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from gridgov.backup import BackupError
from gridgov.backup import backup as run_backup
from gridgov.backup import restore as run_restore
from gridgov.config import get_settings


def _settings():
    try:
        return get_settings()
    except ValidationError as exc:
        typer.echo(f"配置有误：{exc}", err=True)
        raise typer.Exit(1) from exc


def _failed(what: str, exc: Exception) -> typer.Exit:
    reason = exc if isinstance(exc, BackupError) else f"无法连接数据库（GRIDGOV_DATABASE_URL）：{exc.orig}"
    typer.echo(f"{what}失败：{reason}", err=True)
    return typer.Exit(1)


def _say(line: str) -> None:
    typer.echo(line, err=line.startswith("警告"))


def backup(
    directory: Annotated[Path, typer.Argument(help="备份目录（新目录或空目录）")],
    with_keys: Annotated[bool, typer.Option("--with-keys", help="同时把密钥写入备份目录中的 keys.env（权限 0600）；"
                                            "默认不写：密钥应与备份分开保管")] = False,
) -> None:
    """备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）、媒体文件和备份清单。

    清单含各文件的 sha256 与所用的密钥编号，不含密钥。

    服务运行中即可备份：数据库副本是同一时刻的一致快照。"""
    try:
        run_backup(_settings(), directory, with_keys=with_keys, say=_say)
    except (BackupError, OperationalError) as exc:
        raise _failed("备份", exc) from exc


def restore(
    directory: Annotated[Path, typer.Argument(help="gridgov backup 写出的备份目录")],
    ignore_keys: Annotated[bool, typer.Option("--ignore-keys", help="备份所用的密钥未配置或不一致时仍然恢复"
                                              "（用缺失的密钥加密的个人信息将无法解密）")] = False,
    upgrade: Annotated[bool, typer.Option("--upgrade", help="备份的迁移版本较旧时，恢复后直接运行迁移")] = False,
) -> None:
    """把备份恢复到 GRIDGOV_DATABASE_URL 指向的空数据库和媒体目录。

    先核对每个文件的 sha256、数据库类型、迁移版本和密钥，任何一项不符即拒绝，不做任何改动；
    目标数据库必须是空的。"""
    try:
        run_restore(_settings(), directory, ignore_keys=ignore_keys, upgrade=upgrade, say=_say)
    except (BackupError, OperationalError) as exc:
        raise _failed("恢复", exc) from exc
