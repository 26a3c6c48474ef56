"""A small known set for the appraisal tests: five cases with hand-set fact rows in October 2026, a
complaint against the demo worker, and a test profile whose weights make the scores easy to compute
by hand (see the expected values in the tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import rollup
from gridgov.models import Case, User
from gridgov.models.analysis import FACT_COUNTERS, CaseFact
from gridgov.models.staff import StaffMember
from gridgov.models.territory import BoardComplaint
from gridgov.policy.schema.appraisal import Appraisal, Level

CITY = "321100000000"
PERIOD = "2026-10"
NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)

TEST_APPRAISAL = Appraisal(
    town=Level(weights={"closed_on_time_rate": 50, "satisfaction_rate": 30, "visit_completion_rate": 20}),
    department=Level(weights={"handled_on_time_rate": 60, "satisfaction_rate": 40}),
    worker=Level(weights={"valid_rate": 50, "verified_on_time_rate": 50}),
    lagging_below=60, complaint_deduction=10)

_ALL = ("reported", "valid", "verified", "verified_on_time", "dispatched", "handled", "handled_on_time", "closed",
        "closed_on_time", "evaluated", "satisfied")
# case -> (place, department user, reporter, counters set to 1)
FACTS = {
    "c1": ("grid", "dept_cg", "worker", _ALL),
    "c2": ("grid", "dept_cg", "worker", ("reported", "valid", "verified", "dispatched", "handled", "reworked",
                                         "extended", "closed", "evaluated")),
    "c3": ("grid", None, "worker", ("reported", "verified", "verified_on_time")),
    "c4": ("grid2", "dept_sc", "worker2", _ALL),
    "c5": ("grid", None, "worker", ("reported", "verified")),
}


def with_test_weights(profile):
    return profile.model_copy(update={"appraisal": TEST_APPRAISAL})


def build(db, client_as) -> dict[str, int]:
    """The five cases (reported through the API, fact rows set by hand) and one complaint; case ids."""
    places = demo_places(db, CITY)
    grids = {"grid": places.grid, "grid2": places.grid2}
    users = {u.username: u for u in db.scalars(select(User).where(User.username.in_(
        ["worker", "worker2", "dept_cg", "dept_sc"])))}
    ids = {}
    for name, (where, dept, reporter, ones) in FACTS.items():
        client = client_as(reporter)
        category = client.get("/api/v1/case-categories").json()[0]["code"]
        r = client.post("/api/v1/cases", json={"title": f"测试事件{name}", "category": category, "source": "patrol",
                                               "grid_code": grids[where], "address": "花园路 3 号"})
        assert r.status_code == 201, r.text
        case_id = db.scalar(select(Case.id).where(Case.case_no == r.json()["case_no"]))
        grid = grids[where]
        row = db.get(CaseFact, case_id) or CaseFact(case_id=case_id)
        row.reported_day, row.grid_code, row.town_code = date(2026, 10, 15), grid, grid[:9] + "000"
        row.county_code, row.type_code, row.matter_code = grid[:6] + "000000", None, "test"
        row.department_code = users[dept].department_code if dept else None
        row.worker_id, row.source, row.state = users[reporter].id, "patrol", "closed"
        for counter in FACT_COUNTERS:
            setattr(row, counter, 1 if counter in ones else 0)
        row.computed_at = NOW
        db.add(row)
        ids[name] = case_id
    staff = StaffMember(name="张网格", gender="male", area_code=places.grid[:12], created_at=NOW, updated_at=NOW)
    db.add(staff)
    db.flush()
    users["worker"].staff_id = staff.id
    db.add(BoardComplaint(grid_code=places.grid, town_code=places.grid[:9] + "000", staff_id=staff.id,
                          content="态度差", received_at=datetime(2026, 10, 20, 2, tzinfo=UTC), status="received"))
    db.flush()
    rollup.rebuild_cells(db)  # the fact rows were set by hand: the store's cells recounted from them
    return ids
