"""The demo city generator: exact tiling, codes, sizes and determinism, without a database."""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from itertools import pairwise

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from gridgov.policy.loader import load_profile
from gridgov.territory.demo import (
    DEFAULT_HOUSEHOLD_NORMS,
    DemoCity,
    build_demo_city,
    demo_city_of,
)

ALL_DEDICATED = {
    "admin_centre", "park", "enterprise", "office_building", "market", "school", "hospital", "canal_hub"
}
QZ_NORMS = {"urban": {"min": 300, "max": 500}, "rural": {"min": 240, "max": 360}}


@pytest.fixture(scope="module")
def zhenjiang() -> dict:
    return build_demo_city(demo_city_of(load_profile("zhenjiang")))


@pytest.fixture(scope="module")
def qinzhou() -> dict:
    return build_demo_city(
        demo_city_of(load_profile("qinzhou")), allow_dedicated=ALL_DEDICATED, allow_maritime=True,
        household_norms=QZ_NORMS
    )


def props(fc: dict, layer: str, level: str | None = None) -> list[dict]:
    return [
        f["properties"]
        for f in fc["features"]
        if f["properties"]["layer"] == layer and (level is None or f["properties"]["level"] == level)
    ]


def geoms(fc: dict) -> dict[str, shapely.Geometry]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in fc["features"]}


def parent_code(code: str) -> str:
    """The area a code hangs from: a grid's village, or the area code with its last segment zeroed."""
    if len(code) == 15:
        return code[:12]
    for end in (9, 6, 4):
        if code[end:] != "0" * (12 - end):
            return code[:end].ljust(12, "0")
    raise AssertionError(code)


def test_the_same_inputs_build_byte_identical_output():
    args = dict(allow_dedicated=ALL_DEDICATED, allow_maritime=True, household_norms=QZ_NORMS)
    first = json.dumps(build_demo_city(demo_city_of(load_profile("qinzhou")), **args), ensure_ascii=False)
    second = json.dumps(build_demo_city(demo_city_of(load_profile("qinzhou")), **args), ensure_ascii=False)
    assert first == second


@pytest.mark.req("A1")
def test_a_default_city_has_about_a_thousand_grids_in_three_counties_twelve_towns_and_eighty_villages(zhenjiang):
    assert 900 <= len(props(zhenjiang, "grid")) <= 1100
    assert len(props(zhenjiang, "area", "city")) == 1
    counties = props(zhenjiang, "area", "county")
    assert [(c["code"], c["name"]) for c in counties] == [
        ("321102000000", "京口区"),
        ("321111000000", "润州区"),
        ("321112000000", "丹徒区"),
    ]
    assert 10 <= len(props(zhenjiang, "area", "town")) <= 14
    assert 60 <= len(props(zhenjiang, "area", "village")) <= 100


def test_areas_come_before_grids_and_parents_before_children(qinzhou):
    seen: set[str] = set()
    layers = [f["properties"]["layer"] for f in qinzhou["features"]]
    assert layers == sorted(layers)  # "area" < "grid"
    for f in qinzhou["features"]:
        p = f["properties"]
        if p.get("level") != "city":
            assert parent_code(p["code"]) in seen, p["code"]
        seen.add(p["code"])


def test_area_codes_follow_the_statistical_division_rules_and_names_are_unique_within_a_parent(qinzhou):
    city = {"layer": "area", "code": "450700000000", "name": "钦州市", "level": "city"}
    assert props(qinzhou, "area", "city")[0] == city
    names: dict[str, list[str]] = defaultdict(list)
    for a in props(qinzhou, "area"):
        assert len(a["code"]) == 12 and a["code"].isdigit()
        if a["level"] != "city":
            names[parent_code(a["code"])].append(a["name"])
        if a["level"] == "town":
            street = a["name"].endswith("街道")
            assert street or a["name"].endswith("镇")
            assert (1 <= int(a["code"][6:9]) <= 99) if street else (100 <= int(a["code"][6:9]) <= 199)
        if a["level"] == "village":
            seq = int(a["code"][9:])
            if a["code"][6] == "0":
                assert a["name"].endswith("社区") and 1 <= seq <= 199
            else:
                assert a["name"].endswith("村") and 200 <= seq <= 399
    for parent, children in names.items():
        assert len(children) == len(set(children)), parent


@pytest.mark.req("A4")
def test_every_grid_code_is_its_village_code_and_a_sequence_from_001(qinzhou):
    villages = {v["code"] for v in props(qinzhou, "area", "village")}
    codes = [g["code"] for g in props(qinzhou, "grid")]
    assert len(codes) == len(set(codes))
    by_village: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        assert len(code) == 15 and code.isdigit()
        assert code[:12] in villages
        by_village[code[:12]].append(int(code[12:]))
    assert set(by_village) == villages
    for seqs in by_village.values():
        assert seqs == list(range(1, len(seqs) + 1))
    names = Counter((g["code"][:12], g["name"]) for g in props(qinzhou, "grid"))
    assert max(names.values()) == 1


