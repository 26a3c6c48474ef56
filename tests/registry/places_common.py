"""What the tests of addresses, houses and units share: the demo places, a point inside a grid, a
valid unified social credit code, and an address registered through the API."""

from __future__ import annotations

import shapely
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.models import Grid
from gridgov.registry.rules import uscc_check_char

CITY = "321100000000"


def places_of(db):
    return demo_places(db, CITY)


def point_in(db, grid_code: str) -> tuple[float, float]:
    """A WGS84 point inside a grid (its representative point)."""
    wkb = db.scalar(select(Grid.geom_wkb).where(Grid.code == grid_code))
    p = shapely.from_wkb(wkb).representative_point()
    return p.x, p.y


def uscc(first17: str) -> str:
    """A valid unified social credit code (GB 32100) for 17 characters."""
    return first17 + uscc_check_char(first17)


def new_address(client, db, grid_code: str, road: str = "解放路", house_no: str = "12", **extra) -> dict:
    lon, lat = point_in(db, grid_code)
    body = {"area_code": grid_code[:12], "road": road, "house_no": house_no, "lon": lon, "lat": lat, **extra}
    r = client.post("/api/v1/addresses", json=body)
    assert r.status_code == 201, r.text
    return r.json()
