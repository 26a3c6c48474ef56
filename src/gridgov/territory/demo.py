"""The demo city: a synthetic territory of areas and grids laid over a real city, built deterministically.

Only the city and its county-level divisions are real (GB/T 2260 codes and names, from the policy
profile: :func:`demo_city_of`); the towns, villages and grids below them are invented, with codes
that follow the statistical division rules (towns ``0xx`` for streets 街道 and ``1xx`` for towns
镇; villages ``0xx``–``1xx`` for communities 社区 under streets and ``2xx``–``3xx`` for villages 村
under towns; a grid is its village's code + ``001``…).

This module is the layout; the real city, the sizes and the name tables it draws on are in
:mod:`gridgov.territory.demo_data`.

The invariants the output keeps, whatever the inputs:

* Exact tiling. Geometry is built in integer units of 1e-7° (the seven decimals of the output), by
  guillotine cuts: a rectangle is cut into columns, each column into cells, with jittered cut
  positions. Grids tile their village, villages their town, towns their county, counties the city;
  a shared edge is the same integer coordinate on both sides, so it stays identical after the
  conversion to degrees. Every polygon of a level also carries the vertices its neighbours have on
  its edges (the layout is *noded*), so each level is a valid polygonal coverage for GEOS.
* Determinism. Every random choice comes from ``random.Random`` instances seeded from the city code
  and the grid count, so the same inputs give byte-identical output. The random streams are split by
  phase, so switching dedicated grids on or off changes nothing else.
* Size. Exactly ``grids`` grids (a tiny coastal city may get one or two more so that each coastal
  village keeps a grid on land), about 12 per village and 7 villages per town, three counties (and
  the profile's special zones, QZ§4, as further county-level areas beside them); a grid
  is about 500 m across, so the city grows with the grid count.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gridgov.kit import gc_paused
from gridgov.models.territory import (
    DEDICATED_TYPE_LABELS,
    AreaLevel,
    DedicatedType,
    GridKind,
)
from gridgov.territory.demo_data import (
    CELL_DEG_LAT,
    CITY_ASPECT,
    COASTAL_STEMS,
    COMMUNITY_STEMS,
    COUNTIES,
    DEDICATED_HOUSEHOLDS,
    DEFAULT_DEDICATED,
    DEFAULT_HOUSEHOLD_NORMS,
    GRIDS_PER_DEDICATED,
    GRIDS_PER_VILLAGE,
    JITTER,
    MARITIME_HOUSEHOLDS,
    MAX_GRIDS,
    MAX_GRIDS_PER_VILLAGE,
    MAX_TOWNS_PER_COUNTY,
    MAX_VILLAGES_PER_TOWN,
    MIN_GRIDS,
    PERSONS_PER_HOUSEHOLD,
    SEA_DEPTH_CELLS,
    TOWN_STEMS,
    UNIT,
    URBAN_DEDICATED,
    VILLAGE_STEMS,
    VILLAGES_PER_TOWN,
    DemoCity,
    dedicated_types,
    demo_city_of,
    household_norms_of,
)

# The data module's names the callers read from here (the city and the defaults they build it with).
__all__ = ["DEFAULT_DEDICATED", "DEFAULT_HOUSEHOLD_NORMS", "DemoCity", "build_demo_city", "demo_city_of"]

Rect = tuple[int, int, int, int]
"""An axis-aligned rectangle (west, south, east, north) in integer units."""
Ring = list[tuple[int, int]]
"""A polygon's exterior ring in integer units, counter-clockwise, not closed."""


@dataclass(eq=False)
class _Village:
    """A village or community while it is being laid out; ``rect`` includes any sea strip."""

    land: Rect
    grids: int
    rect: Rect = (0, 0, 0, 0)
    sea: Rect | None = None
    sea_grids: int = 0
    code: str = ""
    name: str = ""


@dataclass(eq=False)
class _Town:
    """A street or town while it is being laid out; streets hold communities, towns villages."""

    rect: Rect
    villages: list[_Village]
    street: bool = False
    code: str = ""
    name: str = ""


@dataclass(eq=False)
class _County:
    """A county-level division while it is being laid out; ``code`` is its 12-digit area code."""

    code: str
    name: str
    rect: Rect
    towns: list[_Town] = field(default_factory=list)


@dataclass(eq=False)
class _Grid:
    """A grid while it is being built; ``seq`` is its sequence in the village (the last 3 digits)."""

    village: _Village
    rect: Rect
    kind: str
    seq: int
    dedicated_type: str | None = None
    households: int = 0
    population: int = 0


