"""GridLocator: which grid a position falls in, and who gets the points on shared boundaries."""

from __future__ import annotations

import gc
import itertools
import math

import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Point, Polygon, box

from gridgov.geo import locator as locator_module
from gridgov.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from gridgov.geo.locator import GridLocator

# Coordinates are multiples of 1/64 degree so every vertex and midpoint is exact in binary.
LON0 = 119.4375
LAT0 = 32.1875
STEP = 1 / 64


def cell(col: int, row: int) -> Polygon:
    west = LON0 + col * STEP
    south = LAT0 + row * STEP
    return box(west, south, west + STEP, south + STEP)


def code(n: int) -> str:
    return f"321002001{n:03d}"


def jittered_tiling(cols: int, rows: int, step: float, seed: int):
    """Irregular quadrilaterals that tile a rectangle exactly, with shuffled codes."""
    rng = np.random.default_rng(seed)
    vx, vy = np.meshgrid(np.arange(cols + 1) * step + LON0, np.arange(rows + 1) * step + LAT0)
    vx[:, 1:-1] += rng.uniform(-0.3, 0.3, (rows + 1, cols - 1)) * step
    vy[1:-1, :] += rng.uniform(-0.3, 0.3, (rows - 1, cols + 1)) * step
    corners = [(0, 0), (0, 1), (1, 1), (1, 0)]
    polygons = [
        Polygon([(vx[r + dr, c + dc], vy[r + dr, c + dc]) for dr, dc in corners])
        for r in range(rows)
        for c in range(cols)
    ]
    codes = [code(n) for n in rng.permutation(len(polygons))]
    return codes, polygons, vx.ravel(), vy.ravel()


def brute_force(codes, polygons, lon: float, lat: float) -> str | None:
    containing = [c for c, g in zip(codes, polygons, strict=True) if shapely.intersects(g, Point(lon, lat))]
    return min(containing) if containing else None


def test_interior_point_belongs_to_its_grid():
    locator = GridLocator([code(1), code(2)], [cell(0, 0), cell(1, 0)])
    assert locator.locate(LON0 + 0.3 * STEP, LAT0 + 0.5 * STEP) == code(1)
    assert locator.locate(LON0 + 1.7 * STEP, LAT0 + 0.5 * STEP) == code(2)
    assert len(locator) == 2


@pytest.mark.parametrize("reverse", [False, True])
def test_point_on_shared_edge_goes_to_smaller_code_whatever_the_construction_order(reverse):
    codes = [code(7), code(3)]
    geometries = [cell(0, 0), cell(1, 0)]
    if reverse:
        codes.reverse()
        geometries.reverse()
    locator = GridLocator(codes, geometries)
    on_edge = (LON0 + STEP, LAT0 + 0.5 * STEP)
    assert locator.locate(*on_edge) == code(3)
    assert locator.locate_many([on_edge[0]], [on_edge[1]]).tolist() == [code(3)]


def test_shared_vertex_of_four_grids_goes_to_smallest_code_in_every_construction_order():
    cells = [cell(0, 0), cell(1, 0), cell(0, 1), cell(1, 1)]
    codes = [code(40), code(12), code(31), code(25)]
    vertex = (LON0 + STEP, LAT0 + STEP)
    for order in itertools.permutations(range(4)):
        locator = GridLocator([codes[i] for i in order], [cells[i] for i in order])
        assert locator.locate(*vertex) == code(12)
        assert locator.locate_many([vertex[0]], [vertex[1]])[0] == code(12)


def test_smallest_code_is_string_order():
    locator = GridLocator(["10", "9"], [cell(0, 0), cell(1, 0)])
    assert locator.locate(LON0 + STEP, LAT0 + 0.5 * STEP) == "10"


def test_point_on_outer_boundary_belongs_to_the_only_grid_there():
    locator = GridLocator([code(5), code(1)], [cell(0, 0), cell(1, 0)])
    assert locator.locate(LON0, LAT0 + 0.5 * STEP) == code(5)
    assert locator.locate(LON0, LAT0) == code(5)