@pytest.mark.req("A2")
def test_comprehensive_grids_are_urban_in_communities_and_rural_in_villages(zhenjiang):
    village_names = {v["code"]: v["name"] for v in props(zhenjiang, "area", "village")}
    kinds: Counter[str] = Counter()
    for g in props(zhenjiang, "grid"):
        kinds[g["kind"]] += 1
        if g["kind"] != "dedicated":
            assert g["kind"] == ("urban" if g["code"][6] == "0" else "rural")
            assert g["dedicated_type"] is None
            assert g["name"] == f"{village_names[g['code'][:12]]}第{int(g['code'][12:])}网格"
    assert kinds["urban"] > 100 and kinds["rural"] > 100


@pytest.mark.req("A3")
@pytest.mark.parametrize("name", ["zhenjiang", "qinzhou"])
def test_each_level_tiles_its_parent_exactly(name, zhenjiang, qinzhou):
    fc = {"zhenjiang": zhenjiang, "qinzhou": qinzhou}[name]
    shapes = geoms(fc)
    city_code = props(fc, "area", "city")[0]["code"]
    children: dict[str, list[str]] = defaultdict(list)
    for code in shapes:
        if code != city_code:
            children[parent_code(code)].append(code)
    assert set(children) == {a["code"] for a in props(fc, "area")}  # every area has children
    for parent, kids in children.items():
        union = shapely.union_all([shapes[k] for k in kids])
        area = shapes[parent].area
        assert abs(union.area - area) <= 1e-9 * area, parent
        assert shapely.symmetric_difference(union, shapes[parent]).area <= 1e-9 * area, parent
        assert sum(shapes[k].area for k in kids) == pytest.approx(area, rel=1e-9), parent


@pytest.mark.parametrize(
    "layer, level", [("area", "county"), ("area", "town"), ("area", "village"), ("grid", None)]
)
def test_no_two_polygons_of_a_level_overlap_and_each_level_is_a_valid_coverage(layer, level, qinzhou):
    shapes = geoms(qinzhou)
    polys = np.array([shapes[p["code"]] for p in props(qinzhou, layer, level)], dtype=object)
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(polys[left[keep]], polys[right[keep]]))
    assert keep.sum() >= len(polys) - 1  # neighbours were found, so the check had something to look at
    assert overlap.max() <= 1e-14
    assert shapely.coverage_is_valid(polys)


def test_every_polygon_is_a_valid_closed_counter_clockwise_ring_with_seven_decimals(qinzhou):
    for f in qinzhou["features"]:
        assert f["geometry"]["type"] == "Polygon"
        (ring,) = f["geometry"]["coordinates"]
        assert ring[0] == ring[-1] and len(ring) >= 5
        for lon, lat in ring:
            assert lon == round(lon, 7) and lat == round(lat, 7)
        poly = shape(f["geometry"])
        assert poly.is_valid, f["properties"]["code"]
        assert poly.exterior.is_ccw


def test_grids_are_a_few_hundred_metres_across(zhenjiang):
    metres_per_lon = 111_320 * math.cos(math.radians(demo_city_of(load_profile("zhenjiang")).centre_lat))
    shapes = geoms(zhenjiang)
    sizes = []
    for g in props(zhenjiang, "grid"):
        minx, miny, maxx, maxy = shapes[g["code"]].bounds
        sizes.append(math.sqrt((maxx - minx) * metres_per_lon * (maxy - miny) * 110_570))
    assert 300 <= float(np.median(sizes)) <= 800
    assert min(sizes) >= 150 and max(sizes) <= 1200


def test_households_of_comprehensive_grids_stay_inside_the_norms(zhenjiang, qinzhou):
    qz_norms = {k: (v["min"], v["max"]) for k, v in QZ_NORMS.items()}
    for fc, norms in ((zhenjiang, DEFAULT_HOUSEHOLD_NORMS), (qinzhou, qz_norms)):
        for g in props(fc, "grid"):
            h, p = g["households"], g["population"]
            assert isinstance(h, int) and isinstance(p, int)
            if g["kind"] != "dedicated":
                low, high = norms[g["kind"]]
                assert low <= h <= high, g
            assert math.floor(h * 2.4) <= p <= math.ceil(h * 3.2)


def test_narrow_norms_are_kept():
    norms = {"urban": {"min": 400, "max": 410}, "rural": {"min": 300, "max": 300}}
    fc = build_demo_city(demo_city_of(load_profile("jiangsu")), household_norms=norms)
    for g in props(fc, "grid"):
        if g["kind"] == "urban":
            assert 400 <= g["households"] <= 410
        elif g["kind"] == "rural":
            assert g["households"] == 300


@pytest.mark.req("A2")
def test_a_park_and_a_market_exist_when_dedicated_grids_are_allowed(zhenjiang):
    dedicated = [g for g in props(zhenjiang, "grid") if g["kind"] == "dedicated"]
    types = Counter(g["dedicated_type"] for g in dedicated)
    assert types["park"] >= 1 and types["market"] >= 1
    assert "maritime" not in types and "canal_hub" not in types
    labels = {"park": "园区", "market": "商贸市场"}
    assert all(labels.get(g["dedicated_type"], "") in g["name"] for g in dedicated)
    assert len(dedicated) < 0.05 * len(props(zhenjiang, "grid"))


