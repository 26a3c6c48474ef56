"""``gridgov analysis rebuild`` rewrites every case's fact row from the cases, their clocks and files."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from gridgov.cli import app as gridgov_cli
from gridgov.db import make_engine
from gridgov.models import Case
from gridgov.models.analysis import CaseFact

from ..cases.test_case_sweep import T0, act, demo_copy_factory, open_case


def _three_cases(session) -> list[str]:
    nos = []
    for i in range(3):
        case = open_case(session, T0, title=f"路灯损坏第{i + 1}处")
        act(session, "worker", case.case_no, "escalate", T0)
        nos.append(case.case_no)
    return nos


@pytest.fixture(scope="module")
def made(db_factory, template_url):
    return demo_copy_factory(db_factory, template_url, _three_cases)


def test_rebuild_restores_missing_and_tampered_rows(made, cli_env):
    copy, nos = made
    url = copy()
    engine = make_engine(url)
    cli_env(url)
    try:
        with engine.begin() as conn:
            ids = list(conn.execute(select(Case.id).where(Case.case_no.in_(nos)).order_by(Case.id)).scalars())
            assert len(list(conn.execute(select(CaseFact.case_id).where(CaseFact.case_id.in_(ids))))) == 3
            conn.execute(delete(CaseFact).where(CaseFact.case_id == ids[0]))
            conn.execute(update(CaseFact).where(CaseFact.case_id == ids[1]).values(closed=1, reported=0))
        result = CliRunner().invoke(gridgov_cli, ["analysis", "rebuild", "--at", "2026-11-23T09:30:00+08:00"])
        assert result.exit_code == 0, result.output
        assert "2 件有变化" in result.output
        with engine.connect() as conn:
            rows = {r.case_id: r for r in conn.execute(select(CaseFact).where(CaseFact.case_id.in_(ids)))}
        assert set(rows) == set(ids)
        assert all(r.reported == 1 and r.closed == 0 for r in rows.values())
        assert CliRunner().invoke(gridgov_cli, ["analysis", "rebuild", "--at", "2026-11-23T09:30:00+08:00"]
                                  ).output.count("0 件有变化") == 1
    finally:
        engine.dispose()
