"""Open311 GeoReport v2 (/open311/v2/) in the jurisdiction matrix.

The GETs are PUBLIC and hold no jurisdiction: every demo account reads exactly what a visitor reads (the
public cases, whoever's area they lie in), so a staff token neither widens nor narrows them. The POST
acts as the Open311 client whose ``api_key`` it carries, never as the bearer of a staff token: a client
places requests only in the grids of its own area (elsewhere: 400, nothing written)."""

from __future__ import annotations

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.models import Case

from ..interop.conftest import api_client  # noqa: F401  (the fixture: an API client in the test database)
from ..interop.test_open311 import resident_case
from .matrix_common import CITY, Failures

V2 = "/open311/v2"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def test_every_account_reads_the_same_public_open311(client_as, anonymous, places):
    # Two public cases in two counties: the demo accounts of one county see neither more nor less.
    nos = [resident_case(client_as("town_dispatcher"), places.grid),
           resident_case(client_as("city_admin"), places.grid2)]
    paths = [f"{V2}/services.json", f"{V2}/requests.json?service_request_id={','.join(nos)}",
             *(f"{V2}/requests/{no}.xml" for no in nos), f"{V2}/servicerequestupdates.json"]
    seen = {path: anonymous.get(path) for path in paths}
    assert all(r.status_code == 200 for r in seen.values())
    assert len(seen[paths[1]].json()) == len(nos)
    failures = Failures()
    for account in DEMO_ACCOUNTS:
        c = client_as(account.username)
        for path in paths:
            r = c.get(path)
            failures.check(r.status_code == 200 and r.content == seen[path].content, f"{account.username} {path}")
    assert not failures.items, "\n".join(failures.items)


def test_a_client_posts_only_in_its_own_area_whatever_token_comes_with_it(api_client, client_as, places, db):  # noqa: F811
    keys = {places.county: api_client("open311", places.county)[1], places.county2: api_client("open311",
                                                                                                 places.county2)[1]}
    admin = client_as("city_admin")
    points = {}
    for grid in (places.grid, places.grid2):
        p = shape(admin.get(f"/api/v1/grids/{grid}").json()["geometry"]).representative_point()
        points[grid] = {"lat": f"{p.y:.7f}", "long": f"{p.x:.7f}"}
    failures = Failures()
    for county, key in keys.items():
        for grid, point in points.items():
            before = db.scalar(select(func.count()).select_from(Case))
            r = admin.post(f"{V2}/requests.json", data={"api_key": key, "service_code": "0102", **point,
                                                        "description": "井盖缺失"})
            inside = grid.startswith(county[:6])
            failures.check(r.status_code == (200 if inside else 400), f"client {county} → grid {grid}: {r.status_code}")
            db.expire_all()
            after = db.scalar(select(func.count()).select_from(Case))
            failures.check(after == before + (1 if inside else 0), f"client {county} → grid {grid}: rows")
            if inside and r.status_code == 200:
                case = db.scalar(select(Case).where(Case.case_no == r.json()[0]["service_request_id"]))
                failures.check(case.grid_code == grid and case.source == "resident", f"{county}: the case")
    # A staff token is not an api_key.
    r = admin.post(f"{V2}/requests.json", data={"service_code": "0102", **points[places.grid]})
    failures.check(r.status_code == 403 and r.json()[0]["code"] == 403, "a staff token without api_key")
    assert not failures.items, "\n".join(failures.items)
