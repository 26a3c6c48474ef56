"""``gridgov keys``: which key seals each encrypted column, and re-sealing under the current key
(see :mod:`gridgov.fieldkeys`)."""

from __future__ import annotations

from typing import Annotated

import typer

from gridgov.config import get_settings
from gridgov.db import make_engine
from gridgov.fieldkeys import key_counts, rotate
from gridgov.kit.crypto import FieldCipher

app = typer.Typer(help="字段加密密钥：查看各密钥加密的数据量、轮换到当前密钥。", no_args_is_help=True)


@app.command("status")
def status() -> None:
    """列出每个加密字段中由各密钥编号加密的值的数量。"""
    settings = get_settings()
    cipher = FieldCipher.from_settings(settings)
    typer.echo(f"当前加密密钥编号：{cipher.current}；已配置：{', '.join(map(str, cipher.key_ids))}")
    for name, tally in key_counts(make_engine(settings.database_url)).items():
        parts = "，".join(f"密钥 {k}：{n}" for k, n in sorted(tally.items())) or "无数据"
        typer.echo(f"{name}：{parts}")


@app.command("rotate")
def rotate_command(
    batch: Annotated[int, typer.Option("--batch", min=1, max=100_000, help="每批处理的行数（每批一个短事务）")] = 500,
) -> None:
    """把所有加密字段重新加密到当前密钥（分批进行，服务无需停机）。

    先在 GRIDGOV_FIELD_KEYS 中加入新密钥（编号更大，或用 GRIDGOV_FIELD_KEY_CURRENT 指定），重启服务，
    再运行本命令；完成后 `gridgov keys status` 显示旧密钥已无数据，方可移除旧密钥。"""
    settings = get_settings()
    cipher = FieldCipher.from_settings(settings)

    def say(name: str, resealed: int) -> None:
        typer.echo(f"  {name}：已重新加密 {resealed} 个值", err=True)

    done = rotate(make_engine(settings.database_url), cipher, batch=batch, progress=say)
    total = sum(done.values())
    typer.echo(f"轮换完成：共重新加密 {total} 个值，全部由密钥 {cipher.current} 加密。")
