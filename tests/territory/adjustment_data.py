"""Plans for grid adjustment tests, cut from the demo city's own grids so they fit exactly."""

from __future__ import annotations

from datetime import date, datetime

import shapely
from shapely.geometry import box, mapping
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.kit.clock import local
from gridgov.models import Grid, User

CITY = "321100000000"


def today(now: datetime) -> date:
    return local(now).date()


def principal_of(db, username: str, *, role: str | None = None, scope: str | None = None) -> Principal:
    """A demo account as a principal; ``role``/``scope`` stand it in for an account not in the demo."""
    user = db.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name,
                     role=role or user.role, scope_code=scope or user.scope_code)


def next_codes(db, village: str, n: int) -> list[str]:
    top = db.scalar(select(func.max(Grid.code)).where(Grid.code.startswith(village)))
    start = int(top[12:]) + 1
    return [f"{village}{start + i:03d}" for i in range(n)]


def halves(db, code: str):
    """The grid cut in two by a north-south line through its middle: (west, east)."""
    g = db.get(Grid, code)
    geom = shapely.from_wkb(g.geom_wkb)
    minx, miny, maxx, maxy = geom.bounds
    mid = (minx + maxx) / 2
    west = shapely.intersection(geom, box(minx - 1, miny - 1, mid, maxy + 1))
    east = shapely.intersection(geom, box(mid, miny - 1, maxx + 1, maxy + 1))
    return g, west, east


def feature(code: str, name: str, kind: str, households: int, geom) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name, "kind": kind, "households": households},
            "geometry": mapping(geom)}


def split_plan(db, grid_code: str) -> tuple[dict, list[str], object, object]:
    """A plan splitting ``grid_code`` into a west and an east grid with two new codes."""
    g, west, east = halves(db, grid_code)
    a, b = next_codes(db, grid_code[:12], 2)
    plan = {
        "features": [
            feature(a, f"{g.name}西", g.kind, g.households // 2, west),
            feature(b, f"{g.name}东", g.kind, g.households - g.households // 2, east),
        ],
        "retire": [grid_code],
    }
    return plan, [a, b], west, east


def places(db):
    return demo_places(db, CITY)