def build_demo_city(
    city: DemoCity,
    *,
    grids: int = 1000,
    allow_dedicated: Collection[str] = DEFAULT_DEDICATED,
    allow_maritime: bool = False,
    household_norms: Mapping[str, Any] | None = None,
) -> dict:
    """The demo territory of ``city`` as a GeoJSON FeatureCollection (WGS84 lon/lat).

    Features are areas (``properties.layer == "area"``: code, name, level) level by level, city
    first, then grids (``layer == "grid"``: code, name, kind, dedicated_type, households,
    population). ``allow_dedicated`` names the dedicated types that may appear (empty: none);
    ``allow_maritime`` alone decides maritime grids (a ``"maritime"`` in ``allow_dedicated`` is
    accepted and ignored): a sea strip off the south of the first county, inside its coastal
    villages. ``household_norms`` (``{"urban": {"min": .., "max": ..}, "rural": {...}}``) bounds the
    households of comprehensive grids; a missing kind or bound falls back to the JS§6 defaults.
    """
    if isinstance(grids, bool) or not isinstance(grids, int) or not MIN_GRIDS <= grids <= MAX_GRIDS:
        raise ValueError(f"grids must be an integer between {MIN_GRIDS} and {MAX_GRIDS}, got {grids!r}")
    dedicated = dedicated_types(allow_dedicated)
    norms = household_norms_of(household_norms)
    with gc_paused():
        return _build(city, grids, dedicated, allow_maritime, norms)




def _build(
    city: DemoCity, grids: int, dedicated: list[str], allow_maritime: bool, norms: dict[str, tuple[int, int]]
) -> dict:
    seed = f"gridgov-demo/{city.city_code}/{grids}"
    phases = ("counts", "layout", "names", "grids", "people", "dedicated")
    rng = {phase: random.Random(f"{seed}/{phase}") for phase in phases}

    kx = math.cos(math.radians(city.centre_lat))
    cell_h = CELL_DEG_LAT * UNIT
    cell_w = cell_h / kx
    counties, city_rect = _lay_out(city, grids, rng["counts"], rng["layout"], kx, cell_w, cell_h)
    city_ring = _ring(city_rect)
    if allow_maritime:
        city_ring = _add_sea(counties, city_rect, round(SEA_DEPTH_CELLS * cell_h), cell_w)
    _assign_codes_and_names(counties, city_rect, kx, rng["names"])
    grid_list = _lay_out_grids(counties, rng["grids"], kx)
    _fill_people(grid_list, norms, rng["people"])
    _place_dedicated(grid_list, dedicated, rng["dedicated"])

    towns = [t for c in counties for t in c.towns]
    villages = [v for t in towns for v in t.villages]
    features: list[dict] = [_area_feature(city.area_code, city.city_name, AreaLevel.CITY, city_ring)]
    county_rings = _node([_ring(c.rect) for c in counties])
    features += [_area_feature(c.code, c.name, AreaLevel.COUNTY, r) for c,
                 r in zip(counties, county_rings, strict=True)]
    town_rings = _node([_ring(t.rect) for t in towns])
    features += [_area_feature(t.code, t.name, AreaLevel.TOWN, r) for t, r in zip(towns, town_rings, strict=True)]
    village_rings = _node([_ring(v.rect) for v in villages])
    features += [_area_feature(v.code, v.name, AreaLevel.VILLAGE, r) for v,
                 r in zip(villages, village_rings, strict=True)]
    grid_rings = _node([_ring(g.rect) for g in grid_list])
    features += [_grid_feature(g, r) for g, r in zip(grid_list, grid_rings, strict=True)]
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------- layout


