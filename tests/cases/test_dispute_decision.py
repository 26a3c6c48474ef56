"""Disputes decided above (ZJ§14 协调不成的，由网格化治理机构报同级党委或者政府研究决定): the decision
records the deciding body and its document reference, both required where the profile sends disputes
to the party committee or government; where an agency settles them (QZ, JM§24) the body is that
agency unless named. Kept in the case's hash-chained file and shown on the case page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.errors import Invalid
from gridgov.models import Area, User

from .test_case_scenarios import CITY, Desk, _dispatched, _report_api, at

HTML = {"Accept": "text/html"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.mark.setting("cases.dispute_settled_by")
@pytest.mark.req("D4")
def test_zj_the_agency_records_the_party_committees_or_governments_decision_with_its_reference(
        client_as, places, db):
    worker, town, cg = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    cg_code = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    no = _report_api(worker, places.grid)["case_no"]

    def act(client, action, status=200, **body):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == status, r.text
        return r.json()

    act(worker, "escalate")
    act(town, "accept")
    act(town, "dispatch", lead_department=cg_code)
    act(cg, "return", reason="不属城管职责")
    act(town, "raise_dispute", reason="部门均称非本职责")

    refused = act(town, "decide", 422, lead_department=cg_code)
    assert "同级党委或者政府" in refused["detail"] and "决定机关和决定文号" in refused["detail"]
    assert {e["field"] for e in refused["errors"]} >= {"deciding_body", "decision_document"}
    assert "决定文号" in act(town, "decide", 422, lead_department=cg_code, deciding_body="中共京口区委")["detail"]
    assert "太长" in act(town, "decide", 422, lead_department=cg_code, deciding_body="中共京口区委",
                         decision_document="文" * 101)["detail"]
    assert town.get(f"/api/v1/cases/{no}").json()["state"] == "disputed"
    page = town.get(f"/cases/{no}", headers=HTML).text
    assert 'name="deciding_body"' in page and 'name="decision_document"' in page

    decided = act(town, "decide", lead_department=cg_code, deciding_body="京口区人民政府",
                  decision_document="京政办〔2026〕12号")
    assert decided["state"] == "dispatched"
    entry = [e for e in town.get(f"/api/v1/cases/{no}/log").json() if e["action"] == "decide"][0]
    assert entry["data"]["deciding_body"] == "京口区人民政府"
    assert entry["data"]["decision_document"] == "京政办〔2026〕12号"
    html = town.get(f"/cases/{no}", headers=HTML).text
    assert "决定机关：京口区人民政府（京政办〔2026〕12号）" in html


@pytest.mark.setting("cases.dispute_settled_by")
@pytest.mark.req("D4")
def test_qz_the_agency_above_decides_and_is_recorded_as_the_deciding_body(db, places, tmp_path):
    qinzhou = Desk(db, "qinzhou", tmp_path / "media")
    now = at(2026, 11, 2, 9, 0)
    no = _dispatched(qinzhou, places.grid, "dept_cg", now=now)
    qinzhou.act("dept_cg", no, "return", now=now + timedelta(hours=1), reason="占道经营属市场监管职责")
    qinzhou.act("town_dispatcher", no, "raise_dispute", now=now + timedelta(hours=2), reason="部门互相推诿")
    with pytest.raises(Invalid, match="太长"):
        qinzhou.act("county_dispatcher", no, "decide", now=now + timedelta(hours=3),
                    lead_department=qinzhou.dept("dept_sc"), deciding_body="机" * 101)
    qinzhou.act("county_dispatcher", no, "decide", now=now + timedelta(hours=3),
                lead_department=qinzhou.dept("dept_sc"))
    entry = [e for e in qinzhou.log(no) if e.action == "decide"][0]
    county = db.scalar(select(User.scope_code).where(User.username == "county_dispatcher"))
    name = db.get(Area, county).name
    assert entry.data["deciding_body"] == f"{name}网格化机构" and entry.data["decision_document"] == ""
