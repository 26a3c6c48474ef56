"""``GET /api/v1/stats/cogovernance`` counts the activity ledger per area, grid, month, and grid and month,
within the reader's jurisdiction, on both databases (issue 18). The lines are written here as each part of
cogovernance writes them (one per thing done, in the same transaction); the parts' own tests check that they do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from gridgov.accounts.demo import demo_places
from gridgov.cogovernance import ledger
from gridgov.kit.clock import utc_now
from gridgov.models import Grid
from gridgov.models.cogovernance import ActivityKind, CogovActivity

pytestmark = pytest.mark.req("F1", "F2", "F3", "F4")

K = ActivityKind


@pytest.fixture
def lines(db):
    db.execute(delete(CogovActivity))  # the demo's own lines (its visits, topic, tasks…): this test counts its own
    places = demo_places(db, "321100000000")
    other = db.scalar(select(Grid.code).where(Grid.area_code.startswith(places.town[:9]), Grid.code != places.grid,
                                              Grid.status == "active").order_by(Grid.code))
    now = utc_now()
    rows = [  # (kind, place, day)
        (K.LEGAL_VISIT, places.grid, date(2026, 10, 6)), (K.LEGAL_VISIT, places.grid, date(2026, 11, 3)),
        (K.LEGAL_VISIT, other, date(2026, 11, 3)), (K.DELIBERATION, places.grid, date(2026, 11, 20)),
        (K.MEDIATION, other, date(2026, 11, 21)), (K.INFORMANT_REPORT, places.grid, date(2026, 11, 22)),
        (K.INFORMANT_REPORT, places.grid, date(2026, 11, 23)), (K.TEAM_TASK, places.town, date(2026, 11, 24)),
        (K.PROJECT_REPORT, places.grid2, date(2026, 11, 25)),  # another county: outside the town's view
    ]
    for i, (kind, place, day) in enumerate(rows):
        ledger.record(db, kind=kind, area_code=place, occurred_on=day, ref_type="test", ref_id=i, now=now)
    db.flush()
    return places, other


def _get(client, **params):
    r = client.get("/api/v1/stats/cogovernance", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _by_key(body) -> dict:
    return {i["key"]: i for i in body["items"]}


def test_counts_per_grid_and_month_within_the_jurisdiction(lines, client_as):
    places, other = lines
    town = client_as("town_dispatcher")
    by_grid = _by_key(_get(town, group_by="grid"))
    assert set(by_grid) == {places.grid, other, places.town}  # grid2 lies in another county
    mine = by_grid[places.grid]
    assert (mine["legal_visit"], mine["deliberation"], mine["informant_report"], mine["total"]) == (2, 1, 2, 5)
    assert (by_grid[other]["legal_visit"], by_grid[other]["mediation"]) == (1, 1)
    assert by_grid[places.town]["team_task"] == 1
    body = _get(town, group_by="grid_month", **{"from": "2026-11-01", "to": "2026-11-30"})
    cells = _by_key(body)
    assert cells[f"{places.grid}/2026-11"]["legal_visit"] == 1  # the October visit is outside the dates
    assert cells[f"{places.grid}/2026-11"]["place"] == places.grid and cells[f"{other}/2026-11"]["month"] == "2026-11"
    assert body["totals"]["total"] == 7 and body["totals"]["project_report"] == 0
    months = _by_key(_get(town, group_by="month"))
    assert (months["2026-10"]["total"], months["2026-11"]["total"]) == (1, 7)


def test_each_level_sees_its_own_and_no_more(lines, client_as):
    places, _other = lines
    city = _get(client_as("city_admin"), group_by="area")
    assert city["totals"]["total"] == 9 and city["totals"]["project_report"] == 1
    worker = _get(client_as("leader"), group_by="grid")  # the grid leader of the demo grid
    assert set(_by_key(worker)) == {places.grid} and worker["totals"]["total"] == 5
    # a department counts none of it; an area outside is a 404 like a missing one
    assert _get(client_as("dept_cg"), group_by="grid")["totals"]["total"] == 0
    r = client_as("town_dispatcher").get("/api/v1/stats/cogovernance", params={"area": places.grid2[:12]})
    assert r.status_code == 404


def test_bad_conditions_are_a_422_in_chinese(lines, client_as):
    town = client_as("town_dispatcher")
    for params in ({"group_by": "kind"}, {"from": "2026-13-01"}, {"from": "2026-11-02", "to": "2026-11-01"}):
        r = town.get("/api/v1/stats/cogovernance", params=params)
        assert r.status_code == 422, params
        assert "统计条件有误" in r.json()["detail"]


def test_the_page_shows_the_same_counts(lines, client_as):
    places, _other = lines
    r = client_as("town_dispatcher").get("/stats/cogovernance", params={"group_by": "grid", "from": "2026-11-01"},
                                         headers={"accept": "text/html"})
    assert r.status_code == 200, r.text
    row = r.text.split(f'<tr data-key="{places.grid}">')[1].split("</tr>")[0]
    assert '<td class="num" data-kind="legal_visit">1</td>' in row and '<td class="num">4</td>' in row
    assert "<script>" not in r.text