def test_no_dedicated_grid_when_the_profile_allows_none():
    fc = build_demo_city(demo_city_of(load_profile("jiangmen")), allow_dedicated=set())
    assert {g["kind"] for g in props(fc, "grid")} == {"urban", "rural"}
    assert all(g["dedicated_type"] is None for g in props(fc, "grid"))


def test_only_the_allowed_dedicated_types_appear():
    fc = build_demo_city(demo_city_of(load_profile("luzhou")), allow_dedicated={"market"})
    assert {g["dedicated_type"] for g in props(fc, "grid")} == {None, "market"}


@pytest.mark.req("A2")
def test_maritime_grids_lie_off_the_coast_inside_coastal_villages_of_the_first_county(qinzhou):
    shapes = geoms(qinzhou)
    grids = props(qinzhou, "grid")
    maritime = [g for g in grids if g["dedicated_type"] == "maritime"]
    assert maritime
    land_south = min(shapes[g["code"]].bounds[1] for g in grids if g["dedicated_type"] != "maritime")
    for g in maritime:
        assert g["kind"] == "dedicated" and "海上" in g["name"]
        assert g["code"].startswith("450702")  # 钦南区
        sea = shapes[g["code"]]
        assert sea.bounds[3] <= land_south
        assert sea.covered_by(shapes[g["code"][:12]])
        assert sea.covered_by(shapes["450702000000"]) and sea.covered_by(shapes["450700000000"])


def test_no_maritime_grid_without_allow_maritime(zhenjiang):
    fc = build_demo_city(demo_city_of(load_profile("qinzhou")), allow_dedicated=ALL_DEDICATED)
    for data in (zhenjiang, fc):
        assert all(g["dedicated_type"] != "maritime" for g in props(data, "grid"))


def test_switching_dedicated_grids_changes_nothing_but_the_dedicated_grids():
    with_them = build_demo_city(demo_city_of(load_profile("jiangmen")))
    without = build_demo_city(demo_city_of(load_profile("jiangmen")), allow_dedicated=())
    assert [f["geometry"] for f in with_them["features"]] == [f["geometry"] for f in without["features"]]
    changed = [
        a["properties"]["code"]
        for a, b in zip(with_them["features"], without["features"], strict=True)
        if a["properties"] != b["properties"]
    ]
    assert changed and all(
        p["kind"] == "dedicated" for p in props(with_them, "grid") if p["code"] in set(changed)
    )


def test_unreasonable_arguments_are_refused():
    city = demo_city_of(load_profile("zhenjiang"))
    for grids in (0, 5, True, 1.5, 2_000_000):
        with pytest.raises(ValueError):
            build_demo_city(city, grids=grids)
    with pytest.raises(ValueError):
        build_demo_city(city, allow_dedicated={"casino"})
    with pytest.raises(ValueError):
        build_demo_city(city, household_norms={"urban": {"min": 500, "max": 300}})
    with pytest.raises(ValueError):
        counties = (("320102", "玄武区"), ("321111", "润州区"), ("321112", "丹徒区"))  # 玄武区 is in 南京
        DemoCity("32", "321100", "镇江市", 119.43, 32.19, counties)


def test_a_tiny_city_still_tiles_and_has_its_dedicated_and_maritime_grids():
    fc = build_demo_city(demo_city_of(load_profile("qinzhou")), grids=12, allow_dedicated={"park", "market"},
                         allow_maritime=True)
    grids = props(fc, "grid")
    assert 12 <= len(grids) <= 14
    assert {"park", "market", "maritime"} <= {g["dedicated_type"] for g in grids}
    shapes = geoms(fc)
    boundary = shapes["450700000000"]
    union = shapely.union_all([shapes[g["code"]] for g in grids])
    assert union.symmetric_difference(boundary).area <= 1e-9 * boundary.area


def _shoelace(ring: list[list[float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


@pytest.mark.timeout(120)
def test_a_hundred_thousand_grids_build_in_seconds_and_still_tile_the_city():
    started = time.perf_counter()
    fc = build_demo_city(demo_city_of(load_profile("zhenjiang")), grids=100_000)
    elapsed = time.perf_counter() - started
    grids = [f for f in fc["features"] if f["properties"]["layer"] == "grid"]
    assert 90_000 <= len(grids) <= 110_000
    assert elapsed < 30
    villages = props(fc, "area", "village")
    assert 7_000 <= len(villages) <= 10_000
    assert len(props(fc, "area", "county")) == 3
    codes = {g["properties"]["code"] for g in grids}
    assert len(codes) == len(grids)
    assert {c[:12] for c in codes} == {v["code"] for v in villages}
    city = fc["features"][0]["geometry"]["coordinates"][0]
    grid_area = sum(_shoelace(g["geometry"]["coordinates"][0]) for g in grids)
    assert grid_area == pytest.approx(_shoelace(city), rel=1e-9)
    assert all(_shoelace(g["geometry"]["coordinates"][0]) > 0 for g in grids)
