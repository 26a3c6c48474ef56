"""The appraisal's API and page: 422 in Chinese on bad values (nothing stored), live then stored,
the page's rankings and derivation (the links' drill-down is checked on real cases in
test_appraisal_verify.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gridgov.models import AppraisalRun

from .appraisal_fixtures import CITY, PERIOD, build, with_test_weights

HTML = {"Accept": "text/html"}


@pytest.fixture
def known(db, app, client_as):
    build(db, client_as)
    app.state.profile = with_test_weights(app.state.profile)


@pytest.mark.parametrize(("query", "field"), [
    ("period=2026-13&level=town", "考核期"), ("period=11-2026&level=town", "考核期"),
    ("period=2026-11&level=village", "考核对象"), ("period=2026-11&area=32110", "区划代码"),
])
def test_bad_values_are_refused_in_chinese(client, db, query, field):
    r = client.get(f"/api/v1/appraisal?{query}")
    assert r.status_code == 422 and field in r.json()["detail"], r.text
    bad = client.post("/api/v1/appraisal/runs", json={"period": "2026-13"})
    assert bad.status_code == 422 and "考核期" in bad.json()["detail"]
    assert db.scalar(select(func.count()).select_from(AppraisalRun)) == 0


def test_live_then_stored(client, known):
    live = client.get(f"/api/v1/appraisal?period={PERIOD}&level=department&area={CITY}").json()
    assert live["source"] == "live" and live["stored"] is None and live["lagging_below"] == 60
    assert live["weights_source"]["basis"] == "本地设置" and live["weights_source"]["refs"] == "ZJ§28"
    run = client.post("/api/v1/appraisal/runs", json={"period": PERIOD, "area": CITY})
    assert run.status_code == 201 and len(run.json()["run_hash"]) == 64
    stored = client.get(f"/api/v1/appraisal?period={PERIOD}&level=department&area={CITY}").json()
    assert stored["source"] == "stored" and stored["stored"]["run_id"] == run.json()["id"]
    assert [(r["key"], r["score"]) for r in stored["items"]] == [(r["key"], r["score"]) for r in live["items"]]


def test_the_page_shows_rankings_the_derivation_and_the_lagging_department(client, known):
    r = client.get(f"/appraisal?period={PERIOD}&level=department&area={CITY}", headers=HTML)
    assert r.status_code == 200
    page = r.text
    assert "落后部门（低于 60 分）" in page and "50.00" in page and "100.00" in page
    assert "按期处置率" in page and "处置数 2" in page and "/cases/mine?" in page and "实时计算" in page
    assert 'id="appraisal-store"' in page  # the city's administrator may store the period
    bad = client.get("/appraisal?period=2026-13", headers=HTML)
    assert bad.status_code == 422 and "考核期" in bad.text


def test_the_page_stores_the_period_for_the_agency_only(client, client_as, known, db):
    page = client.get(f"/appraisal?period={PERIOD}&area={CITY}", headers=HTML).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/appraisal/runs", data={"period": PERIOD, "area": CITY, "csrf_token": token}, headers=HTML,
                    follow_redirects=False)
    assert r.status_code == 303 and "saved=" in r.headers["location"], r.text
    shown = client.get(r.headers["location"], headers=HTML).text
    assert "已保存考核评价结果" in shown and "已保存的结果" in shown
    county = client_as("county_dispatcher")
    page = county.get(f"/appraisal?period={PERIOD}", headers=HTML).text
    assert 'id="appraisal-store"' not in page
    assert county.post("/appraisal/runs", data={"period": PERIOD}, headers=HTML).status_code == 403
    assert db.scalar(select(func.count()).select_from(AppraisalRun)) == 1
