"""``gridgov analysis``: keeping the figures' fact rows (``case_facts``) in step with the cases."""

from __future__ import annotations

from typing import Annotated

import typer

from gridgov.analysis import appraisal_cli
from gridgov.analysis.monthly_cli import monthly_command
from gridgov.cases.cli import _parse_at, _uow
from gridgov.cases.facts_store import rebuild
from gridgov.cases.rollup import rebuild_cells
from gridgov.kit.cli import fail_on_domain_error

app = typer.Typer(help="分析与考核：事件统计事实的重算。", no_args_is_help=True)
app.command("monthly")(monthly_command)


@app.command("rebuild")
def rebuild_command(
    at: Annotated[str | None, typer.Option("--at", help="按此时间计算超期（ISO 8601，带时区），默认现在")] = None,
) -> None:
    """按事件、时限和电子档案重算全部事件的统计事实（case_facts），分批写入；可重复执行。"""
    now = _parse_at(at)
    uow, _settings = _uow()
    with fail_on_domain_error(), uow as session:
        changed = rebuild(session, now)
        rebuild_cells(session)  # the store's cells recounted from the fact rows (issue 16, store)
    typer.echo(f"事件统计事实已重算：{changed} 件有变化")


app.command("appraise")(appraisal_cli.appraise)
app.command("verify")(appraisal_cli.verify)