def test_point_outside_every_grid_is_none():
    locator = GridLocator([code(1), code(2)], [cell(0, 0), cell(1, 0)])
    assert locator.locate(LON0 - 0.5 * STEP, LAT0) is None
    assert locator.locate(0.0, 0.0) is None
    assert locator.locate_many([LON0 - 1.0, 0.0], [LAT0, 0.0]).tolist() == [None, None]


def test_multipolygon_grid_owns_each_of_its_parts_but_not_the_gap():
    two_parts = MultiPolygon([cell(0, 0), cell(2, 0)])
    locator = GridLocator([code(9)], [two_parts])
    assert locator.locate(LON0 + 0.5 * STEP, LAT0 + 0.5 * STEP) == code(9)
    assert locator.locate(LON0 + 2.5 * STEP, LAT0 + 0.5 * STEP) == code(9)
    assert locator.locate(LON0 + 1.5 * STEP, LAT0 + 0.5 * STEP) is None


def test_grid_with_a_hole_leaves_the_hole_to_the_grid_inside_it():
    outer = cell(0, 0).union(cell(1, 0)).union(cell(2, 0)).union(cell(0, 1)).union(cell(2, 1))
    outer = outer.union(cell(0, 2)).union(cell(1, 2)).union(cell(2, 2))
    assert len(outer.interiors) == 1
    ring_only = GridLocator([code(2)], [outer])
    centre = (LON0 + 1.5 * STEP, LAT0 + 1.5 * STEP)
    assert ring_only.locate(*centre) is None
    with_island = GridLocator([code(2), code(8)], [outer, cell(1, 1)])
    assert with_island.locate(*centre) == code(8)
    assert with_island.locate(LON0 + STEP, LAT0 + 1.5 * STEP) == code(2)


def _small_tiling_around_yangzhou():
    """100 m cells: GCJ-02's ~500 m shift near Yangzhou crosses several of them."""
    step = 0.001
    codes, polygons, _, _ = jittered_tiling(40, 40, step, seed=3)
    point = (LON0 + 20.37 * step, LAT0 + 20.61 * step)
    return GridLocator(codes, polygons), point


def test_gcj02_position_lands_in_the_grid_of_the_wgs84_point_it_came_from():
    locator, wgs = _small_tiling_around_yangzhou()
    expected = locator.locate(*wgs)
    gcj = wgs84_to_gcj02(*wgs)
    assert expected is not None
    assert locator.locate(*gcj, crs="gcj02") == expected
    assert locator.locate(*gcj) != expected
    assert locator.locate_many([gcj[0]], [gcj[1]], crs="gcj02").tolist() == [expected]


def test_bd09_position_lands_in_the_grid_of_the_wgs84_point_it_came_from():
    locator, wgs = _small_tiling_around_yangzhou()
    bd = wgs84_to_bd09(*wgs)
    assert locator.locate(*bd, crs="bd09") == locator.locate(*wgs)
    many = locator.locate_many(np.array([bd[0]]), np.array([bd[1]]), crs="bd09")
    assert many[0] == locator.locate(*wgs)


def test_locate_and_locate_many_agree_with_brute_force_including_every_vertex():
    codes, polygons, vx, vy = jittered_tiling(12, 9, 0.002, seed=11)
    locator = GridLocator(codes, polygons)
    rng = np.random.default_rng(5)
    (xmin, ymin, xmax, ymax) = shapely.total_bounds(polygons)
    lons = np.concatenate([rng.uniform(xmin - 0.003, xmax + 0.003, 400), vx])
    lats = np.concatenate([rng.uniform(ymin - 0.003, ymax + 0.003, 400), vy])
    many = locator.locate_many(lons, lats)
    singles = [locator.locate(x, y) for x, y in zip(lons.tolist(), lats.tolist(), strict=True)]
    expected = [brute_force(codes, polygons, x, y) for x, y in zip(lons.tolist(), lats.tolist(), strict=True)]
    assert many.tolist() == singles == expected
    assert any(e is None for e in expected) and sum(e is not None for e in expected) > 300


