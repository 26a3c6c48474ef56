"""Issue 13: a grid import loads grids, it does not adjust them (A3), on SQLite and PostgreSQL.

The first load of a village with no active grid is a plain import, audited; redrawing, retiring or
re-coding an active grid by import is refused, row by row, with the adjustment path named, through
the API and the CLI alike, and nothing is written.
"""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import mapping
from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Grid, GridVersion

from .adjustment_data import halves, places, today
from .territory_data import VILLAGE, box, grid, small_city

pytestmark = pytest.mark.req("A3")


def _imports(db) -> int:
    return db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "grids_imported"))


def _as_feature(g: Grid, **props) -> dict:
    base = {"layer": "grid", "code": g.code, "name": g.name, "kind": g.kind, "dedicated_type": g.dedicated_type,
            "households": g.households, "population": g.population, "status": g.status}
    return {"type": "Feature", "properties": {**base, **props}, "geometry": mapping(shapely.from_wkb(g.geom_wkb))}


def _post(client, features: list[dict]):
    body = json.dumps({"type": "FeatureCollection", "features": features})
    return client.post("/api/v1/grids/import", content=body, headers={"content-type": "application/geo+json"})


def test_a_redraw_retirement_or_recode_by_import_is_refused_outside_the_adjustment_path(client, client_as, db):
    p = places(db)
    g = db.get(Grid, p.grid)
    before = (g.geom_wkb, g.name, g.status, _imports(db))
    versions = db.scalar(select(func.count()).select_from(GridVersion).where(GridVersion.grid_code == g.code))
    moved = shapely.affinity.translate(shapely.from_wkb(g.geom_wkb), xoff=0.0005)
    top = db.scalar(select(func.max(Grid.code)).where(Grid.code.startswith(g.code[:12])))
    recoded = f"{g.code[:12]}{int(top[12:]) + 1:03d}"
    features = [
        _as_feature(g) | {"geometry": mapping(moved)},          # 0 redraw
        _as_feature(db.get(Grid, p.grid2), status="retired"),   # 1 retire
        _as_feature(g, code=recoded),                           # 2 a new code in a divided village
    ]
    r = _post(client, features)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "未写入任何数据" in body["detail"]
    errors = {e["index"]: e["reason"] for e in body["errors"]}
    assert set(errors) == {0, 1, 2}
    assert "调整边界" in errors[0] and "撤销该网格" in errors[1] and "新设网格" in errors[2]
    assert all("网格调整" in reason and "县级网格化机构批准" in reason for reason in errors.values())
    db.expire_all()
    g = db.get(Grid, p.grid)
    assert (g.geom_wkb, g.name, g.status, _imports(db)) == before
    assert db.get(Grid, p.grid2).status == "active" and db.get(Grid, recoded) is None
    assert db.scalar(select(func.count()).select_from(GridVersion).where(GridVersion.grid_code == g.code)) == versions

    # The adjustment path stays open for the same kind of change: the town proposes a redraw.
    _g, west, _east = halves(db, g.code)
    redraw = {"kind": "redraw", "town_code": p.town, "trigger": "relocation", "reason": "拆迁后边界变化",
              "committee_opinion": "社区居委会同意", "effective_on": str(today(utc_now())),
              "plan": {"features": [_as_feature(g) | {"geometry": mapping(west)}], "retire": []}}
    r = client_as("town_dispatcher").post("/api/v1/adjustments", json=redraw)
    assert r.status_code == 201, r.text
    assert r.json()["redrawn_codes"] == [g.code] and r.json()["status"] == "proposed"


def test_a_first_load_of_an_empty_village_is_a_plain_import_and_is_audited(client, db):
    village = "321102001990"
    feats = [{"type": "Feature", "properties": {"layer": "area", "code": village, "name": "新建社区"},
              "geometry": box(0, 0, 4, 2)}]
    for seq, cells in ((1, (0, 0, 2, 2)), (2, (2, 0, 4, 2))):
        f = grid(seq, box(*cells))
        f["properties"]["code"] = f"{village}{seq:03d}"
        feats.append(f)
    before = _imports(db)
    r = _post(client, feats)
    assert r.status_code == 200 and r.json()["grids_created"] == 2, r.text
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "grids_imported")
                       .order_by(AuditEntry.id.desc()).limit(1)).one()
    assert _imports(db) == before + 1
    assert entry.actor == "city_admin" and entry.area_code == village and entry.after["grids_created"] == 2
    # The same file again changes nothing of the division: accepted (and audited), counts may move.
    feats[1]["properties"]["households"] = 420
    r = _post(client, feats)
    assert r.status_code == 200 and r.json()["grids_updated"] == 2
    assert db.get(Grid, f"{village}001").households == 420 and _imports(db) == before + 2


def test_the_cli_import_refuses_a_redraw_too(fresh_url, cli_env, tmp_path):
    from gridgov.cli import app as cli

    cli_env(fresh_url)
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps(small_city()), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["grids", "import", str(path)])
    assert first.exit_code == 0, first.output
    moved = small_city([grid(1, box(0, 0, 2.5, 2)), grid(2, box(2.5, 0, 4, 2))])
    path.write_text(json.dumps(moved), encoding="utf-8")
    again = runner.invoke(cli, ["grids", "import", str(path)])
    assert again.exit_code != 0
    assert f"{VILLAGE}001" in again.output and "网格调整" in again.output and "调整边界" in again.output
