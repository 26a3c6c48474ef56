"""``gridgov analysis monthly --area CODE --month YYYY-MM``: generate a new version of an area's
monthly analysis report as the system and write its PDF (joined to core's ``analysis`` group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridgov.kit.cli import fail_on_domain_error


def monthly_command(
    area: Annotated[str, typer.Option("--area", help="区划代码（12 位），如县（市、区）的代码")],
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM，如 2026-11")],
    out: Annotated[Path | None, typer.Option("--out", help="PDF 写到此文件（默认 月度分析报告-区划-月份-v版本.pdf）")]
    = None,
) -> None:
    """以系统身份生成该区域该月的分析报告（新版本，旧版本保留），并写出 PDF。"""
    from gridgov.analysis.monthly_reports import generate
    from gridgov.authz.scope import SYSTEM
    from gridgov.cases.cli import _uow
    from gridgov.kit.clock import utc_now
    from gridgov.kit.crypto import FieldCipher
    from gridgov.policy.loader import load_profile

    uow, settings = _uow()
    with fail_on_domain_error(), uow as session:
        report = generate(session, SYSTEM, area, month, utc_now(), profile=load_profile(settings.profile),
                          cipher=FieldCipher(settings.secret_key))
        pdf, version, digest = report.pdf, report.version, report.sha256
    path = out or Path(f"月度分析报告-{area}-{month}-v{version}.pdf")
    path.write_bytes(pdf)
    typer.echo(f"已生成 {area} {month} 月度分析报告第 {version} 版：{path}（SHA-256 {digest}）")