def test_locate_many_gives_the_same_answers_across_chunk_boundaries(monkeypatch):
    codes, polygons, vx, vy = jittered_tiling(10, 10, 0.002, seed=2)
    locator = GridLocator(codes, polygons)
    rng = np.random.default_rng(9)
    lons = np.concatenate([rng.uniform(LON0 - 0.001, LON0 + 0.021, 300), vx])
    lats = np.concatenate([rng.uniform(LAT0 - 0.001, LAT0 + 0.021, 300), vy])
    whole = locator.locate_many(lons, lats)
    monkeypatch.setattr(locator_module, "_CHUNK", 7)
    assert locator.locate_many(lons, lats).tolist() == whole.tolist()


def test_empty_locator_finds_nothing():
    locator = GridLocator([], [])
    assert len(locator) == 0
    assert locator.locate(LON0, LAT0) is None
    assert locator.locate(LON0, LAT0, crs="gcj02") is None
    result = locator.locate_many([LON0, LON0 + 1], [LAT0, LAT0])
    assert result.dtype == object and result.tolist() == [None, None]


def test_locate_many_of_nothing_is_an_empty_object_array():
    locator = GridLocator([code(1)], [cell(0, 0)])
    result = locator.locate_many([], [])
    assert result.dtype == object and result.shape == (0,)


def test_locate_many_keeps_the_input_shape():
    locator = GridLocator([code(1), code(2)], [cell(0, 0), cell(1, 0)])
    lons = np.array([[LON0 + 0.5 * STEP, LON0 + 1.5 * STEP], [LON0 - 1.0, LON0 + 0.5 * STEP]])
    lats = np.full((2, 2), LAT0 + 0.5 * STEP)
    result = locator.locate_many(lons, lats)
    assert result.shape == (2, 2)
    assert result.tolist() == [[code(1), code(2)], [None, code(1)]]


@pytest.mark.parametrize(
    "lon, lat",
    [
        (math.nan, LAT0),
        (LON0, math.nan),
        (math.inf, LAT0),
        (180.0001, LAT0),
        (LON0, -90.5),
        (-181.0, 0.0),
    ],
)
def test_locate_refuses_coordinates_that_are_not_a_position(lon, lat):
    locator = GridLocator([code(1)], [cell(0, 0)])
    with pytest.raises(ValueError, match="经纬度无效"):
        locator.locate(lon, lat)


def test_locate_refuses_non_numbers():
    locator = GridLocator([code(1)], [cell(0, 0)])
    with pytest.raises(ValueError, match="经纬度必须是数字"):
        locator.locate("东经", LAT0)  # type: ignore[arg-type]


def test_locate_many_answers_none_for_invalid_coordinates_and_still_finds_the_rest():
    locator = GridLocator([code(1)], [cell(0, 0)])
    inside = (LON0 + 0.5 * STEP, LAT0 + 0.5 * STEP)
    lons = [inside[0], math.nan, math.inf, 200.0, inside[0], -math.inf, inside[0]]
    lats = [inside[1], inside[1], inside[1], inside[1], 95.0, inside[1], inside[1]]
    for crs in ("wgs84", "gcj02", "bd09"):
        result = locator.locate_many(lons, lats, crs=crs).tolist()
        assert result[1:6] == [None] * 5
    expected = [code(1), None, None, None, None, None, code(1)]
    assert locator.locate_many(lons, lats).tolist() == expected


def test_limits_of_the_valid_range_are_positions():
    locator = GridLocator([code(1)], [box(179.5, 89.5, 180.0, 90.0)])
    assert locator.locate(180.0, 90.0) == code(1)
    assert locator.locate(-180.0, -90.0) is None


