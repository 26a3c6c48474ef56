"""Boundary history: every import keeps it, the demo has it, and a point is located by date
(service, API and CLI). SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date

import pytest
import shapely
from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.authz.scope import SYSTEM
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.models import Grid, GridVersion
from gridgov.policy.loader import load_profile
from gridgov.territory import history, service, transfer

from .territory_data import VILLAGE, small_city


@pytest.fixture
def profile():
    return load_profile("zhenjiang")


def _versions(db, code):
    stmt = select(GridVersion).where(GridVersion.grid_code == code).order_by(GridVersion.valid_from, GridVersion.id)
    return db.scalars(stmt).all()


def test_every_demo_grid_has_an_open_version_that_mirrors_it(db):
    grids = db.scalar(select(func.count()).select_from(Grid).where(Grid.status == "active"))
    open_ = db.scalar(select(func.count()).select_from(GridVersion).where(GridVersion.valid_to.is_(None)))
    assert grids == open_ >= 1000
    g = db.scalars(select(Grid).limit(1)).one()
    (v,) = _versions(db, g.code)
    assert (v.name, v.kind, v.geom_wkb) == (g.name, g.kind, g.geom_wkb)


def test_an_import_opens_a_version_on_first_load_and_never_redraws_afterwards(db, profile):
    """Re-importing the same file opens no version; a moved boundary or a retirement by import is
    refused (it is a grid adjustment, whose history test_adjustments checks) and leaves the history."""
    now = utc_now()
    d1, d2 = date(2030, 1, 1), date(2030, 6, 1)
    data = small_city()
    transfer.import_feature_collection(db, SYSTEM, data, profile=profile, now=now, effective_on=d1)
    code = f"{VILLAGE}001"
    transfer.import_feature_collection(db, SYSTEM, data, profile=profile, now=now, effective_on=d2)
    assert [(v.valid_from, v.valid_to) for v in _versions(db, code)] == [(d1, None)]

    moved = copy.deepcopy(data)
    feature = next(f for f in moved["features"] if f["properties"]["code"] == code)
    for point in feature["geometry"]["coordinates"][0]:
        point[0] += 0.01
    with pytest.raises(Invalid, match="未写入任何数据"):
        transfer.import_feature_collection(db, SYSTEM, moved, profile=profile, now=now, effective_on=d2)
    feature["properties"]["status"] = "retired"
    with pytest.raises(Invalid, match="未写入任何数据"):
        transfer.import_feature_collection(db, SYSTEM, moved, profile=profile, now=now, effective_on=d2)
    assert [(v.valid_from, v.valid_to) for v in _versions(db, code)] == [(d1, None)]
    assert db.get(Grid, code).status == "active"


def test_a_database_without_history_still_locates_by_date(db):
    db.execute(GridVersion.__table__.delete())
    g = db.scalars(select(Grid).where(Grid.status == "active").limit(1)).one()
    point = shapely.point_on_surface(shapely.from_wkb(g.geom_wkb))
    assert service.locate(db, SYSTEM, point.x, point.y, on=date(2001, 1, 1)).grid_code == g.code
    assert history.backfill_versions(db, now=utc_now()) >= 1000
    assert service.locate(db, SYSTEM, point.x, point.y, on=date(2001, 1, 1)).grid_code is None


def test_the_api_gives_a_grids_history_and_locates_by_date(client, db):
    g = db.scalars(select(Grid).where(Grid.status == "active").order_by(Grid.code).limit(1)).one()
    body = client.get(f"/api/v1/grids/{g.code}/history").json()
    assert len(body) == 1 and body[0]["valid_to"] is None and body[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    point = shapely.point_on_surface(shapely.from_wkb(g.geom_wkb))
    today = body[0]["valid_from"]
    r = client.get("/api/v1/grids/locate", params={"lon": point.x, "lat": point.y, "date": today})
    assert r.status_code == 200 and r.json()["grid_code"] == g.code and r.json()["on"] == today
    r = client.get("/api/v1/grids/locate", params={"lon": point.x, "lat": point.y, "date": "1999-01-01"})
    assert r.status_code == 200 and r.json()["found"] is False and "1999-01-01" in r.json()["message"]
    r = client.get("/api/v1/grids/locate", params={"lon": point.x, "lat": point.y, "date": "2024-02-30"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["detail"]


def test_a_grids_history_is_inside_the_jurisdiction_only(client_as, db):
    from .adjustment_data import places

    p = places(db)
    worker = client_as("worker")
    assert worker.get(f"/api/v1/grids/{p.grid}/history").status_code == 200
    r = worker.get(f"/api/v1/grids/{p.grid2}/history")
    assert r.status_code == 404 and "不存在" in r.json()["detail"]


def test_the_cli_locates_by_date(fresh_url, cli_env, tmp_path):
    import json

    from gridgov.cli import app as cli

    cli_env(fresh_url)
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps(small_city()), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["grids", "import", str(path)]).exit_code == 0
    feature = next(f for f in small_city()["features"] if f["properties"]["code"] == f"{VILLAGE}001")
    point = shapely.point_on_surface(shapely.geometry.shape(feature["geometry"]))
    args = ["grids", "locate", str(point.x), str(point.y)]
    now = runner.invoke(cli, args)
    assert now.exit_code == 0 and f"{VILLAGE}001" in now.output
    old = runner.invoke(cli, [*args, "--date", "2001-01-01"])
    assert old.exit_code == 1 and "2001-01-01" in old.output
    bad = runner.invoke(cli, [*args, "--date", "2001-13-01"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    due = runner.invoke(cli, ["grids", "adjustments", "apply-due"])
    assert due.exit_code == 0 and "0" in due.output
