"""The seamless-coverage check (无缝覆盖) of an area's grids."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.errors import NotFound
from gridgov.geo.measure import areas_m2
from gridgov.models.territory import GRID_KIND_LABELS, GridKind
from gridgov.territory import repository as repo
from gridgov.territory import rules
from gridgov.territory.schemas import CoverageIssue, CoverageReport, HouseholdWarning, MicroGridFinding
from gridgov.territory.service import access_area, household_norms

OVERLAP_TOLERANCE_M2 = 1.0
"""Overlaps, gaps and spill-overs smaller than this are rounding noise, not findings."""


def check_coverage(session: Session, principal: Principal, area_code: str, *, profile) -> CoverageReport:
    """Seamless coverage (无缝覆盖) of an area: overlaps between its grids, gaps inside its own
    boundary, grids spilling outside it, and grids outside the profile's household norms. Only an
    area inside the jurisdiction can be checked (an area above it would show others' grids as gaps)."""
    area = access_area(session, principal, area_code)
    if not covers(principal, area_code):
        raise NotFound(f"区域 {area_code} 不存在")
    grids = repo.list_grids_with_geometry(session, principal, prefix=rules.area_prefix(area_code))
    boundary = shapely.from_wkb(area.boundary_wkb) if area.boundary_wkb else None
    geoms = shapely.from_wkb(np.array([g.geom_wkb for g in grids],
                                      dtype=object)) if grids else np.array([], dtype=object)
    ref_lat = _reference_lat(boundary, geoms)
    overlaps = _overlaps(grids, geoms, ref_lat)
    gaps: list[CoverageIssue] = []
    outside: list[CoverageIssue] = []
    if boundary is not None:
        union = shapely.union_all(geoms) if len(geoms) else shapely.Polygon()
        gaps = _pieces("gap", shapely.difference(boundary, union), ref_lat, grids, geoms, touching=False)
        outside = _pieces("outside", shapely.difference(union, boundary), ref_lat, grids, geoms, touching=True)
    return CoverageReport(
        area_code=area.code,
        area_name=area.name,
        grids_checked=len(grids),
        has_boundary=boundary is not None,
        overlaps=overlaps,
        gaps=gaps,
        outside=outside,
        household_warnings=household_warnings(grids, profile),
        micro_grid_findings=micro_grid_findings(session, principal, area_code, grids, profile),
    )


def _reference_lat(boundary, geoms) -> float:
    if boundary is not None:
        return boundary.centroid.y
    if len(geoms):
        return float(np.mean(shapely.bounds(geoms)[:, [1, 3]]))
    return 0.0


def _overlaps(grids, geoms, ref_lat: float) -> list[CoverageIssue]:
    if len(geoms) < 2:
        return []
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    inter = shapely.intersection(geoms[left], geoms[right])
    sizes = areas_m2(inter, ref_lat)
    issues = []
    for i, j, geom, size in zip(left, right, inter, sizes, strict=True):
        if size > OVERLAP_TOLERANCE_M2:
            polys = shapely.get_parts(geom)
            polys = [p for p in polys if p.geom_type in ("Polygon", "MultiPolygon")]
            issues.append(
                CoverageIssue(
                    kind="overlap",
                    grids=[grids[i].code, grids[j].code],
                    area_m2=round(float(size), 1),
                    geometry=mapping(shapely.multipolygons(polys) if len(polys) > 1 else polys[0]),
                )
            )
    return issues


def _pieces(kind: str, geom, ref_lat: float, grids, geoms, *, touching: bool) -> list[CoverageIssue]:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    if not parts:
        return []
    parts_arr = np.array(parts, dtype=object)
    sizes = areas_m2(parts_arr, ref_lat)
    tree = shapely.STRtree(geoms) if len(geoms) else None
    issues = []
    for part, size in zip(parts, sizes, strict=True):
        if size <= OVERLAP_TOLERANCE_M2:
            continue
        near: list[str] = []
        if tree is not None:
            idx = tree.query(part, predicate="intersects")
            near = sorted(grids[i].code for i in idx)
        issues.append(CoverageIssue(kind=kind, grids=near, area_m2=round(float(size), 1), geometry=mapping(part)))
    issues.sort(key=lambda i: -i.area_m2)
    return issues


def household_warnings(grids, profile) -> list[HouseholdWarning]:
    norms = household_norms(profile)
    out = []
    for g in grids:
        if g.kind not in norms:
            continue
        low, high = norms[g.kind]
        if not low <= g.households <= high:
            out.append(
                HouseholdWarning(
                    grid_code=g.code,
                    grid_name=g.name,
                    kind=g.kind,
                    households=g.households,
                    norm_min=low,
                    norm_max=high,
                    message=f"{g.name}有 {g.households} 户，超出{GRID_KIND_LABELS[GridKind(g.kind)]}规模 "
                            f"{low}–{high} 户{profile.requirement(f'territory.household_norms.{g.kind}').cite()}",
                )
            )
    return out


MICRO_GRID_WORDING = {
    "required": "应当划分微网格（本地政策：综合网格划分为若干微网格）",
    "encouraged": "鼓励有条件的划分微网格（本地政策）",
}


def micro_grid_findings(session: Session, principal: Principal, area_code: str, grids,
                        profile) -> list[MicroGridFinding]:
    """Comprehensive grids with no active micro-grid, where ``territory.micro_grids`` is ``required``
    (ZJ§6: the town divides each comprehensive grid into several micro-grids) or ``encouraged``
    (LZ§8); nothing where micro-grids are merely ``allowed`` or ``none``."""
    policy = str(profile.territory.micro_grids)
    if policy not in MICRO_GRID_WORDING:
        return []
    divided = {m.grid_code for m in repo.list_micro_grids_under(session, principal, rules.area_prefix(area_code))
               if m.status == "active"}
    return [MicroGridFinding(grid_code=g.code, grid_name=g.name, severity=policy,
                             message=f"{g.name}尚未划分微网格：{MICRO_GRID_WORDING[policy]}")
            for g in grids if g.kind in (GridKind.URBAN, GridKind.RURAL) and g.code not in divided]