def _apportion(total: int, parts: int, rng: random.Random, spread: float) -> list[int]:
    """``total`` split into ``parts`` positive integers with random weights 1 ± spread (largest remainder)."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [max(1, int(r)) for r in raw]
    diff = total - sum(counts)
    if diff > 0:
        for i in sorted(range(parts), key=lambda i: (int(raw[i]) - raw[i], i))[:diff]:
            counts[i] += 1
    while diff < 0:
        i = max(range(parts), key=lambda i: (counts[i], -i))
        counts[i] -= 1
        diff += 1
    return counts


def _cuts(start: int, end: int, weights: Sequence[float]) -> list[int]:
    """Positions that cut [start, end] into pieces proportional to ``weights`` (end may be < start)."""
    total = sum(weights)
    out, acc = [start], 0.0
    for w in weights[:-1]:
        acc += w
        out.append(start + round((end - start) * acc / total))
    out.append(end)
    return out


def _split(rect: Rect, weights: Sequence[float], rng: random.Random, kx: float, cols: int | None = None) -> list[Rect]:
    """A guillotine cut of ``rect`` into one rectangle per weight, areas roughly proportional to it.

    The rectangle is cut into columns (west to east), each column into cells (north to south); the
    column count makes the cells roughly square in metres, and each share is jittered by 1 ± JITTER.
    The result is in that reading order and tiles ``rect`` exactly.
    """
    n = len(weights)
    if n == 1:
        return [rect]
    x0, y0, x1, y1 = rect
    if cols is None:
        aspect = (x1 - x0) * kx / (y1 - y0)
        cols = min(n, max(1, round(math.sqrt(n * aspect))))
    jittered = [w * rng.uniform(1 - JITTER, 1 + JITTER) for w in weights]
    base, extra = divmod(n, cols)
    groups, i = [], 0
    for c in range(cols):
        size = base + (1 if c < extra else 0)
        groups.append(jittered[i : i + size])
        i += size
    xs = _cuts(x0, x1, [sum(g) for g in groups])
    out = []
    for c, group in enumerate(groups):
        ys = _cuts(y1, y0, group)
        out.extend((xs[c], ys[r + 1], xs[c + 1], ys[r]) for r in range(len(group)))
    return out


def _lay_out(
    city: DemoCity, grids: int, rng_counts: random.Random, rng: random.Random, kx: float, cell_w: float, cell_h: float
) -> tuple[list[_County], Rect]:
    """Counts per level and the land rectangles of counties, towns and villages."""
    units = list(city.counties[:COUNTIES])
    if grids >= 2 * (COUNTIES + len(city.zones)):  # special zones (QZ§4) when the city can hold them
        units += city.zones
    n = len(units)
    n_villages = min(grids, max(2 * n, round(grids / GRIDS_PER_VILLAGE)))
    per_county = round(n_villages / (n * VILLAGES_PER_TOWN))
    towns_per_county = min(MAX_TOWNS_PER_COUNTY, n_villages // n, max(2, per_county))
    villages_per_town = _apportion(n_villages, n * towns_per_county, rng_counts, 0.25)
    grids_per_village = _apportion(grids, n_villages, rng_counts, 0.35)
    if max(villages_per_town) > MAX_VILLAGES_PER_TOWN or max(grids_per_village) > MAX_GRIDS_PER_VILLAGE:
        raise ValueError(f"{grids} grids do not fit the code space of three counties")

    cols = math.sqrt(grids * CITY_ASPECT)
    width, height = round(cols * cell_w), round(grids / cols * cell_h)
    x0 = round(city.centre_lon * UNIT) - width // 2
    y0 = round(city.centre_lat * UNIT) - height // 2
    city_rect = (x0, y0, x0 + width, y0 + height)

    counts = iter(grids_per_village)
    town_counts = [[next(counts) for _ in range(n)] for n in villages_per_town]
    county_towns = [town_counts[i * towns_per_county : (i + 1) * towns_per_county] for i in range(n)]
    # Side by side (each unit reaches the south edge, where the first county's sea strip joins it).
    county_rects = _split(city_rect, [sum(map(sum, tc)) for tc in county_towns], rng, kx, cols=n)
    counties = []
    for (code, name), rect, tcounts in zip(units, county_rects, county_towns, strict=True):
        county = _County(code + "000000", name, rect)
        for trect, vcounts in zip(_split(rect, [sum(v) for v in tcounts], rng, kx), tcounts, strict=True):
            vrects = _split(trect, vcounts, rng, kx)
            county.towns.append(_Town(trect, [_Village(r, n, r) for r, n in zip(vrects, vcounts, strict=True)]))
        counties.append(county)
    return counties, city_rect


def _add_sea(counties: list[_County], city_rect: Rect, depth: int, cell_w: float) -> Ring:
    """Extends the first county's southern villages (and their towns and county) over a sea strip.

    Each coastal village keeps its land grids on land and gets maritime grids across its sea strip,
    taken out of its grid count. Returns the city's ring, which is no longer a rectangle.
    """
    x0, south, x1, y1 = city_rect
    sea_south = south - depth
    county = counties[0]
    county.rect = (county.rect[0], sea_south, county.rect[2], county.rect[3])
    for town in county.towns:
        if town.rect[1] != south:
            continue
        town.rect = (town.rect[0], sea_south, town.rect[2], town.rect[3])
        for v in town.villages:
            if v.land[1] != south:
                continue
            vx0, _, vx1, vy1 = v.land
            v.rect = (vx0, sea_south, vx1, vy1)
            v.sea = (vx0, sea_south, vx1, south)
            v.sea_grids = max(1, min(round((vx1 - vx0) / cell_w), v.grids - 1))
            v.grids = max(v.grids, v.sea_grids + 1)
    east = county.rect[2]
    return [(x0, sea_south), (east, sea_south), (east, south), (x1, south), (x1, y1), (x0, y1)]


def _assign_codes_and_names(counties: list[_County], city_rect: Rect, kx: float, rng: random.Random) -> None:
    """Streets are the half of each county's towns nearest the city centre; codes follow reading order."""
    cx, cy = (city_rect[0] + city_rect[2]) / 2, (city_rect[1] + city_rect[3]) / 2

    def distance(t: _Town) -> float:
        return math.hypot(((t.rect[0] + t.rect[2]) / 2 - cx) * kx, (t.rect[1] + t.rect[3]) / 2 - cy)

    stems = rng.sample(TOWN_STEMS, sum(len(c.towns) for c in counties))
    for county in counties:
        by_distance = sorted(range(len(county.towns)), key=lambda i: (distance(county.towns[i]), i))
        for i in by_distance[: (len(county.towns) + 1) // 2]:
            county.towns[i].street = True
        streets = [t for t in county.towns if t.street]
        towns = [t for t in county.towns if not t.street]
        for seq, town in enumerate(streets, start=1):
            town.code, town.name = f"{county.code[:6]}{seq:03d}000", stems.pop() + "街道"
        for seq, town in enumerate(towns, start=100):
            town.code, town.name = f"{county.code[:6]}{seq:03d}000", stems.pop() + "镇"
        county.towns = streets + towns
        for town in county.towns:
            _name_villages(town, rng)


def _name_villages(town: _Town, rng: random.Random) -> None:
    first, suffix, pool = (1, "社区", COMMUNITY_STEMS) if town.street else (200, "村", VILLAGE_STEMS)
    coastal = [v for v in town.villages if v.sea is not None]
    coastal_stems = rng.sample(COASTAL_STEMS, min(len(coastal), len(COASTAL_STEMS)))
    plain = [s for s in rng.sample(pool, len(town.villages) + len(coastal_stems)) if s not in coastal_stems]
    for seq, village in enumerate(town.villages, start=first):
        stem = coastal_stems.pop() if village.sea is not None and coastal_stems else plain.pop()
        village.code, village.name = f"{town.code[:9]}{seq:03d}", stem + suffix


def _lay_out_grids(counties: list[_County], rng: random.Random, kx: float) -> list[_Grid]:
    """Each village's grids: its land cut into comprehensive grids, its sea strip into maritime ones."""
    out: list[_Grid] = []
    for county in counties:
        for town in county.towns:
            kind = GridKind.URBAN.value if town.street else GridKind.RURAL.value
            for v in town.villages:
                n_land = v.grids - v.sea_grids
                rects = _split(v.land, [1.0] * n_land, rng, kx)
                out.extend(_Grid(v, r, kind, seq) for seq, r in enumerate(rects, start=1))
                if v.sea is not None:
                    rects = _split(v.sea, [1.0] * v.sea_grids, rng, kx, cols=v.sea_grids)
                    out.extend(
                        _Grid(v, r, GridKind.DEDICATED.value, seq, DedicatedType.MARITIME.value)
                        for seq, r in enumerate(rects, start=n_land + 1)
                    )
    return out


def _fill_people(grid_list: list[_Grid], norms: dict[str, tuple[int, int]], rng: random.Random) -> None:
    """Households inside the norm of the grid's kind (rural clustered around the middle: "about 300")."""
    lo_p, hi_p = PERSONS_PER_HOUSEHOLD
    for g in grid_list:
        if g.kind == GridKind.RURAL:
            lo, hi = norms["rural"]
            h = min(hi, max(lo, round(rng.triangular(lo, hi))))
        elif g.kind == GridKind.URBAN:
            lo, hi = norms["urban"]
            h = rng.randint(lo, hi)
        else:
            h = rng.randint(*MARITIME_HOUSEHOLDS)
        g.households, g.population = h, round(h * rng.uniform(lo_p, hi_p))


def _place_dedicated(grid_list: list[_Grid], types: list[str], rng: random.Random) -> None:
    """Turns land grids into dedicated grids, at most one per village, each type at least once.

    Urban kinds (admin centre, office building, market, school, hospital) go to communities, the
    others (park, enterprise, canal hub) to villages; either falls back to any village when its own
    kind runs out. Types are dealt round-robin so that a small city still gets one of each.
    """
    if not types:
        return
    by_village: dict[_Village, list[_Grid]] = {}
    for g in grid_list:
        if g.kind != GridKind.DEDICATED:
            by_village.setdefault(g.village, []).append(g)
    roomy = [v for v, gs in by_village.items() if len(gs) >= 2] or list(by_village)
    urban = [v for v in roomy if by_village[v][0].kind == GridKind.URBAN]
    rural = [v for v in roomy if by_village[v][0].kind == GridKind.RURAL]
    rng.shuffle(urban)
    rng.shuffle(rural)
    each = max(1, len(grid_list) // GRIDS_PER_DEDICATED)
    lo_p, hi_p = PERSONS_PER_HOUSEHOLD
    for _ in range(each):
        for dtype in types:
            own, other = (urban, rural) if dtype in URBAN_DEDICATED else (rural, urban)
            if not own and not other:
                return
            village = (own or other).pop()
            grid = by_village[village][rng.randrange(len(by_village[village]))]
            grid.kind, grid.dedicated_type = GridKind.DEDICATED.value, dtype
            grid.households = rng.randint(*DEDICATED_HOUSEHOLDS)
            grid.population = round(grid.households * rng.uniform(lo_p, hi_p))


# ---------------------------------------------------------------- output


def _ring(rect: Rect) -> Ring:
    x0, y0, x1, y1 = rect
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _node(rings: list[Ring]) -> list[Ring]:
    """The rings with every vertex of the others that lies on one of their edges inserted in place.

    All edges are axis-parallel, so a vertex lies on an edge exactly when it shares the edge's x
    (or y) and falls strictly between its ends; the inserted points change no area and make shared
    edges carry the same vertices on both sides.
    """
    at_x: dict[int, set[int]] = {}
    at_y: dict[int, set[int]] = {}
    for ring in rings:
        for x, y in ring:
            at_x.setdefault(x, set()).add(y)
            at_y.setdefault(y, set()).add(x)
    xs = {x: sorted(ys) for x, ys in at_x.items()}
    ys = {y: sorted(xs_) for y, xs_ in at_y.items()}
    out = []
    for ring in rings:
        noded: Ring = []
        n = len(ring)
        for i in range(n):
            ax, ay = a = ring[i]
            bx, by = ring[(i + 1) % n]
            noded.append(a)
            if ax == bx:
                line, lo, hi = xs[ax], min(ay, by), max(ay, by)
                mids = line[bisect_right(line, lo) : bisect_left(line, hi)]
                if mids:
                    noded.extend((ax, y) for y in (mids if ay < by else reversed(mids)))
            else:
                line, lo, hi = ys[ay], min(ax, bx), max(ax, bx)
                mids = line[bisect_right(line, lo) : bisect_left(line, hi)]
                if mids:
                    noded.extend((x, ay) for x in (mids if ax < bx else reversed(mids)))
        out.append(noded)
    return out


def _coords(ring: Ring) -> list[list[list[float]]]:
    """A closed GeoJSON ring in degrees; an integer / UNIT is the double nearest the 7-decimal value."""
    pts = [[x / UNIT, y / UNIT] for x, y in ring]
    pts.append(list(pts[0]))
    return [pts]


def _area_feature(code: str, name: str, level: AreaLevel, ring: Ring) -> dict:
    return {
        "type": "Feature",
        "properties": {"layer": "area", "code": code, "name": name, "level": level.value},
        "geometry": {"type": "Polygon", "coordinates": _coords(ring)},
    }


def _grid_feature(g: _Grid, ring: Ring) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "layer": "grid",
            "code": f"{g.village.code}{g.seq:03d}",
            "name": _grid_name(g),
            "kind": g.kind,
            "dedicated_type": g.dedicated_type,
            "households": g.households,
            "population": g.population,
        },
        "geometry": {"type": "Polygon", "coordinates": _coords(ring)},
    }


def _grid_name(g: _Grid) -> str:
    """第N网格 with N the grid's sequence in its code; dedicated grids are named by their type."""
    if g.dedicated_type == DedicatedType.MARITIME:
        return f"{g.village.name}海上第{g.seq - (g.village.grids - g.village.sea_grids)}网格"
    if g.dedicated_type is not None:
        return f"{g.village.name}{DEDICATED_TYPE_LABELS[DedicatedType(g.dedicated_type)]}网格"
    return f"{g.village.name}第{g.seq}网格"
