"""Loads the demo city of a policy profile through the ordinary import path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM
from gridgov.territory import history, rules
from gridgov.territory import repository as repo
from gridgov.territory.demo import build_demo_city, demo_city_of
from gridgov.territory.service import allowed_dedicated_types, household_norms
from gridgov.territory.transfer import import_feature_collection

_DEPARTMENT_HINTS = {  # which of the profile's departments manages a demo dedicated grid, by its name
    "market": "市场", "office_building": "市场", "enterprise": "应急", "park": "应急", "canal_hub": "交通",
    "maritime": "应急", "admin_centre": "政务", "school": "教育", "hospital": "卫生",
}
_HEADS = ["王建国", "李红梅", "张志强", "刘海燕", "陈卫东", "杨秀英", "黄立新", "赵明华", "吴振华", "周丽娟"]


def _dedicated_particulars(profile, data: dict) -> dict:
    """The demo's dedicated grids get a host unit, its head and, under dual management, a competent
    department (QZ§5, QZ§13): every dedicated grid the profile asks them of must have them."""
    names = [(d.code, d.name) for d in profile.departments]
    n = 0
    for feature in data["features"]:
        props = feature["properties"]
        if props.get("kind") != "dedicated":
            continue
        hint = _DEPARTMENT_HINTS.get(props.get("dedicated_type"), "")
        dept = next((code for code, name in names if hint and hint in name), names[0][0] if names else None)
        props["host_unit"] = props["name"].removesuffix("网格")
        props["unit_head"] = _HEADS[n % len(_HEADS)]
        if dept and profile.territory.dedicated_dual_management:
            props["competent_department"] = dept
        n += 1
    return data


def demo_feature_collection(profile, *, grids: int) -> dict:
    """The profile's demo city as GeoJSON, with the grid kinds and household norms its policy allows."""
    kinds = allowed_dedicated_types(profile)
    norms = {k: {"min": lo, "max": hi} for k, (lo, hi) in household_norms(profile).items()}
    return _dedicated_particulars(profile, build_demo_city(
        demo_city_of(profile),
        grids=grids,
        allow_dedicated=kinds - {"maritime"},
        allow_maritime="maritime" in kinds,
        household_norms=norms or None,
    ))


def load_demo_city(session: Session, profile, *, grids: int, now: datetime) -> str:
    """Builds and imports the profile's demo city unless its grids are already there."""
    city = demo_city_of(profile)
    existing = repo.count_active_grids_under(session, SYSTEM, rules.area_prefix(city.area_code))
    if existing:
        added = history.backfill_versions(session, now=now)  # a demo built before history was kept
        note = f"，补记 {added} 个网格的边界历史" if added else ""
        return f"演示城市{city.city_name}已存在（{existing} 个网格），沿用现有数据{note}"
    result = import_feature_collection(session, SYSTEM, demo_feature_collection(profile, grids=grids), profile=profile,
                                       now=now)
    return f"演示城市{city.city_name}已建立：{result.areas_created} 个区域，{result.grids_created} 个网格"
