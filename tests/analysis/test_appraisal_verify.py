"""Tamper-evident appraisal on real cases (G1): the core's scenario (tests/analysis/scenario.py) is taken
through the case services, November's scores are computed from the facts those services keep and
checked against the scenario's hand-written fact rows; then ``gridgov analysis appraise`` stores the
period and ``gridgov analysis verify`` recomputes it from the case files (the fact rows rebuilt first):
a match, still a match after the fact table itself is falsified (the files win), a mismatch naming the
unit after a stored score is edited in SQL or after a case changes behind the stored scores."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from gridgov.analysis import appraisal
from gridgov.authz.scope import SYSTEM
from gridgov.cases import facts_store
from gridgov.cases.categories import category_choices
from gridgov.cli import app as cli
from gridgov.kit.clock import utc_now

from .appraisal_fixtures import with_test_weights
from .scenario import EXPECTED, FROM, Desk, a_type, at, build

runner = CliRunner()
CG_LETTERS = "ABCDH"  # the November cases dept_cg leads in the scenario (E was reported in September)


def _built(session, media):
    desk = Desk(session, media)
    other = next(c["code"] for c in category_choices(session, desk.places.grid, FROM, desk.profile)
                 if c["code"] != "zj12_02")
    return desk, build(desk, other, a_type(desk.profile))


def _hand_department_score() -> float:
    """The test weights: handled on time × 60 + satisfied / evaluated × 40, from the hand rows."""
    rows = [EXPECTED[x] for x in CG_LETTERS]
    handled, on_time = sum(r["handled"] for r in rows), sum(r["handled_on_time"] for r in rows)
    evaluated, satisfied = sum(r["evaluated"] for r in rows), sum(r["satisfied"] for r in rows)
    return round(60 * on_time / handled + 40 * satisfied / evaluated, 2)


@pytest.mark.req("G1")
def test_scores_from_real_cases_equal_the_hand_rows_and_each_link_lists_what_it_counts(db, tmp_path, client):
    desk, _ = _built(db, tmp_path / "media")
    profile = with_test_weights(desk.profile)
    found = appraisal.live(db, SYSTEM, period="2026-11", level="department", area="321100000000", profile=profile,
                           cipher=desk.cipher, now=at(11, 30, 12))
    scores = {r["key"]: r["score"] for r in found["items"]}
    assert scores[desk.dept("dept_cg")] == _hand_department_score() == 90.0
    for level in ("town", "department", "worker"):
        rows = appraisal.live(db, SYSTEM, period="2026-11", level=level, area="321100000000", profile=profile,
                              cipher=desk.cipher, now=at(11, 30, 12))["items"]
        for row in rows:
            for part in row["components"]:
                for url, value in ((part["cases_url"], part["denominator_value"]),
                                   (part["numerator_url"], part["numerator_value"])):
                    if url is None:
                        continue
                    listed = client.get(f"{url}&page_size=200")
                    assert listed.status_code == 200, listed.text
                    assert listed.json()["total"] == value, (level, row["key"], part["code"], url)


@pytest.mark.req("G1")
def test_verify_says_match_then_catches_tampering_and_a_changed_case(committed, cli_env, tmp_path):
    app, factory = committed
    with factory() as session:
        desk, numbers = _built(session, tmp_path / "media")
        facts_store.rebuild(session, utc_now())
        session.commit()
    cli_env(str(app.state.engine.url))

    stored = runner.invoke(cli, ["analysis", "appraise", "2026-11"])
    assert stored.exit_code == 0, stored.output
    assert "已保存考核评价" in stored.output
    ok = runner.invoke(cli, ["analysis", "verify", "2026-11"])
    assert ok.exit_code == 0 and "一致" in ok.output, ok.output

    with factory.begin() as session:  # the fact table falsified: verify rebuilds it from the files
        session.execute(text("UPDATE case_facts SET satisfied = 0, handled_on_time = 0"))
    ok = runner.invoke(cli, ["analysis", "verify", "2026-11"])
    assert ok.exit_code == 0, ok.output

    with factory.begin() as session:  # a stored score edited
        session.execute(text("UPDATE appraisal_scores SET score = score + 100 WHERE level = 'department' "
                             "AND score IS NOT NULL"))
    bad = runner.invoke(cli, ["analysis", "verify", "2026-11"])
    assert bad.exit_code == 1 and "哈希不符" in bad.output and "联动部门" in bad.output, bad.output
    with factory.begin() as session:
        session.execute(text("UPDATE appraisal_scores SET score = score - 100 WHERE level = 'department' "
                             "AND score IS NOT NULL"))
    assert runner.invoke(cli, ["analysis", "verify", "2026-11"]).exit_code == 0

    with factory() as session:  # a case changed behind the scores: D handled again and closed satisfied
        desk = Desk(session, tmp_path / "media")
        desk.act("dept_cg", numbers["D"], "handle", now=at(11, 6, 10), result="已处理完毕")
        desk.act("town_dispatcher", numbers["D"], "check", now=at(11, 6, 11))
        desk.act("worker", numbers["D"], "feedback", now=at(11, 6, 12), evaluation="satisfied")
        session.commit()
    bad = runner.invoke(cli, ["analysis", "verify", "2026-11"])
    assert bad.exit_code == 1 and "输入数据" in bad.output, bad.output
    assert "城管" in bad.output or "城市管理" in bad.output, bad.output
    assert runner.invoke(cli, ["analysis", "verify", "2026-10"]).exit_code == 1  # nothing stored for October
