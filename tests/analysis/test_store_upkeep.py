"""The cells follow real changes of cases: intake and actions write the fact rows through
``cases.facts_store``, which hands each change to ``cases.rollup.apply``; afterwards the cells equal
a fresh recount from ``case_facts`` and the figures by town equal the plain GROUP BY."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.analysis.store import aggregate
from gridgov.analysis.store_plain import aggregate_plain
from gridgov.authz.scope import SYSTEM
from gridgov.cases import rollup
from gridgov.models import FactCell, User
from gridgov.models.analysis_store import CELL_VALUES

CITY = "321100000000"


def _cells(db) -> set[tuple]:
    rows = db.execute(select(FactCell.dim, FactCell.level, FactCell.area, FactCell.period, FactCell.key,
                             *(getattr(FactCell, c) for c in CELL_VALUES)).where(FactCell.rows != 0))
    return {tuple(r) for r in rows}


def _act(client, no, action, **body):
    r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
    assert r.status_code == 200, r.text


@pytest.mark.req("G1")
def test_intake_and_actions_keep_the_cells_in_step(db, client_as):
    places = demo_places(db, CITY)
    worker, town = client_as("worker"), client_as("town_dispatcher")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    before = _cells(db)
    numbers = []
    for title in ("路灯不亮", "井盖缺失"):
        r = worker.post("/api/v1/cases", json={"title": title, "category": category, "source": "patrol",
                                               "grid_code": places.grid, "address": "花园路 3 号"})
        assert r.status_code == 201, r.text
        numbers.append(r.json()["case_no"])
    _act(worker, numbers[0], "escalate")
    _act(town, numbers[0], "accept")
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    _act(town, numbers[0], "dispatch", lead_department=lead)
    kept = _cells(db)
    assert kept != before  # the new cases were counted as they came in
    rollup.rebuild_cells(db)
    assert _cells(db) == kept
    for group_by in ("area", "department", "month"):
        kw = dict(group_by=group_by, area=CITY, date_from=None, date_to=None)
        assert aggregate(db, SYSTEM, **kw) == aggregate_plain(db, SYSTEM, **kw)
    groups, totals = aggregate(db, SYSTEM, **kw)
    assert totals["reported"] >= 2 and totals["dispatched"] >= 1
