"""Which grid a position falls in: a point-in-polygon index over every grid boundary.

The rule for a point that more than one grid claims
---------------------------------------------------
Grids tile their village without gaps or overlaps, so the only points that two grids share are
on their common boundary: a shared edge, or a vertex shared by three or four grids. Each grid is
taken as its *closed* polygon (boundary included), and a point that several closed polygons
contain belongs to **the grid with the smallest code** (Python ``str`` order; grid codes are
fixed-width digit strings, so this is also numeric order). The answer therefore depends only on
the set of grids, never on the order they were given in. A point that no grid contains belongs to
no grid (``None``); locating never fails for a point outside the tiling.

Invalid input
-------------
A longitude outside [-180, 180], a latitude outside [-90, 90], NaN or infinity is not a position.
:meth:`GridLocator.locate` (one point, typically straight from a request) raises ``ValueError``
with a Chinese message, so the caller can tell "bad coordinates" from "outside every grid".
:meth:`GridLocator.locate_many` (a batch, typically an import or a re-assignment job) never
raises for such values: their slots come back ``None``, like points outside every grid.
Coordinates are checked as given, before any conversion to WGS84.

How it is fast
--------------
Geometries are stored sorted by code, so a tree index *is* a code rank and "smallest code" is
"smallest index".

* One point: one ``STRtree`` query with the "intersects" predicate. Shapely's Python wrappers
  (``Point()``, ``STRtree.query``) cost more than the GEOS work, so the locator calls the two
  shapely C functions underneath them directly when they are there and give the same answer on
  a probe, and falls back to the public calls otherwise (see :func:`_single_query`).
* A batch is first put in spatial order (band by band, west to east), because the cost of a
  tree query is mostly cache misses: in random order a query on 100,000 grids touches cold
  nodes and polygons every time, in spatial order it reuses what the previous point loaded,
  which makes the same queries several times faster. Points are then built and queried in
  chunks, and the (point, grid) pairs the tree returns, grouped by point, are reduced to one
  answer per point with ``np.minimum.reduceat``: no Python loop per point. Python's cyclic
  garbage collector is paused while a chunk's point objects exist (they hold no cycles, and
  collection passes over a million of them cost more than creating them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from gridgov.geo.crs import Crs, parse_crs, to_wgs84
from gridgov.kit import gc_paused

__all__ = ["GridLocator"]

_POLYGON_TYPE_IDS = [int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)]
_CHUNK = 131_072
"""Points built and queried at a time: amortises per-call costs while bounding memory."""
_MAX_CELLS = 65_000
"""Cells per axis in the spatial ordering, so a cell number fits the 16 bits a radix sort takes."""

SingleQuery = Callable[[float, float], NDArray[np.intp]]




def _is_valid_position(lon: float, lat: float) -> bool:
    return -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0


def _public_single_query(tree: shapely.STRtree) -> SingleQuery:
    def query(x: float, y: float) -> NDArray[np.intp]:
        return tree.query(shapely.Point(x, y), predicate="intersects")

    return query


def _single_query(tree: shapely.STRtree, probes: list[tuple[float, float]]) -> SingleQuery:
    """The tree's "which geometries intersect (x, y)" query, as cheap as this shapely allows.

    ``shapely.Point(x, y)`` and ``STRtree.query`` spend most of a single lookup in Python
    argument handling; ``shapely.lib.points`` and the tree's ``_tree.query`` are the C functions
    they end in. Those are not public API, so they are used only if they exist and agree with
    the public calls on every probe point; otherwise the public calls are used.
    """
    public = _public_single_query(tree)
    try:
        make_points = shapely.lib.points
        raw_query = tree._tree.query
        predicate = shapely.strtree.BinaryPredicate.get_value("intersects")
        allow_nan = np.intc(shapely.creation.HandleNaN.get_value("allow"))

        def fast(x: float, y: float) -> NDArray[np.intp]:
            return raw_query(make_points(np.array(((x, y),)), allow_nan), predicate)[1]

        for x, y in probes:
            if sorted(fast(x, y).tolist()) != sorted(public(x, y).tolist()):
                return public
    except Exception:
        return public
    return fast


class GridLocator:
    """An immutable index from position to grid code over a fixed set of grid boundaries.

    ``codes[i]`` names the grid whose boundary is ``geometries[i]``, a shapely Polygon or
    MultiPolygon in WGS84 lon/lat. Codes must be unique. Geometries are assumed valid (the
    coverage checks see to that); an empty one never matches. Safe to share between threads.
    """

    def __init__(self, codes: Sequence[str], geometries: Sequence[BaseGeometry]) -> None:
        code_list = list(codes)
        geom_list = list(geometries)
        if len(code_list) != len(geom_list):
            raise ValueError(
                "网格编码与网格边界的数量不一致:"
                f"{len(code_list)} 个编码,{len(geom_list)} 个边界"
            )
        for code in code_list:
            if not isinstance(code, str) or not code:
                raise ValueError(f"网格编码必须是非空字符串:{code!r}")
        if len(set(code_list)) != len(code_list):
            seen: set[str] = set()
            duplicate = next(c for c in code_list if c in seen or seen.add(c))
            raise ValueError(f"网格编码重复:{duplicate}")

        geoms = np.empty(len(geom_list), dtype=object)
        geoms[:] = geom_list
        bad = ~np.isin(shapely.get_type_id(geoms), _POLYGON_TYPE_IDS)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"网格 {code_list[i]} 的边界不是多边形或多多边形:{geom_list[i]!r}"
            )

        order = sorted(range(len(code_list)), key=code_list.__getitem__)
        geoms = geoms[order]
        self._codes: NDArray[np.object_] = np.empty(len(order), dtype=object)
        self._codes[:] = [code_list[i] for i in order]
        self._tree = shapely.STRtree(geoms)
        self._init_cells(shapely.bounds(geoms))
        matchable = geoms[~shapely.is_empty(geoms)]
        if matchable.size == 0:
            self._query_one: SingleQuery | None = None
        else:
            probes = [(p.x, p.y) for p in shapely.point_on_surface(matchable[:3])]
            probes.append((self._x0 - 1.0, self._y0 - 1.0))
            self._query_one = _single_query(self._tree, probes)

    def _init_cells(self, bounds: NDArray[np.float64]) -> None:
        """Origin and cell size (about one grid) of the lattice that orders batch queries."""
        self._x0 = self._y0 = 0.0
        self._x_per_cell = self._y_per_cell = 1.0
        self._extent: list[float] | None = None
        finite = bounds[np.isfinite(bounds).all(axis=1)]
        if finite.size == 0:
            return
        self._extent = [float(finite[:, 0].min()), float(finite[:, 1].min()), float(finite[:, 2].max()),
                        float(finite[:, 3].max())]
        self._x0 = float(finite[:, 0].min())
        self._y0 = float(finite[:, 1].min())
        span_x = float(finite[:, 2].max()) - self._x0
        span_y = float(finite[:, 3].max()) - self._y0
        cell_x = float(np.median(finite[:, 2] - finite[:, 0]))
        cell_y = float(np.median(finite[:, 3] - finite[:, 1]))
        self._x_per_cell = max(cell_x, span_x / _MAX_CELLS, 1e-9)
        self._y_per_cell = max(cell_y, span_y / _MAX_CELLS, 1e-9)

    def __len__(self) -> int:
        return len(self._codes)

    def extent(self) -> list[float] | None:
        """[west, south, east, north] of every grid (WGS84); None without grids (the resident's map)."""
        return self._extent

    def __repr__(self) -> str:
        return f"GridLocator({len(self)} 个网格)"

    @property
    def codes(self) -> tuple[str, ...]:
        """Every grid code, smallest first."""
        return tuple(self._codes)

    def locate(self, lon: float, lat: float, crs: str | Crs = Crs.WGS84) -> str | None:
        """The code of the grid containing the point, or None if no grid does.

        ``crs`` names the system ``lon``/``lat`` are given in ("wgs84", "gcj02" or "bd09").
        Raises ValueError (Chinese message) for coordinates that are not a position, or for an
        unknown ``crs``. A point on a boundary goes to the smallest code (see module docstring).
        """
        crs = parse_crs(crs)
        try:
            x = float(lon)
            y = float(lat)
        except (TypeError, ValueError):
            raise ValueError(f"经纬度必须是数字:经度 {lon!r},纬度 {lat!r}") from None
        if not _is_valid_position(x, y):
            raise ValueError(
                f"经纬度无效:经度 {lon!r},纬度 {lat!r}"
                "(经度应在 -180 到 180 之间,纬度应在 -90 到 90 之间)"
            )
        if self._query_one is None:
            return None
        if crs is not Crs.WGS84:
            x, y = to_wgs84(x, y, crs)
        hits = self._query_one(x, y)
        if hits.size == 0:
            return None
        if hits.size == 1:
            return self._codes[hits[0]]
        return self._codes[hits.min()]

    def locate_many(
        self,
        lons: ArrayLike,
        lats: ArrayLike,
        crs: str | Crs = Crs.WGS84,
    ) -> NDArray[np.object_]:
        """The grid code (or None) of each point, as an object array shaped like ``lons``.

        Same rule as :meth:`locate`, but invalid coordinates (NaN, infinite, out of range) give
        None instead of raising. Raises ValueError only for an unknown ``crs`` or for
        ``lons``/``lats`` of different shapes.
        """
        crs = parse_crs(crs)
        x = np.asarray(lons, dtype=np.float64)
        y = np.asarray(lats, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"经度与纬度的个数不一致:{x.shape} 与 {y.shape}")
        shape = x.shape
        x = x.ravel()
        y = y.ravel()
        result: NDArray[np.object_] = np.full(x.size, None, dtype=object)
        if x.size == 0 or self._query_one is None:
            return result.reshape(shape)

        valid = (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
        if valid.all():
            positions = None
        else:
            positions = np.flatnonzero(valid)
            x = x[positions]
            y = y[positions]
        if crs is not Crs.WGS84:
            x, y = to_wgs84(x, y, crs)

        order = self._spatial_order(x, y)
        x = x[order]
        y = y[order]
        original = order if positions is None else positions[order]

        with gc_paused():
            found = [self._locate_chunk(x, y, s) for s in range(0, x.size, _CHUNK)]

        for point_index, rank in found:
            result[original[point_index]] = self._codes[rank]
        return result.reshape(shape)

    def _spatial_order(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.intp]:
        """A permutation visiting the points band by band (a grid tall), west to east in a band.

        Two stable radix sorts on 16-bit cell numbers: a few milliseconds per million points.
        Points beyond the grids' extent share the edge cells; they match nothing anyway.
        """
        cx = np.clip((x - self._x0) / self._x_per_cell, 0, _MAX_CELLS).astype(np.uint16)
        cy = np.clip((y - self._y0) / self._y_per_cell, 0, _MAX_CELLS).astype(np.uint16)
        by_x = np.argsort(cx, kind="stable")
        return by_x[np.argsort(cy[by_x], kind="stable")]

    def _locate_chunk(
        self, x: NDArray[np.float64], y: NDArray[np.float64], start: int
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(point indices, code ranks) for the points of ``x[start:start+_CHUNK]`` in some grid."""
        stop = min(start + _CHUNK, x.size)
        points = shapely.points(x[start:stop], y[start:stop])
        point_idx, grid_idx = self._tree.query(points, predicate="intersects")
        del points
        if point_idx.size == 0:
            return point_idx, grid_idx
        if point_idx.size > 1 and (point_idx[1:] < point_idx[:-1]).any():
            regroup = np.lexsort((grid_idx, point_idx))
            point_idx = point_idx[regroup]
            grid_idx = grid_idx[regroup]
        first = np.flatnonzero(np.concatenate(([True], point_idx[1:] != point_idx[:-1])))
        rank = np.minimum.reduceat(grid_idx, first)
        return point_idx[first] + start, rank
