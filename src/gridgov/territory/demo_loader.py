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


def demo_feature_collection(profile, *, grids: int) -> dict:
    """The profile's demo city as GeoJSON, with the grid kinds and household norms its policy allows."""
    kinds = allowed_dedicated_types(profile)
    norms = {k: {"min": lo, "max": hi} for k, (lo, hi) in household_norms(profile).items()}
    return build_demo_city(
        demo_city_of(profile),
        grids=grids,
        allow_dedicated=kinds - {"maritime"},
        allow_maritime="maritime" in kinds,
        household_norms=norms or None,
    )


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
