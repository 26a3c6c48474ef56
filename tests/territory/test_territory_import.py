"""Importing, exporting and checking a territory, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy import func, select

from gridgov.authz.scope import SYSTEM
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.models import Area, Grid
from gridgov.policy.loader import load_profile
from gridgov.territory import coverage, service, transfer

from .territory_data import CITY, TOWN, VILLAGE, area, box, collection, grid, small_city


@pytest.fixture
def profile():
    return load_profile("zhenjiang")


def _count(db, model, prefix):
    return db.scalar(select(func.count()).select_from(model).where(model.code.startswith(prefix)))


def test_a_valid_file_writes_every_area_and_grid(db, profile):
    result = transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    assert (result.areas_created, result.grids_created) == (4, 2)
    assert db.get(Area, VILLAGE).parent_code == TOWN
    assert db.get(Area, CITY).parent_code is None  # the province is not kept here
    g = db.get(Grid, f"{VILLAGE}001")
    assert g.area_code == VILLAGE and g.households == 400 and g.status == "active"
    assert g.min_lon == pytest.approx(120.0) and g.max_lat == pytest.approx(31.002)


def test_importing_the_same_file_again_updates_instead_of_duplicating(db, profile):
    transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    again = small_city()
    again["features"][-1]["properties"]["households"] = 450
    result = transfer.import_feature_collection(db, SYSTEM, again, profile=profile, now=utc_now())
    assert (result.grids_created, result.grids_updated, result.areas_updated) == (0, 2, 4)
    assert db.get(Grid, f"{VILLAGE}002").households == 450


@pytest.mark.req("A2", "A3")
@pytest.mark.setting("territory.grid_kinds")
def test_a_bad_file_reports_every_bad_feature_and_writes_nothing(db, profile):
    bowtie = {"type": "Polygon", "coordinates": [[[120, 31], [120.002, 31.002], [120.002, 31], [120, 31.002],
                                                  [120, 31]]]}
    bad = small_city(
        [
            grid(1, box(0, 0, 2, 2)),
            grid(2, bowtie),  # self-intersecting
            grid(1, box(2, 0, 4, 2)),  # duplicate code
            grid(3, box(0, 0, 1, 1), kind="dedicated", dedicated_type="maritime"),  # ZJ has no dedicated grids
            {"type": "Feature", "properties": {"layer": "grid", "code": "329901001777001", "name": "无主网格",
                                               "kind": "urban", "households": 300}, "geometry": box(0, 0, 1, 1)},
            {"type": "Feature", "properties": {"layer": "grid", "code": f"{VILLAGE}004", "kind": "urban",
                                               "households": 300}, "geometry": box(0, 0, 1, 1)},  # no name
            grid(5, None),  # no geometry
            grid(6, box(0, 0, 1, 1), households=-3),
        ]
    )
    with pytest.raises(Invalid) as caught:
        transfer.import_feature_collection(db, SYSTEM, bad, profile=profile, now=utc_now())
    problems = {p["index"]: p["reason"] for p in caught.value.details}
    assert "未写入任何数据" in caught.value.message
    assert "自相交" in problems[5]
    assert "编码重复" in problems[6] and "第 4 个" in problems[6]
    assert "不设专属网格" in problems[7]
    assert "329901001777" in problems[8] and "不存在" in problems[8]
    assert "name" in problems[9]
    assert "缺少几何" in problems[10]
    assert "非负整数" in problems[11]
    assert set(problems) == {5, 6, 7, 8, 9, 10, 11}
    assert _count(db, Area, "3299") == 0 and _count(db, Grid, "3299") == 0


def test_a_file_that_is_not_a_feature_collection_is_refused(db, profile):
    with pytest.raises(Invalid, match="FeatureCollection"):
        transfer.import_feature_collection(db, SYSTEM, {"type": "Feature"}, profile=profile, now=utc_now())
    with pytest.raises(Invalid, match="没有任何要素"):
        transfer.import_feature_collection(db, SYSTEM, collection(), profile=profile, now=utc_now())


def test_an_area_whose_level_or_parent_is_wrong_is_reported(db, profile):
    data = collection(
        area(CITY, "测试市"),
        {"type": "Feature", "properties": {"layer": "area", "code": "329901001000", "name": "孤立街道"},
         "geometry": None},
        {"type": "Feature", "properties": {"layer": "area", "code": "329902000000", "name": "错级", "level": "town"},
         "geometry": None},
    )
    with pytest.raises(Invalid) as caught:
        transfer.import_feature_collection(db, SYSTEM, data, profile=profile, now=utc_now())
    problems = {p["index"]: p["reason"] for p in caught.value.details}
    assert "上级区划 329901000000 不存在" in problems[1]
    assert "级别" in problems[2]


@pytest.mark.req("A4")
def test_a_retired_grid_code_is_never_taken_again(db, profile):
    data = small_city()
    data["features"][-1]["properties"]["status"] = "retired"
    transfer.import_feature_collection(db, SYSTEM, data, profile=profile, now=utc_now())
    assert db.get(Grid, f"{VILLAGE}002").retired_at is not None
    with pytest.raises(Invalid) as caught:
        transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    assert [p["index"] for p in caught.value.details] == [5]
    assert "已注销" in caught.value.details[0]["reason"]


def test_export_writes_back_the_format_import_reads(db, profile):
    transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    exported = transfer.export_feature_collection(db, SYSTEM, CITY)
    codes = [f["properties"]["code"] for f in exported["features"]]
    assert codes == [CITY, "329901000000", TOWN, VILLAGE, f"{VILLAGE}001", f"{VILLAGE}002"]
    original = shapely.geometry.shape(small_city()["features"][4]["geometry"])
    assert shapely.equals_exact(shapely.geometry.shape(exported["features"][4]["geometry"]), original, 0)
    result = transfer.import_feature_collection(db, SYSTEM, exported, profile=profile, now=utc_now())
    assert (result.areas_created, result.grids_created, result.grids_updated) == (0, 0, 2)


@pytest.mark.req("A3")
def test_the_coverage_check_finds_overlaps_gaps_and_spills_with_their_size(db, profile):
    data = small_city([grid(1, box(0, 0, 2.5, 2)), grid(2, box(2, 0, 3, 2)), grid(3, box(3.5, 0, 4.5, 2))])
    transfer.import_feature_collection(db, SYSTEM, data, profile=profile, now=utc_now())
    report = coverage.check_coverage(db, SYSTEM, VILLAGE, profile=profile)
    cell_m2 = 0.001 * 111_320 * 0.857167 * 0.001 * 110_950  # one STEP×STEP cell at 31°N, roughly
    assert report.grids_checked == 3 and report.has_boundary
    assert [o.grids for o in report.overlaps] == [[f"{VILLAGE}001", f"{VILLAGE}002"]]
    assert report.overlaps[0].area_m2 == pytest.approx(cell_m2, rel=0.01)
    assert len(report.gaps) == 1 and report.gaps[0].area_m2 == pytest.approx(cell_m2, rel=0.01)
    assert len(report.outside) == 1 and report.outside[0].grids == [f"{VILLAGE}003"]
    assert report.overlaps[0].geometry["type"] == "Polygon"


def test_the_demo_city_is_covered_without_gaps_or_overlaps(db, profile):
    report = coverage.check_coverage(db, SYSTEM, "321100000000", profile=profile)
    assert report.grids_checked > 900
    assert report.ok, (report.overlaps[:2], report.gaps[:2], report.outside[:2])


@pytest.mark.req("A3")
@pytest.mark.setting("territory.household_norms.urban", "territory.household_norms.rural")
def test_household_norms_come_from_the_profile(db, profile):
    data = small_city([grid(1, box(0, 0, 2, 2), households=650),
                       grid(2, box(2, 0, 4, 2), kind="rural", households=120)])
    transfer.import_feature_collection(db, SYSTEM, data, profile=load_profile("jiangsu"), now=utc_now())
    jiangsu = coverage.check_coverage(db, SYSTEM, VILLAGE, profile=load_profile("jiangsu"))
    assert {w.grid_code for w in jiangsu.household_warnings} == {f"{VILLAGE}001", f"{VILLAGE}002"}
    assert "300–500" in jiangsu.household_warnings[0].message
    by_grid = {w.grid_code: w.message for w in jiangsu.household_warnings}  # JS§6 urban; rural ±20 % is local
    assert by_grid[f"{VILLAGE}001"].endswith("（JS§6）") and "本地设置" in by_grid[f"{VILLAGE}002"]
    assert coverage.check_coverage(db, SYSTEM, VILLAGE, profile=profile).household_warnings == []


def test_the_locator_follows_an_import(db, profile):
    assert service.locate(db, SYSTEM, 120.0005, 31.0005).found is False
    transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    found = service.locate(db, SYSTEM, 120.0035, 31.001)
    assert found.found and found.grid_code == f"{VILLAGE}002"
    assert [a.name for a in found.area_chain] == ["测试市", "测试区", "测试街道", "测试社区"]


def test_a_point_on_the_shared_edge_goes_to_the_smaller_code(db, profile):
    transfer.import_feature_collection(db, SYSTEM, small_city(), profile=profile, now=utc_now())
    assert service.locate(db, SYSTEM, 120.002, 31.001).grid_code == f"{VILLAGE}001"


def test_an_impossible_point_or_unknown_system_is_a_clear_error(db):
    with pytest.raises(Invalid, match="经纬度无效"):
        service.locate(db, SYSTEM, float("nan"), 31.0)
    with pytest.raises(Invalid, match="坐标系"):
        service.locate(db, SYSTEM, 120.0, 31.0, "mars")


def _queries(db, fn):
    from sqlalchemy import event

    seen = []
    engine = db.get_bind().engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_area_lists_take_the_same_number_of_queries_however_long(db):
    city = service.list_areas(db, SYSTEM, None)[0].code
    county = service.list_areas(db, SYSTEM, city)[0].code
    town = service.list_areas(db, SYSTEM, county)[0].code
    sizes, counts = [], []
    for code in (city, county, town):
        sizes.append(len(service.list_areas(db, SYSTEM, code, with_grids=True)))
        counts.append(_queries(db, lambda code=code: service.list_areas(db, SYSTEM, code, with_grids=True)))
    assert len(set(sizes)) > 1 and len(set(counts)) == 1
    towns = service.list_areas(db, SYSTEM, county, with_grids=True)
    assert sum(t.grids for t in towns) == service.get_area_read(db, SYSTEM, county).grids > 0


@pytest.mark.req("A2")
@pytest.mark.setting("territory.dedicated_types")
def test_a_dedicated_grid_imports_only_as_a_type_the_profile_lists(db):
    canal = small_city([grid(1, box(0, 0, 2, 2)),
                        grid(2, box(2, 0, 4, 2), kind="dedicated", dedicated_type="canal_hub",
                             host_unit="钦州港运河枢纽", unit_head="王某", competent_department="gongan")])
    with pytest.raises(Invalid) as caught:  # JS§6 lists administrative centres, parks and enterprises only
        transfer.import_feature_collection(db, SYSTEM, canal, profile=load_profile("jiangsu"), now=utc_now())
    assert [p["index"] for p in caught.value.details] == [5]
    assert "不允许专属类型 canal_hub" in caught.value.details[0]["reason"]
    assert db.get(Grid, f"{VILLAGE}002") is None
    transfer.import_feature_collection(db, SYSTEM, canal, profile=load_profile("qinzhou"), now=utc_now())  # QZ§5
    assert (db.get(Grid, f"{VILLAGE}002").kind, db.get(Grid, f"{VILLAGE}002").dedicated_type) == ("dedicated",
                                                                                                  "canal_hub")
