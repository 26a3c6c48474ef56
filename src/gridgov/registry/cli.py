"""``gridgov registry``: the register from the command line (a person's information report)."""

from __future__ import annotations

from typing import Annotated

import typer

from gridgov.authz.scope import SYSTEM
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.cli import fail_on_domain_error
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher

app = typer.Typer(help="基础信息（一标三实）：个人信息报告等。", no_args_is_help=True)


@app.command("report")
def report(id_number: Annotated[str, typer.Argument(help="证件号码（身份证号码末位 x 大小写均可）")]) -> None:
    """出具一个人的个人信息报告（个人信息保护法第四十五条）：平台持有的该人全部信息及其访问记录。

    报告本身会记入该人的访问记录和审计日志（不含证件号码）。"""
    from gridgov.policy.loader import load_profile
    from gridgov.registry.report import build_report

    settings = get_settings()
    cipher = FieldCipher.from_settings(settings)
    with fail_on_domain_error(), unit_of_work(make_sessionmaker(make_engine(settings.database_url))) as session:
        found = build_report(session, SYSTEM, id_number, cipher=cipher, profile=load_profile(settings.profile),
                             now=utc_now())
        typer.echo(found.as_text())
