"""The appraisal's routes × roles × areas (issue 16): each role reads the appraisal of its own
jurisdiction only (an area outside it answers like a missing one: 404), only the agency's
administrators store a run, and a role without analysis.read gets 403 whatever the area.

Expected statuses are written by hand from the role table (authz/permissions.py: analysis.read for
agency admins and dispatchers, leaders, chief leaders, instructors, department receivers;
appraisal.manage for agency admins) and the jurisdictions of the demo accounts."""

from __future__ import annotations

import pytest

from gridgov.accounts.demo import demo_places

from .matrix_common import CITY

HTML = {"Accept": "text/html"}
PERIOD = "2026-10"
AREAS = ("county", "county2", "town", "missing")
# who -> statuses for (county A, county B, town A, a missing area) on the read routes, and the POST
READS = {
    "worker": ("403", "403", "403", "403"),
    "leader": ("404", "404", "404", "404"),
    "town_dispatcher": ("404", "404", "200", "404"),
    "county_dispatcher": ("200", "404", "200", "404"),
    "dept_cg": ("200", "404", "200", "404"),
    "city_admin": ("200", "200", "200", "404"),
    "auditor": ("403", "403", "403", "403"),
}
STORES = {
    "worker": ("403", "403", "403", "403"),
    "leader": ("403", "403", "403", "403"),
    "town_dispatcher": ("403", "403", "403", "403"),
    "county_dispatcher": ("403", "403", "403", "403"),
    "dept_cg": ("403", "403", "403", "403"),
    "city_admin": ("201", "201", "201", "404"),
    "auditor": ("403", "403", "403", "403"),
}


@pytest.fixture
def areas(db):
    places = demo_places(db, CITY)
    return {"county": places.county, "county2": places.county2, "town": places.town, "missing": "321102099000"}


def test_the_appraisal_matrix(client_as, areas):
    failures = []
    for who in READS:
        client = client_as(who)
        for i, name in enumerate(AREAS):
            area = areas[name]
            got = client.get(f"/api/v1/appraisal?period={PERIOD}&level=department&area={area}").status_code
            if str(got) != READS[who][i]:
                failures.append(f"GET api {who} {name}: {got} != {READS[who][i]}")
            page = client.get(f"/appraisal?period={PERIOD}&level=town&area={area}", headers=HTML).status_code
            if str(page) != READS[who][i]:
                failures.append(f"GET page {who} {name}: {page} != {READS[who][i]}")
            stored = client.post("/api/v1/appraisal/runs", json={"period": PERIOD, "area": area}).status_code
            if str(stored) != STORES[who][i]:
                failures.append(f"POST api {who} {name}: {stored} != {STORES[who][i]}")
    assert not failures, "\n".join(failures)


def test_a_run_stored_for_a_county_is_not_seen_by_a_town_or_the_other_county(client_as, areas):
    admin = client_as("city_admin")
    assert admin.post("/api/v1/appraisal/runs", json={"period": PERIOD, "area": areas["county"]}).status_code == 201
    county = client_as("county_dispatcher").get(f"/api/v1/appraisal?period={PERIOD}&area={areas['county']}").json()
    assert county["source"] == "stored"
    town = client_as("town_dispatcher").get(f"/api/v1/appraisal?period={PERIOD}&area={areas['town']}").json()
    assert town["source"] == "live"
    dept = client_as("dept_cg").get(f"/api/v1/appraisal?period={PERIOD}&level=department"
                                    f"&area={areas['county']}").json()
    assert dept["source"] == "live"  # departments read their own live figures, never the county's ranking
