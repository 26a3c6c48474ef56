"""Appraisal scores (G1, G2, B5) on a small known set against hand-computed values; the lagging
department named (ZJ§29); a stored run verified, then caught after tampering or a changed case."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from gridgov.analysis import appraisal, appraisal_runs
from gridgov.authz.scope import SYSTEM
from gridgov.cases import rollup
from gridgov.models import User
from gridgov.models.analysis import CaseFact

from ..registry.care_fixtures import principal
from .appraisal_fixtures import CITY, NOW, PERIOD, build, with_test_weights


@pytest.fixture
def known(db, app, client_as):
    ids = build(db, client_as)
    return ids, with_test_weights(app.state.profile), app.state.cipher


def _live(db, who, level, profile, cipher, area=CITY):
    return appraisal.live(db, who, period=PERIOD, level=level, area=area, profile=profile, cipher=cipher, now=NOW)


def _scores(found):
    return {r["name"]: r["score"] for r in found["items"] if r["score"] is not None}


@pytest.mark.req("G1", "G2")
@pytest.mark.setting("appraisal.department", "appraisal.lagging_below")
def test_department_scores_and_the_lagging_department(db, known):
    _, profile, cipher = known
    found = _live(db, principal(db, "city_admin"), "department", profile, cipher)
    cg, sc = (db.scalar(select(User.department_code).where(User.username == u)) for u in ("dept_cg", "dept_sc"))
    by_key = {r["key"]: r for r in found["items"]}
    # 城管: handled on time 1/2 × 60 = 30; satisfied 1/2 × 40 = 20 -> 50, below 60: lagging
    # 市场监管: 1/1 × 60 + 1/1 × 40 = 100
    assert (by_key[cg]["score"], by_key[sc]["score"]) == (50.0, 100.0)
    assert [r["key"] for r in found["lagging"]] == [cg]
    assert (by_key[sc]["rank"], by_key[cg]["rank"]) == (1, 2)
    parts = {c["code"]: c for c in by_key[cg]["components"]}
    assert (parts["handled_on_time_rate"]["numerator_value"], parts["handled_on_time_rate"]["denominator_value"],
            parts["handled_on_time_rate"]["rate"], parts["handled_on_time_rate"]["points"]) == (1, 2, 0.5, 30.0)
    url = parts["satisfaction_rate"]["cases_url"]
    assert f"lead={cg}" in url and "kpi=evaluated" in url
    lagging = appraisal.lagging_departments(db, principal(db, "city_admin"), PERIOD, CITY, profile=profile,
                                            cipher=cipher, now=NOW)
    assert [(r["key"], r["score"], r["threshold"]) for r in lagging] == [(cg, 50.0, 60)]
    # the threshold is read: at 50 nobody lags
    lower = profile.model_copy(update={"appraisal": profile.appraisal.model_copy(update={"lagging_below": 50})})
    assert appraisal.lagging_departments(db, principal(db, "city_admin"), PERIOD, CITY, profile=lower,
                                         cipher=cipher, now=NOW) == []


@pytest.mark.req("G2")
@pytest.mark.setting("appraisal.town")
def test_town_scores_count_residents_evaluations(db, known):
    _, profile, cipher = known
    found = _live(db, principal(db, "city_admin"), "town", profile, cipher)
    scores = {r["key"]: r["score"] for r in found["items"]}
    town = db.scalar(select(User.scope_code).where(User.username == "worker"))[:9] + "000"
    town2 = db.scalar(select(User.scope_code).where(User.username == "worker2"))[:9] + "000"
    # town: closed on time 1/2 × 50 = 25, satisfied 1/2 × 30 = 15, visits not measured: 40 × 100 / 80 = 50
    # town2: 50 + 30 -> 100
    assert (scores[town], scores[town2]) == (50.0, 100.0)
    assert found["source"] == "live"
    assert all(s is None for k, s in scores.items() if k not in (town, town2))  # the other towns: no data


@pytest.mark.req("B5")
@pytest.mark.setting("appraisal.worker", "appraisal.complaint_deduction")
def test_worker_scores_lose_points_for_complaints(db, known):
    _, profile, cipher = known
    found = _live(db, principal(db, "city_admin"), "worker", profile, cipher)
    scores = _scores(found)
    # worker: valid 2/4 × 50 = 25, verified on time 2/4 × 50 = 25 -> 50, one complaint −10 -> 40
    # worker2: 50 + 50 -> 100
    assert (scores["张网格"], scores["李网格"]) == (40.0, 100.0)
    row = next(r for r in found["items"] if r["name"] == "张网格")
    assert (row["complaints"], row["deduction"]) == (1, 10)


def test_jurisdiction_only_its_own_units(db, known):
    _, profile, cipher = known
    county2 = db.scalar(select(User.scope_code).where(User.username == "worker2"))[:6] + "000000"
    found = _live(db, principal(db, "county_dispatcher"), "worker", profile, cipher, area=None)
    assert set(_scores(found)) == {"张网格"}
    with pytest.raises(appraisal.NotFound):
        _live(db, principal(db, "county_dispatcher"), "town", profile, cipher, area=county2)
    dept = _live(db, principal(db, "dept_cg"), "department", profile, cipher, area=None)
    assert len(dept["items"]) == 1 and dept["items"][0]["score"] == 50.0


@pytest.mark.req("G1")
def test_a_stored_run_verifies_and_tampering_or_a_changed_case_is_caught(db, known):
    ids, profile, cipher = known
    admin = principal(db, "city_admin")
    run = appraisal_runs.store_run(db, admin, period=PERIOD, area=CITY, profile=profile, cipher=cipher, now=NOW)
    stored = _live(db, admin, "department", profile, cipher)
    assert stored["source"] == "stored" and stored["stored"]["run_id"] == run.id
    assert [r["score"] for r in stored["lagging"]] == [50.0]
    assert appraisal_runs.verify_period(db, SYSTEM, period=PERIOD, profile=profile, cipher=cipher, now=NOW) == (1, [])

    db.execute(text("UPDATE appraisal_scores SET score = 9000 WHERE run_id = :r AND level = 'department' "
                    "AND score = 5000"), {"r": run.id})
    db.expire_all()
    checked, found = appraisal_runs.verify_period(db, SYSTEM, period=PERIOD, profile=profile, cipher=cipher, now=NOW)
    assert checked == 1 and any("哈希不符" in f for f in found)
    assert any("保存 90.00 分，重新计算 50.00 分" in f for f in found)
    db.execute(text("UPDATE appraisal_scores SET score = 5000 WHERE run_id = :r AND score = 9000"), {"r": run.id})
    db.expire_all()
    assert appraisal_runs.verify_period(db, SYSTEM, period=PERIOD, profile=profile, cipher=cipher, now=NOW) == (1, [])

    db.get(CaseFact, ids["c4"]).satisfied = 0  # a case changed behind the scores
    db.flush()
    rollup.rebuild_cells(db)
    _, found = appraisal_runs.verify_period(db, SYSTEM, period=PERIOD, profile=profile, cipher=cipher, now=NOW)
    assert any("输入数据" in f for f in found)
    assert any("保存 100.00 分，重新计算 60.00 分" in f for f in found)  # the department of c4


@pytest.mark.req("G1")
@pytest.mark.setting("appraisal.department", "appraisal.lagging_below")
def test_the_shipped_weights_name_the_lagging_department_for_the_monthly_report(db, app, known):
    cg = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    # zhenjiang: handled on time 1/2 × 35 = 17.5, rework-free 1/2 × 15 = 7.5, not extended 1/2 × 10 = 5,
    # satisfied 1/2 × 40 = 20 -> 50, below 60 (the 市场监管 case scores 100)
    found = appraisal.lagging_departments(db, principal(db, "city_admin"), PERIOD, CITY, profile=app.state.profile)
    assert [(r["key"], r["score"], r["threshold"]) for r in found] == [(cg, 50.0, 60)]
    assert "本地设置" in found[0]["basis"]
