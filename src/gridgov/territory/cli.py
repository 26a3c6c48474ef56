"""``gridgov grids``: import, export, coverage check and point lookup."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from gridgov.authz.scope import SYSTEM
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Invalid
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.territory import adjustments, coverage, history, service, transfer

app = typer.Typer(help="网格：导入、导出、无缝覆盖检查与坐标定位。", no_args_is_help=True)
adjustments_app = typer.Typer(help="网格调整。", no_args_is_help=True)
app.add_typer(adjustments_app, name="adjustments")


def _session():
    settings = get_settings()
    return unit_of_work(make_sessionmaker(make_engine(settings.database_url))), settings


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection 文件", exists=True,
                                                 dir_okay=False)]) -> None:
    """导入区域、网格与微网格。每个错误要素都会列出序号与原因；有任何错误则不写入。"""
    from gridgov.policy.loader import load_profile

    uow, settings = _session()
    with fail_on_domain_error():
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Invalid(f"{file} 不是有效的 JSON：{exc}") from exc
        with uow as session:
            result = transfer.import_feature_collection(
                session, SYSTEM, data, profile=load_profile(settings.profile), now=utc_now()
            )
    typer.echo(
        f"导入完成：区域 新增 {result.areas_created} / 更新 {result.areas_updated}；"
        f"网格 新增 {result.grids_created} / 更新 {result.grids_updated}；"
        f"微网格 新增 {result.micro_grids_created} / 更新 {result.micro_grids_updated}"
    )


@app.command("export")
def export(
    area_code: Annotated[str | None, typer.Argument(help="区划代码（12 位），省略则导出全部")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件，默认标准输出")] = None,
) -> None:
    """导出为 GeoJSON FeatureCollection（与导入格式相同）。"""
    uow, _settings = _session()
    with fail_on_domain_error(), uow as session:
        data = transfer.export_feature_collection(session, SYSTEM, area_code)
    text = json.dumps(data, ensure_ascii=False)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"已导出 {len(data['features'])} 个要素到 {output}", err=True)
    else:
        sys.stdout.write(text + "\n")


@app.command("check")
def check(
    area_code: Annotated[str, typer.Argument(help="区划代码（12 位）")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """无缝覆盖检查：网格重叠、区域内空白、越界与户数规模。发现重叠、空白或越界时退出码为 1。"""
    from gridgov.policy.loader import load_profile

    uow, settings = _session()
    with fail_on_domain_error(), uow as session:
        report = coverage.check_coverage(session, SYSTEM, area_code, profile=load_profile(settings.profile))
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        typer.echo(f"{report.area_name}（{report.area_code}）：检查 {report.grids_checked} 个网格")
        if not report.has_boundary:
            typer.echo("  该区域没有边界，只检查网格间重叠")
        for label, issues in (("重叠", report.overlaps), ("空白", report.gaps), ("越界", report.outside)):
            typer.echo(f"  {label}：{len(issues)} 处")
            for issue in issues:
                typer.echo(f"    {issue.area_m2:.1f} m²  {'、'.join(issue.grids)}")
        typer.echo(f"  户数规模提示：{len(report.household_warnings)} 个网格")
        for warning in report.household_warnings:
            typer.echo(f"    {warning.grid_code} {warning.message}")
        if report.micro_grid_findings:
            typer.echo(f"  未划分微网格的综合网格：{len(report.micro_grid_findings)} 个")
    if not report.ok:
        raise typer.Exit(1)


@app.command("locate")
def locate(
    lon: Annotated[float, typer.Argument(help="经度")],
    lat: Annotated[float, typer.Argument(help="纬度")],
    crs: Annotated[str, typer.Option("--crs", help="坐标系：wgs84、gcj02 或 bd09")] = "wgs84",
    on: Annotated[str | None, typer.Option("--date", help="查询该日期（YYYY-MM-DD）时所在的网格，省略为当前")] = None,
) -> None:
    """查找坐标所在的网格（可按日期查历史边界）。"""
    uow, _settings = _session()
    with fail_on_domain_error():
        day = history.parse_day(on, "日期 --date")
        with uow as session:
            result = service.locate(session, SYSTEM, lon, lat, crs, on=day)
    if not result.found:
        typer.echo(result.message)
        raise typer.Exit(1)
    chain = " / ".join(a.name for a in result.area_chain)
    typer.echo(f"{result.grid_code} {result.grid_name}（{chain}）")


@adjustments_app.command("apply-due")
def apply_due() -> None:
    """使已批准（须备案的已备案）且到生效日期的网格调整生效；可重复执行，不会重复生效。"""
    uow, _settings = _session()
    with fail_on_domain_error(), uow as session:
        applied = adjustments.apply_due_adjustments(session, utc_now())
    typer.echo(f"生效 {len(applied)} 项网格调整" + (f"：{'、'.join(str(i) for i in applied)}" if applied else ""))