def test_unknown_coordinate_system_is_refused():
    locator = GridLocator([code(1)], [cell(0, 0)])
    with pytest.raises(ValueError, match="不支持的坐标系"):
        locator.locate(LON0, LAT0, crs="cgcs2000")
    with pytest.raises(ValueError, match="不支持的坐标系"):
        locator.locate_many([LON0], [LAT0], crs="mercator")


def test_lons_and_lats_of_different_lengths_are_refused():
    locator = GridLocator([code(1)], [cell(0, 0)])
    with pytest.raises(ValueError, match="个数不一致"):
        locator.locate_many([LON0, LON0], [LAT0])


def test_codes_and_geometries_must_pair_up():
    with pytest.raises(ValueError, match="数量不一致"):
        GridLocator([code(1), code(2)], [cell(0, 0)])


def test_duplicate_codes_are_refused():
    with pytest.raises(ValueError, match="网格编码重复.*321002001001"):
        GridLocator([code(1), code(2), code(1)], [cell(0, 0), cell(1, 0), cell(2, 0)])


@pytest.mark.parametrize("bad_code", ["", None, 17])
def test_codes_must_be_non_empty_strings(bad_code):
    with pytest.raises(ValueError, match="网格编码必须是非空字符串"):
        GridLocator([bad_code], [cell(0, 0)])


@pytest.mark.parametrize("geometry", [Point(LON0, LAT0), cell(0, 0).exterior, None])
def test_grid_boundaries_must_be_polygons(geometry):
    with pytest.raises(ValueError, match="不是多边形"):
        GridLocator([code(1), code(2)], [cell(1, 0), geometry])


def test_empty_polygons_never_match_and_do_not_hide_the_others():
    empties = [Polygon()] * 4
    locator = GridLocator([code(n) for n in range(1, 6)], [*empties, cell(0, 0)])
    inside = (LON0 + 0.5 * STEP, LAT0 + 0.5 * STEP)
    assert locator.locate(*inside) == code(5)
    assert locator.locate_many([inside[0]], [inside[1]]).tolist() == [code(5)]
    assert locator.codes == tuple(code(n) for n in range(1, 6))
    only_empty = GridLocator([code(1)], [MultiPolygon()])
    assert only_empty.locate(*inside) is None
    assert only_empty.locate_many([inside[0]], [inside[1]]).tolist() == [None]


def test_fast_single_point_query_agrees_with_shapelys_public_query():
    codes, polygons, vx, vy = jittered_tiling(8, 8, 0.002, seed=4)
    locator = GridLocator(codes, polygons)
    public = locator_module._public_single_query(locator._tree)
    assert locator._query_one.__name__ == "fast"
    for x, y in zip(vx.tolist(), vy.tolist(), strict=True):
        assert sorted(locator._query_one(x, y).tolist()) == sorted(public(x, y).tolist())


class _BrokenRawTree:
    def query(self, geometries, predicate):
        return np.empty((2, 0), dtype=np.intp)


@pytest.mark.parametrize("raw_tree", [None, _BrokenRawTree()], ids=["missing", "disagreeing"])
def test_single_point_query_falls_back_to_public_calls_when_the_fast_one_is_unusable(raw_tree):
    tree = shapely.STRtree([cell(0, 0)])
    inside = (LON0 + 0.5 * STEP, LAT0 + 0.5 * STEP)

    class TreeWithOddInternals:
        _tree = raw_tree

        def query(self, geometry, predicate=None):
            return tree.query(geometry, predicate=predicate)

    query = locator_module._single_query(TreeWithOddInternals(), [inside])  # type: ignore[arg-type]
    assert query(*inside).tolist() == [0]


@pytest.mark.parametrize("enabled", [True, False])
def test_locate_many_leaves_the_garbage_collector_as_it_found_it(enabled):
    locator = GridLocator([code(1)], [cell(0, 0)])
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        locator.locate_many([LON0], [LAT0])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
