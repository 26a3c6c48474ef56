"""The warnings' jurisdiction matrix: every demo account × ``GET /api/v1/warnings`` (the API and its
area parameter) and the ``/warnings`` page, with one warning built in each county (A: the demo grid,
dispatched to A's 城管; B: worker2's grid). Expected by hand from the role table (analysis.read) and
the jurisdictions: a warning of the other county is never seen, its area is a 404 like a missing one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..analysis.warning_data import add_case, at, places, today, user
from .matrix_common import Failures

HTML = {"accept": "text/html"}

# account: (status, the counties whose warning it sees)
EXPECTED = {
    "city_admin": (200, {"A", "B"}),
    "county_dispatcher": (200, {"A"}),
    "town_dispatcher": (200, {"A"}),
    "leader": (200, {"A"}),        # the demo grid's leader: its grid
    "dept_cg": (200, {"A"}),       # the cases were dispatched to it
    "dept_sc": (200, set()),       # a department the cases never reached
    "worker": (403, set()),
    "worker2": (403, set()),
    "auditor": (403, set()),
    "security_admin": (403, set()),
}

INSIDE = {
    "city_admin": {"county", "town", "grid", "county2", "grid2"},
    "county_dispatcher": {"county", "town", "grid"},
    "town_dispatcher": {"town", "grid"},
    "leader": {"grid"},
    "dept_cg": {"county", "town", "grid"},  # a county's department: the county's areas (its cases only)
    "dept_sc": {"county", "town", "grid"},
}
"""The areas each reader may narrow its warnings to (``area=``): those inside its jurisdiction; an
area above it or in the other county is a 404."""


@pytest.fixture
def built(db):
    p = places(db)
    cg = user(db, "dept_cg").department_code
    nos = {"A": set(), "B": set()}
    for d in (1, 2, 3):
        nos["A"].add(add_case(db, p.grid, at(today() - timedelta(days=d)), address="解放路 12 号",
                              department=cg).case_no)
        nos["B"].add(add_case(db, p.grid2, at(today() - timedelta(days=d)), address="中山路 5 号").case_no)
    return p, nos


def test_every_account_sees_the_warnings_of_its_jurisdiction_only(client_as, built):
    p, nos = built
    failures = Failures()
    for username, (status, sees) in EXPECTED.items():
        c = client_as(username)
        r = c.get("/api/v1/warnings", params={"kind": "repeat_address"})
        failures.check(r.status_code == status, f"{username}: GET /api/v1/warnings → {r.status_code}，应为 {status}")
        page = c.get("/warnings", headers=HTML)
        failures.check(page.status_code == status, f"{username}: /warnings → {page.status_code}，应为 {status}")
        if status != 200:
            continue
        seen = {county for w in r.json()["items"] for county, cases in nos.items() if set(w["case_nos"]) == cases}
        failures.check(seen == sees, f"{username}: 看到 {sorted(seen)}，应为 {sorted(sees)}")
        for county, cases in nos.items():
            failures.check((next(iter(cases)) in page.text) == (county in sees), f"{username}: 页面上 {county} 的预警")
        named = {"county": p.county, "town": p.town, "grid": p.grid, "county2": p.county2, "grid2": p.grid2}
        for name, code in named.items():
            answer = c.get("/api/v1/warnings", params={"area": code}).status_code
            expected = 200 if name in INSIDE[username] else 404
            failures.check(answer == expected, f"{username}: area={name} → {answer}，应为 {expected}")
    assert not failures.items, "\n".join(failures.items)


def test_a_department_narrowed_to_an_area_sees_no_more_than_its_cases(client_as, built):
    p, nos = built
    cg = client_as("dept_cg")
    for code in (p.county2, p.grid2):
        r = cg.get("/api/v1/warnings", params={"area": code})
        assert r.status_code in (200, 404)
        assert not any(set(w["case_nos"]) & nos["B"] for w in (r.json().get("items") or []))
