"""Plain builders of small territories for tests: a city 329900 that the demo never uses."""

from __future__ import annotations

CITY = "329900000000"
COUNTY = "329901000000"
TOWN = "329901001000"
VILLAGE = "329901001001"
LON0, LAT0 = 120.0, 31.0
STEP = 0.001


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON polygon for the cell box in STEP units from (LON0, LAT0)."""
    ring = [
        [LON0 + x0 * STEP, LAT0 + y0 * STEP],
        [LON0 + x1 * STEP, LAT0 + y0 * STEP],
        [LON0 + x1 * STEP, LAT0 + y1 * STEP],
        [LON0 + x0 * STEP, LAT0 + y1 * STEP],
        [LON0 + x0 * STEP, LAT0 + y0 * STEP],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def area(code: str, name: str, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": {"layer": "area", "code": code, "name": name}, "geometry": geometry}


def grid(seq: int, geometry: dict | None, *, kind: str = "urban", households: int = 400, **extra) -> dict:
    props = {"layer": "grid", "code": f"{VILLAGE}{seq:03d}", "name": f"测试社区第{seq}网格", "kind": kind,
             "households": households, "population": households * 3, **extra}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def small_city(grids: list[dict] | None = None) -> dict:
    """City → county → town → village (boundary 4 × 2 cells), with two grids tiling the village."""
    if grids is None:
        grids = [grid(1, box(0, 0, 2, 2)), grid(2, box(2, 0, 4, 2))]
    return collection(
        area(CITY, "测试市", box(0, 0, 4, 2)),
        area(COUNTY, "测试区", box(0, 0, 4, 2)),
        area(TOWN, "测试街道", box(0, 0, 4, 2)),
        area(VILLAGE, "测试社区", box(0, 0, 4, 2)),
        *grids,
    )
