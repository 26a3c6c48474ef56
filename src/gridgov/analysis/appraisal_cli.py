"""``gridgov analysis appraise`` and ``gridgov analysis verify``: store a period's appraisal and check
that the stored scores still match the case files and the registry (tamper-evident appraisal)."""

from __future__ import annotations

from typing import Annotated

import typer

from gridgov.authz.scope import SYSTEM
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher

PeriodArg = Annotated[str, typer.Argument(help="考核期：月（2026-11）、季度（2026-Q4）或年（2026）")]
AreaOpt = Annotated[str | None, typer.Option("--area", help="区划代码（12 位，默认全市）")]


def _context():
    from gridgov.policy.loader import load_profile

    settings = get_settings()
    return settings, load_profile(settings.profile), FieldCipher.from_settings(settings)


def appraise(period: PeriodArg, area: AreaOpt = None) -> None:
    """计算并保存一期考核评价结果（镇街道、联动部门、网格员），附计算过程、输入摘要和整期哈希。"""
    from gridgov.analysis.appraisal_runs import count_scores, store_run

    settings, profile, cipher = _context()
    with fail_on_domain_error(), unit_of_work(make_sessionmaker(make_engine(settings.database_url))) as session:
        run = store_run(session, SYSTEM, period=period, area=area, profile=profile, cipher=cipher, now=utc_now())
        typer.echo(f"已保存考核评价 #{run.id}：{run.period}，区划 {run.area_code}，"
                   f"{count_scores(session, SYSTEM, run.id)} 项得分，哈希 {run.run_hash}")


def verify(period: PeriodArg, area: AreaOpt = None) -> None:
    """按事件档案和基础信息重新计算一期考核，核对保存的得分是否一致（一致退出码 0，不一致 1 并列出差异）。

    先由事件档案重建事件统计行（不保存），再重新计算。"""
    from gridgov.analysis.appraisal_runs import verify_period

    settings, profile, cipher = _context()
    now = utc_now()
    with fail_on_domain_error(), make_sessionmaker(make_engine(settings.database_url))() as session:
        try:
            rebuild_facts(session, now)
            checked, found = verify_period(session, SYSTEM, period=period, area=area, profile=profile,
                                           cipher=cipher, now=now)
        finally:
            session.rollback()
    if not checked:
        typer.echo(f"{period} 没有保存的考核评价结果", err=True)
        raise typer.Exit(1)
    if found:
        typer.echo(f"不一致：核对了 {checked} 次保存的考核评价，发现 {len(found)} 处差异")
        for line in found:
            typer.echo(f"  - {line}")
        raise typer.Exit(1)
    typer.echo(f"一致：核对了 {checked} 次保存的考核评价，得分与事件档案、基础信息重新计算的结果相同")


def rebuild_facts(session, now) -> None:
    """The cases' fact rows rebuilt from the cases and their files, then the store's cells recounted
    from those rows (a row altered behind the store's back would otherwise leave the cells off by its
    difference); not committed by ``verify``."""
    from gridgov.cases.facts_store import rebuild
    from gridgov.cases.rollup import rebuild_cells

    rebuild(session, now)
    rebuild_cells(session)
