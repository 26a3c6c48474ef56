"""The public map's rounding (pure): a report's point becomes the centre of a fixed square cell.

The cells are laid on a fixed lattice (cell rows of equal latitude height from the equator; in each
row, columns of equal longitude width at the row's middle latitude), not around the points, so the
same place always gives the same centre: asking again, or watching the map over time, narrows
nothing. A report is only ever shown as "somewhere in this cell of ``cell_m`` metres".
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

METRES_PER_DEGREE = 111_320.0
"""Metres per degree of latitude (and of longitude at the equator), near enough at cell scale."""


def snap(lon: float, lat: float, cell_m: int) -> tuple[float, float]:
    """The centre ``(lon, lat)`` of the cell holding the point, rounded to 6 decimals."""
    dlat = cell_m / METRES_PER_DEGREE
    row = math.floor(lat / dlat)
    mid_lat = (row + 0.5) * dlat
    dlon = cell_m / (METRES_PER_DEGREE * max(math.cos(math.radians(mid_lat)), 0.01))
    col = math.floor(lon / dlon)
    return round((col + 0.5) * dlon, 6), round(mid_lat, 6)


@dataclass(frozen=True)
class Report:
    """What the public map reads of one report: no text, no person, no exact time."""

    lon: float
    lat: float
    grid_code: str
    grid_name: str
    type_code: str
    type_name: str
    open: bool


def cells(reports: list[Report], cell_m: int) -> list[dict]:
    """The reports counted per cell, and in each cell per grid, type and open/closed."""
    counts: dict[tuple[float, float], dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    for r in reports:
        counts[snap(r.lon, r.lat, cell_m)][(r.grid_code, r.grid_name, r.type_code, r.type_name, r.open)] += 1
    out = []
    for (lon, lat), groups in sorted(counts.items()):
        items = [{"grid_code": g, "grid_name": gn, "type": t, "type_name": tn, "state": "open" if o else "closed",
                  "count": n} for (g, gn, t, tn, o), n in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2],
                                                                                                  not kv[0][4]))]
        out.append({"lon": lon, "lat": lat, "count": sum(i["count"] for i in items), "items": items})
    return out
