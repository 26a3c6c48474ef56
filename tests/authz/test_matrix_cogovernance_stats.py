"""Who reads the cogovernance figures: ``GET /api/v1/stats/cogovernance`` for each role, in its own jurisdiction
and outside it (an area outside = 404 like a missing one; a role without analysis.read = 403; a department reads
the route but counts nothing), with the lines each role counts written here by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from gridgov.accounts.demo import demo_places
from gridgov.cogovernance import ledger
from gridgov.kit.clock import utc_now
from gridgov.models.cogovernance import ActivityKind, CogovActivity

# (role, the lines it counts, status for the other county, for its own county, for the demo town)
MATRIX = [
    ("city_admin", 3, 200, 200, 200),
    ("county_dispatcher", 2, 404, 200, 200),
    ("town_dispatcher", 2, 404, 404, 200),
    ("leader", 1, 404, 404, 404),
    ("dept_cg", 0, 404, 200, 200),
    ("worker", None, 403, 403, 403),
    ("auditor", None, 403, 403, 403),
    ("lawyer", None, 403, 403, 403),
    ("mediator", None, 403, 403, 403),
    ("team_member", None, 403, 403, 403),
]


@pytest.fixture
def places(db):
    db.execute(delete(CogovActivity))  # the demo's own lines (its visits, topic, tasks…): this test counts its own
    places = demo_places(db, "321100000000")
    for i, place in enumerate((places.grid, places.town, places.grid2)):
        ledger.record(db, kind=ActivityKind.MEDIATION, area_code=place, occurred_on=date(2026, 11, 2),
                      ref_type="test", ref_id=i, now=utc_now())
    db.flush()
    return places


@pytest.mark.parametrize(("role", "lines", "other", "county", "town"), MATRIX)
def test_each_role_counts_the_lines_of_its_jurisdiction_only(places, client_as, role, lines, other, county, town):
    client = client_as(role)
    r = client.get("/api/v1/stats/cogovernance", params={"group_by": "grid"})
    if lines is None:
        assert r.status_code == 403 and r.json()["detail"], r.text
    else:
        assert r.status_code == 200, r.text
        assert r.json()["totals"]["mediation"] == lines
    for area, want in ((places.county2, other), (places.county, county), (places.town, town)):
        r = client.get("/api/v1/stats/cogovernance", params={"group_by": "area", "area": area})
        assert r.status_code == want, (role, area, r.text)
        if want == 404:
            assert r.json()["detail"] == f"区划 {area} 不存在或不在你的辖区内"
