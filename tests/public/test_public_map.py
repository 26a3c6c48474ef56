"""The optional public map of resident reports (issue 17): off by default (404), and when the
deployment turns it on, cells of rounded points with counts by grid and type, nothing personal."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import service
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.service import category_names
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, User
from gridgov.policy.loader import load_profile
from gridgov.public.map_rules import METRES_PER_DEGREE, snap

from ..conftest import TEST_SECRET_KEY, make_settings

HOME = (119.456789, 32.198765)
"""A resident's front door (the demo grid need not hold it: the map reads the stored point)."""


def _metres(a, b) -> float:
    dx = (a[0] - b[0]) * METRES_PER_DEGREE * math.cos(math.radians(a[1]))
    return math.hypot(dx, (a[1] - b[1]) * METRES_PER_DEGREE)


def test_a_point_becomes_the_centre_of_its_fixed_cell():
    centre = snap(*HOME, 500)
    assert centre != HOME and _metres(centre, HOME) <= 500 * math.sqrt(2) / 2 + 1
    assert snap(*centre, 500) == centre  # a centre is its own cell's centre: asking again narrows nothing
    near = (HOME[0] + 0.0005, HOME[1] - 0.0005)  # some 60 m away, in the same cell here
    assert snap(*near, 500) == centre
    assert snap(*HOME, 1000) != centre


@pytest.fixture
def reports(db):
    """Resident reports in the demo grid: open, refused, closed recently, closed long ago, merged;
    and a unit's report (not a resident's)."""
    grid = demo_places(db, "321100000000").grid
    u = db.scalar(select(User).where(User.username == "town_dispatcher"))
    me = Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                   scope_code=u.scope_code, department_code=u.department_code)
    now = utc_now()

    def report(source, state, closed_days_ago=None, **extra):
        data = CaseCreate(title="张三家门口污水外溢", description="我家住 3 号楼 2 单元 501，电话 13912345678",
                          category="zj12_02", source=source, grid_code=grid, address="中山路 8 号 3 号楼",
                          reporter_phone="13912345678")
        case = service.create_case(db, me, data, now=now - timedelta(days=60), profile=load_profile("zhenjiang"),
                                   cipher=FieldCipher(TEST_SECRET_KEY), media_root=None).case
        row = db.get(Case, case.id)
        row.lon, row.lat, row.state = HOME[0], HOME[1], state
        if closed_days_ago is not None:
            row.closed_at = now - timedelta(days=closed_days_ago)
        for key, value in extra.items():
            setattr(row, key, value)
        return row

    report("resident", "reported")
    report("hotline", "in_progress")
    report("resident", "closed", closed_days_ago=3)
    report("resident", "closed", closed_days_ago=45)
    report("resident", "rejected")
    merged = report("resident", "closed", closed_days_ago=1)
    merged.merged_into_id = db.scalar(select(Case.id).where(Case.source == "hotline").limit(1))
    report("unit", "reported")  # a unit's report, not a resident's
    db.flush()
    return grid


def _client(db_connection, tmp_path, **settings):
    from gridgov.app import create_app

    app = create_app(make_settings(str(db_connection.engine.url), tmp_path, **settings), engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return TestClient(app)


def test_the_public_map_is_off_by_default(anonymous):
    assert anonymous.get("/public/map").status_code == 404
    r = anonymous.get("/api/v1/public/map")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_on_it_shows_open_and_recent_resident_reports_only_as_counts_in_rounded_cells(db, db_connection, tmp_path,
                                                                                       reports):
    with _client(db_connection, tmp_path, public_map=True, public_map_cell_m=300) as c:
        r = c.get("/api/v1/public/map")
        page = c.get("/public/map")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cell_m"] == 300 and body["closed_days"] == 30 and body["reports"] == 3
    (cell,) = [x for x in body["cells"] if x["items"][0]["grid_code"] == reports]
    assert (cell["lon"], cell["lat"]) == snap(*HOME, 300) != HOME
    assert sorted((i["type"], i["state"], i["count"]) for i in cell["items"]) == [("zj12_02", "closed", 1),
                                                                                   ("zj12_02", "open", 2)]
    assert {i["type_name"] for i in cell["items"]} == {category_names(db, load_profile("zhenjiang"))["zj12_02"]}
    for leak in ("张三", "501", "13912345678", "139****5678", "中山路", str(HOME[0]), str(HOME[1])):
        assert leak not in r.text and leak not in page.text
    assert page.status_code == 200 and "群众反映地图" in page.text


def test_one_answer_serves_every_visitor_for_a_minute(db, reports, tmp_path):
    from types import SimpleNamespace

    from gridgov.public.map_service import cached_public_map

    state = SimpleNamespace(settings=make_settings("sqlite://", tmp_path, public_map=True), case_types=None)
    now, profile = utc_now(), load_profile("zhenjiang")
    first = cached_public_map(state, db, profile=profile, now=now)
    db.get(Case, db.scalar(select(Case.id).where(Case.state == "rejected"))).state = "reported"
    db.flush()
    assert cached_public_map(state, db, profile=profile, now=now + timedelta(seconds=59)) is first
    assert cached_public_map(state, db, profile=profile, now=now + timedelta(seconds=60))["reports"] == \
        first["reports"] + 1
