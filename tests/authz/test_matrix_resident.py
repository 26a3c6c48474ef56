"""The resident channel's jurisdiction matrix (issue 17). A resident's report is a case like any
other: each role sees it (or gets the same 404 as for a missing case) by the case's grid, as for a
case a worker reported; its ``resident_reports`` row follows the same rule (the scope door). On the
public routes a member of staff's token grants nothing: the tracking code alone opens the timeline
(wrong code = 404 for every role), and a resident bound to one grid is the reporter of no case of
another grid."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.cases import actors
from gridgov.models import Case, User
from gridgov.models.resident import ResidentReport
from gridgov.public.report import resident_in

from ..public.resident import inside, report

# (role, status of GET /api/v1/cases/{no} for the resident's case in the demo town's grid)
MATRIX = [
    ("city_admin", 200),
    ("county_dispatcher", 200),
    ("town_dispatcher", 200),
    ("leader", 200),
    ("worker", 200),
    ("worker2", 404),
    ("dept_cg", 404),  # not dispatched to it
]


@pytest.fixture
def resident_case(anonymous, app, db):
    places = demo_places(db, "321100000000")
    got = report(anonymous, app, inside(db, places.grid), db=db).json()
    return places, got["case_no"], got["tracking_code"]


@pytest.mark.parametrize(("role", "status"), MATRIX)
def test_each_role_sees_the_residents_case_by_its_grid_and_its_token_opens_no_timeline(
        resident_case, client_as, db, role, status):
    _places, no, code = resident_case
    client = client_as(role)
    r = client.get(f"/api/v1/cases/{no}")
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["source"] == "resident" and r.json()["reporter_phone"] != "13912345678"
    else:
        assert r.json()["detail"] == f"事件 {no} 不存在"
    assert client.get(f"/api/v1/public/cases/{no}", params={"code": "WRONG"}).status_code == 404
    assert client.get(f"/api/v1/public/cases/{no}", params={"code": code}).status_code == 200
    user = db.scalar(select(User).where(User.username == role))
    me = Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                   scope_code=user.scope_code, department_code=user.department_code)
    rows = db.scalars(scoped(select(ResidentReport.case_no).where(ResidentReport.case_no == no),
                             me, ResidentReport)).all()
    assert bool(rows) == (status == 200), role


def test_a_resident_bound_to_one_grid_is_the_reporter_of_no_case_of_another(resident_case, db):
    places, no, _code = resident_case
    case = db.scalar(select(Case).where(Case.case_no == no))
    assert actors.is_reporter(resident_in(case.grid_code), case)
    assert not actors.is_reporter(resident_in(places.grid2), case)
