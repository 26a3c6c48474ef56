"""The dashboard pages reach the figures of the user's jurisdiction only: a matrix of the two routes
× roles × areas (the city, each county and town of the demo's two counties, a missing area).

Expected statuses are written by hand from the role table (``analysis.read``: agencies, departments,
the 网格长; not the grid worker nor the auditor: 403 before anything is looked up) and the rule that
an area outside the jurisdiction answers like a missing one (404). A page that opens must not name
the other county anywhere (its code in a link, a picker or a figure)."""

from __future__ import annotations

import pytest

from gridgov.accounts.demo import demo_places

from .matrix_common import CITY, Failures

HTML = {"accept": "text/html"}
ROUTES = ("/dashboard", "/dashboard/screen")
MISSING = "321102099000"


def expected(username: str, area: str) -> int:
    """By hand: who may open the dashboard of which area."""
    if username in ("worker", "auditor"):
        return 403
    if area == "":
        return 200  # the user's own area
    if area == MISSING:
        return 404
    inside = {
        "city_admin": {"city", "county", "town", "county2", "town2"},
        "county_dispatcher": {"county", "town"},
        "dept_cg": {"county", "town"},
        "town_dispatcher": {"town"},
        "leader": set(),  # a grid's 网格长: its own grid only (asked as its own area)
    }[username]
    return 200 if area in inside else 404


@pytest.mark.parametrize("username", ["city_admin", "county_dispatcher", "town_dispatcher", "leader", "dept_cg",
                                      "worker", "auditor"])
def test_the_dashboard_matrix(client_as, db, username):
    places = demo_places(db, CITY)
    codes = {"": "", "city": places.city, "county": places.county, "town": places.town,
             "county2": places.county2, "town2": places.town2, "missing": MISSING}
    c = client_as(username)
    failures = Failures()
    for route in ROUTES:
        for name, code in codes.items():
            url = route + (f"?area={code}" if code else "")
            r = c.get(url, headers=HTML)
            want = expected(username, name if name != "missing" else MISSING)
            failures.check(r.status_code == want, f"{username} {url}: {r.status_code}，应为 {want}")
            if r.status_code == 200 and username != "city_admin":
                failures.check(places.county2 not in r.text and places.town2 not in r.text,
                               f"{username} {url}: 页面出现了另一个区的编码")
    assert not failures.items, "\n".join(failures.items)
