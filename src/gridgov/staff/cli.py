"""``gridgov staff``: import and export staff sheets, list staffing gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridgov.authz.scope import SYSTEM
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher

app = typer.Typer(help="网格员：从 Excel 导入、导出名单、列出配备缺口。", no_args_is_help=True)


def _context():
    from gridgov.policy.loader import load_profile

    settings = get_settings()
    uow = unit_of_work(make_sessionmaker(make_engine(settings.database_url)))
    return uow, load_profile(settings.profile), FieldCipher.from_settings(settings)


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="Excel（.xlsx）或 CSV 文件", exists=True,
                                                 dir_okay=False)]) -> None:
    """导入网格员。每个错误行都会列出行号、列与原因；有任何错误则不写入。"""
    from gridgov.staff.importing import import_staff

    uow, profile, cipher = _context()
    with fail_on_domain_error(), uow as session:
        result = import_staff(session, SYSTEM, file.read_bytes(), filename=file.name, profile=profile, cipher=cipher,
                              now=utc_now())
    typer.echo(f"导入完成：档案 {result.staff_created} 人，岗位 {result.posts_created} 个"
               f"（已生效 {result.posts_activated} 个），培训记录 {result.trainings_recorded} 条")


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
    area: Annotated[str | None, typer.Option("--area", help="区划代码（12 位），省略则导出全部")] = None,
    full: Annotated[bool, typer.Option("--full", help="含完整身份证号与手机号（可再导入；记入审计日志）")] = False,
) -> None:
    """导出网格员名单（默认脱敏；--full 导出完整信息，可再导入）。"""
    from gridgov.staff.importing import export_workbook

    uow, _profile, cipher = _context()
    with fail_on_domain_error(), uow as session:
        content = export_workbook(session, SYSTEM, area=area, cipher=cipher, full=full, now=utc_now())
    file.write_bytes(content)
    typer.echo(f"已导出到 {file}", err=True)


@app.command("gaps")
def gaps(
    area: Annotated[str | None, typer.Option("--area", help="区划代码（12 位），省略则为全部")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="以 CSV 输出")] = False,
) -> None:
    """按本地政策列出配备缺口：缺网格长、缺专职网格员、专业网格员超员、微网格缺联络员。"""
    from gridgov.staff.posts import gaps_csv, staffing_gaps
    from gridgov.territory.service import top_area_code

    uow, profile, _cipher = _context()
    with fail_on_domain_error(), uow as session:
        code = area or top_area_code(session)
        if code is None:
            typer.echo("数据库中没有区域", err=True)
            raise typer.Exit(1)
        report = staffing_gaps(session, SYSTEM, code, profile=profile)
    if as_csv:
        typer.echo(gaps_csv(report).lstrip("\ufeff"), nl=False)
        return
    typer.echo(f"{report.area_name}（{report.area_code}）：检查 {report.grids_checked} 个网格，缺口 "
               f"{len(report.gaps)} 处")
    for g in report.gaps:
        typer.echo(f"  {g.micro_grid_code or g.grid_code}  {g.grid_name}  {g.label}（{g.severity_label}）：{g.detail}")
