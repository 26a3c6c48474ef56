"""The jurisdiction matrix of the monthly analysis report (issue 16): every demo account × the report's
routes × areas at each level (the city, the demo county and its town, the other county, a missing area).

Expected answers are written here by hand from the brief: reading needs ``analysis.read`` (agencies, grid
leaders, departments; not grid workers, auditors or security administrators: 403), regenerating needs
``appraisal.manage`` (the agency administrator); an area is seen when it lies inside the account's
jurisdiction (its scope code read from the users table), else 404 like a missing one. A kept version is
shown to whoever sees its area, except departments (they get the live figures of their own cases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.analysis import monthly_reports
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import User

from .matrix_common import CITY, Failures
from .test_matrix import significant

MONTH = "2031-05"
READERS = {"city_admin", "county_dispatcher", "town_dispatcher", "leader", "dept_cg", "dept_sc"}
MANAGERS = {"city_admin"}
DEPARTMENTS = {"dept_cg", "dept_sc"}
MISSING = "329999000000"


@pytest.fixture
def kept(db):
    """One kept version of the report of each area of the matrix."""
    p = demo_places(db, CITY)
    areas = {"city": p.city, "county": p.county, "town": p.town, "county2": p.county2}
    for code in areas.values():
        monthly_reports.generate(db, SYSTEM, code, MONTH, utc_now())
    db.flush()
    return areas


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_reads_and_makes_the_reports_of_its_jurisdiction_only(username, client_as, db, kept):
    scope = db.scalar(select(User.scope_code).where(User.username == username))
    prefix = significant(scope)
    c = client_as(username)
    fail = Failures()
    for name, code in [*kept.items(), ("missing", MISSING)]:
        inside = code != MISSING and code.startswith(prefix) and len(scope) <= 12
        want = 200 if inside else 404
        if username not in READERS:
            want = 403
        query = {"area": code, "month": MONTH}
        for route in ("/reports/monthly", "/reports/monthly.pdf", "/api/v1/reports/monthly"):
            got = c.get(route, params=query).status_code
            fail.check(got == want, f"GET {route} {name}: {got}，应为 {want}")
        if want == 200:
            body = c.get("/api/v1/reports/monthly", params=query).json()
            sees_kept = username not in DEPARTMENTS
            fail.check(body["kept"] is sees_kept and len(body["versions"]) == (1 if sees_kept else 0),
                       f"{name}: 存档版本 {body['kept']} {len(body['versions'])}")
        want_post = (303 if inside else 404) if username in MANAGERS else 403
        got = c.post("/reports/monthly", data=query, follow_redirects=False).status_code
        fail.check(got == want_post, f"POST /reports/monthly {name}: {got}，应为 {want_post}")
    assert not fail.items, f"{username}（{scope}）：\n" + "\n".join(fail.items)


def test_the_matrix_has_every_kind_of_answer():
    """Guards the table itself: readers and non-readers, a manager, departments among the accounts."""
    names = {a.username for a in DEMO_ACCOUNTS}
    assert names > READERS and MANAGERS <= READERS and DEPARTMENTS <= READERS
    assert names - READERS >= {"worker", "auditor"}
