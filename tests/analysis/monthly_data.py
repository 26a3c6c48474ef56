"""A small, known set of cases for the monthly report tests: cases reported through the API, whose
fact rows are then written by hand into months far from today (so nothing else counts in them).

County A (the demo's first county, its demo grid): three cases in MONTH, one in the month before,
one in the same month a year earlier; county B (grid2): one case in MONTH. The figures a report of
county A for MONTH must show are written here by hand (EXPECTED), never taken from the code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from gridgov.cases import rollup
from gridgov.kit.clock import utc_now
from gridgov.models import Case, Department
from gridgov.models.analysis import FACT_COUNTERS, CaseFact

MONTH, PREVIOUS, LAST_YEAR = "2031-05", "2031-04", "2030-05"
EXPECTED = {"reported": 3, "valid": 2, "closed": 2, "closed_on_time": 1, "overdue": 1, "supervised": 2,
            "closed_on_time_rate": 0.5}
"""County A, MONTH: c1 closed on time, c2 closed late (overdue, supervised twice), c3 not valid."""


def _report(client, grid: str, title: str) -> str:
    category = client.get("/api/v1/case-categories").json()[0]["code"]
    r = client.post("/api/v1/cases", json={"title": title, "category": category, "source": "patrol",
                                           "grid_code": grid, "address": "解放路 12 号"})
    assert r.status_code == 201, r.text
    return r.json()["case_no"]


def _fact(db, case_no: str, day: date, department: str | None, type_code: str | None, **counters) -> None:
    case = db.scalar(select(Case).where(Case.case_no == case_no))
    db.execute(delete(CaseFact).where(CaseFact.case_id == case.id))  # whatever intake derived
    values = {c: 0 for c in FACT_COUNTERS} | {"reported": 1} | counters
    db.add(CaseFact(case_id=case.id, reported_day=day, grid_code=case.grid_code, town_code=case.town_code,
                    county_code=case.county_code, type_code=type_code, matter_code=case.category,
                    department_code=department, worker_id=None, source=case.source, state=case.state,
                    case_version=0, log_length=0, computed_at=utc_now(), **values))


def build(db, client_as, places) -> dict[str, str]:
    worker, worker2 = client_as("worker"), client_as("worker2")
    made = {name: _report(worker, places.grid, f"月报测试{name}") for name in ("c1", "c2", "c3", "c4", "c5")}
    made["c6"] = _report(worker2, places.grid2, "月报测试c6")
    dept = db.scalar(select(Department.code).where(Department.area_code == places.county).order_by(Department.code))
    _fact(db, made["c1"], date(2031, 5, 3), dept, "0101", valid=1, dispatched=1, handled=1, closed=1,
          closed_on_time=1, close_days=4)
    _fact(db, made["c2"], date(2031, 5, 20), dept, None, valid=1, dispatched=1, handled=1, closed=1, overdue=1,
          supervised=2, close_days=9)
    _fact(db, made["c3"], date(2031, 5, 31), None, "0101")
    _fact(db, made["c4"], date(2031, 4, 30), None, None, valid=1)
    _fact(db, made["c5"], date(2030, 5, 1), None, None, valid=1, closed=1)
    _fact(db, made["c6"], date(2031, 5, 10), None, None, valid=1, overdue=1)
    db.flush()
    rollup.rebuild_cells(db)  # the fact rows were set by hand: the store's cells recounted from them
    made["dept"] = dept
    return made
