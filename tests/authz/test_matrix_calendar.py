"""Who reads the public figures: everyone, logged in or not, whatever the role's jurisdiction, and all
read the same city and county totals (``/public/stats`` and ``GET /api/v1/public/stats``)."""

from __future__ import annotations

import pytest

from ..analysis.scenario import Desk, at

ROLES = ["city_admin", "county_dispatcher", "town_dispatcher", "leader", "dept_cg", "worker", "worker2", "auditor",
         "security_admin"]
PARAMS = {"from": "2026-11", "to": "2026-11", "by": "period"}


@pytest.fixture
def figures(db, tmp_path, anonymous):
    desk = Desk(db, tmp_path / "media")
    for i in range(5):
        desk.report("city_admin", now=at(11, 2 + i, 9), source="hotline", grid=desk.places.grid2)
    db.flush()
    body = anonymous.get("/api/v1/public/stats", params=PARAMS).json()
    assert {i["area"]: i["reported"] for i in body["items"]}[desk.places.county2] == 5
    return body


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_same_public_figures(figures, client_as, role):
    client = client_as(role)
    r = client.get("/api/v1/public/stats", params=PARAMS)
    assert r.status_code == 200, (role, r.text)
    assert r.json() == figures  # not narrowed to the role's jurisdiction, not widened either
    page = client.get("/public/stats", params=PARAMS)
    assert page.status_code == 200 and 'id="public-stats"' in page.text


def test_anyone_logged_out_reads_the_page(figures, anonymous):
    r = anonymous.get("/public/stats", params=PARAMS)
    assert r.status_code == 200 and 'data-cell="reported">5<' in r.text
