"""``gridgov cases verify-log`` recomputes every chain and names each case whose file was altered: an
entry changed, an entry removed, or the tail cut off."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from gridgov.cases.cli import app as cases_cli
from gridgov.db import make_engine
from gridgov.models import Case

from .test_case_sweep import T0, act, demo_copy_factory, open_case


def _four_cases(session) -> list[str]:
    nos = []
    for i in range(4):
        case = open_case(session, T0, title=f"路灯损坏第{i + 1}处")
        act(session, "worker", case.case_no, "escalate", T0)
        act(session, "town_dispatcher", case.case_no, "accept", T0)
        act(session, "town_dispatcher", case.case_no, "comment", T0, note="已联系供电所")
        nos.append(case.case_no)
    return nos


@pytest.fixture(scope="module")
def filed(db_factory, template_url):
    return demo_copy_factory(db_factory, template_url, _four_cases)


@pytest.fixture
def files(filed, cli_env):
    """Four committed cases with files of four entries each; the CLI points at their database."""
    copy, nos = filed
    url = copy()
    engine = make_engine(url)
    cli_env(url)
    yield engine, nos
    engine.dispose()


def _tamper(engine, *statements: str) -> None:
    """Runs raw statements on case_log with its append-only trigger out of the way (as someone with
    database access could), in one transaction."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE case_log DISABLE TRIGGER case_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS case_log_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS case_log_no_delete"))
        for stmt in statements:
            conn.execute(text(stmt))
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE case_log ENABLE TRIGGER case_log_append_only"))


def _case_id(engine, no: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Case.id).where(Case.case_no == no)).scalar_one()


def _run(*args: str):
    return CliRunner().invoke(cases_cli, ["verify-log", *args])


def test_intact_files_pass(files):
    _engine, nos = files
    result = _run("--all")
    assert result.exit_code == 0, result.output
    assert "电子档案完好" in result.output and "共核验 4 件" in result.output
    assert _run(nos[0]).exit_code == 0


@pytest.mark.req("D8")
def test_the_database_itself_refuses_to_change_the_file(files):
    engine, nos = files
    with pytest.raises(DBAPIError, match="只能追加"), engine.begin() as conn:
        conn.execute(text(f"UPDATE case_log SET note = 'x' WHERE case_id = {_case_id(engine, nos[0])}"))


@pytest.mark.req("D8")
def test_an_altered_a_removed_and_a_cut_off_entry_are_each_caught_and_the_case_named(files):
    engine, (altered, removed, cut, intact) = files
    _tamper(
        engine,
        f"UPDATE case_log SET note = '未发现问题' WHERE case_id = {_case_id(engine, altered)} AND seq = 2",
        f"DELETE FROM case_log WHERE case_id = {_case_id(engine, removed)} AND seq = 2",
        f"DELETE FROM case_log WHERE case_id = {_case_id(engine, cut)} AND seq = 4",
    )
    result = _run("--all")
    assert result.exit_code == 1, result.output
    assert "发现 3 件事件的电子档案被改动" in result.output
    for no in (altered, removed, cut):
        assert no in result.output
    assert intact not in result.output
    assert "记录被改动" in result.output  # the altered note
    assert "被删除" in result.output  # the gap and the cut-off tail

    one = _run(cut)
    assert one.exit_code == 1 and cut in one.output and "末尾" in one.output
    assert _run(intact).exit_code == 0


def test_a_changed_hash_chain_rewritten_by_hand_is_still_caught_by_the_recorded_head(files):
    """Rewriting an entry *and* its own hash still breaks the link to the next entry; rewriting the
    last entry with a fresh hash leaves the head the case recorded unmatched."""
    engine, (first, *_rest) = files
    case_id = _case_id(engine, first)
    _tamper(engine, f"UPDATE case_log SET hash = '{'f' * 64}' WHERE case_id = {case_id} AND seq = 4")
    result = _run(first)
    assert result.exit_code == 1 and first in result.output


def test_bad_invocations_say_so_in_chinese(files):
    assert _run().exit_code == 2
    both = _run("321100000000-20990101-00001", "--all")
    assert both.exit_code == 2 and "二者选一" in both.output
    missing = _run("321100000000-20990101-00001")
    assert missing.exit_code == 1 and "不存在" in missing.output
