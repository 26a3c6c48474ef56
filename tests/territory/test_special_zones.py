"""QZ§4's special zones (自贸区片区, 高新区 …) as county-level areas of the territory (A1), on SQLite and
PostgreSQL: their codes under the city, the grids under them, and their own agency."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from gridgov.authz.scope import SYSTEM
from gridgov.departments.service import seed_departments
from gridgov.errors import NotFound
from gridgov.kit.clock import utc_now
from gridgov.models import Area, Department, Grid
from gridgov.policy.loader import load_profile
from gridgov.territory import adjustments, coverage, rules, service, transfer
from gridgov.territory.demo_loader import demo_feature_collection
from gridgov.territory.schemas import AdjustmentCreate

from .adjustment_data import principal_of, split_plan, today

pytestmark = pytest.mark.req("A1")
REGULATION = next((p / "shared" / "regulations" / "003_b89efa2283fb54d1.txt" for p in Path(__file__).resolve().parents
                   if (p / "shared" / "regulations").is_dir()), Path("/nonexistent"))


@pytest.fixture
def qinzhou():
    return load_profile("qinzhou")


def test_qz_names_its_special_zones_as_its_text_does_with_codes_under_the_city(qinzhou):
    zones = qinzhou.city.special_zones
    assert [z.name for z in zones] == ["自贸区钦州港片区", "三娘湾管理区", "北部湾华侨投资区", "高新区", "平陆运河枢纽"]
    if REGULATION.exists():  # QZ§4, word for word
        article = next(line for line in REGULATION.read_text(encoding="utf-8").splitlines()
                       if line.startswith("自贸区钦州港片区"))
        assert all(z.name in article for z in zones)
    counties = {c.code for c in qinzhou.city.counties}
    assert all(z.code[:4] == "4507" and z.code not in counties for z in zones)
    assert all(load_profile(n).city.special_zones == [] for n in ("zhenjiang", "luzhou", "jiangsu", "jiangmen"))


def test_qz_special_zones_are_county_level_areas_with_towns_grids_and_an_agency(db, qinzhou):
    now = utc_now()
    transfer.import_feature_collection(db, SYSTEM, demo_feature_collection(qinzhou, grids=160), profile=qinzhou,
                                       now=now)
    city = f"{qinzhou.city.code}000000"
    for zone in qinzhou.city.special_zones:
        area = db.get(Area, f"{zone.code}000000")
        assert (area.name, area.level, area.parent_code) == (zone.name, "county", city)
        under = rules.area_prefix(area.code)
        assert db.scalar(select(func.count()).select_from(Grid).where(Grid.code.startswith(under))) > 0
    # The city is still covered seamlessly, zones included.
    report = coverage.check_coverage(db, SYSTEM, city, profile=qinzhou)
    assert report.ok, (report.overlaps[:1], report.gaps[:1], report.outside[:1])
    # Departments are set up at a zone as at any county-level area.
    zone_area = db.get(Area, f"{qinzhou.city.special_zones[0].code}000000")
    assert seed_departments(db, qinzhou, [zone_area], now=now) > 0
    assert db.scalar(select(func.count()).select_from(Department).where(Department.area_code == zone_area.code))

    # The zone's agency sees its own grids only, and approves adjustments in its towns as a county agency.
    agency = principal_of(db, "county_dispatcher", role="agency_admin", scope=zone_area.code)
    zone_grids = service.list_grids(db, agency, area=None, q=None, page=1, page_size=200)
    assert zone_grids.total > 0 and all(g.code.startswith(zone_area.code[:6]) for g in zone_grids.items)
    county = qinzhou.city.counties[0].code + "000000"
    with pytest.raises(NotFound):
        service.get_area_read(db, agency, county)
    grid = zone_grids.items[0].code
    town = rules.parent_area_code(grid[:12])
    plan, _codes, _w, _e = split_plan(db, grid)
    for f in plan["features"]:
        f["properties"]["kind"] = db.get(Grid, grid).kind
    town_agency = principal_of(db, "town_dispatcher", scope=town)
    adj = adjustments.propose(db, town_agency, AdjustmentCreate(
        kind="split", town_code=town, trigger="population_change", reason="片区人口增长", committee_opinion="",
        effective_on=today(now), plan=plan), profile=qinzhou, now=now)
    assert adj.county_code == zone_area.code
    adjustments.approve(db, agency, adj.id, now=now)
    assert adj.status == "approved"
