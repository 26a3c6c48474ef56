"""Importing and exporting territories as GeoJSON FeatureCollections.

Every import is validated whole before anything is written, so a bad file leaves the database as it
was; each bad feature is reported with its index and a Chinese reason. An importer may only write
codes inside its own jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.errors import Invalid
from gridgov.models import Area, Grid, MicroGrid
from gridgov.models.territory import (
    AREA_LEVEL_LABELS,
    GRID_KIND_LABELS,
    AreaLevel,
    DedicatedType,
    GridKind,
    GridStatus,
)
from gridgov.territory import dedicated, history, import_changes, rules
from gridgov.territory import repository as repo
from gridgov.territory.schemas import ImportProblem, ImportResult
from gridgov.territory.service import (
    access_area,
    allowed_dedicated_types,
    allowed_grid_kinds,
)

_VALIDITY_REASONS = {
    "Self-intersection": "自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points": "点数不足",
    "Hole lies outside shell": "内环位于外环之外",
    "Nested shells": "外环嵌套",
    "Nested holes": "内环嵌套",
    "Interior is disconnected": "内部不连通",
    "Invalid Coordinate": "坐标无效",
    "Duplicate Rings": "重复的环",
}


@dataclass
class _Parsed:
    index: int
    layer: str
    code: str
    props: dict[str, Any]
    geom: BaseGeometry | None


def import_feature_collection(
    session: Session,
    principal: Principal,
    data: Any,
    *,
    profile,
    now: datetime,
    effective_on: date | None = None,
) -> ImportResult:
    """Validate a GeoJSON FeatureCollection of areas, grids and micro-grids, then write it whole.

    Every bad feature is reported with its index (0-based, as in ``features``) and reason, and
    nothing is written unless the whole file is valid. Known areas are updated; an active grid keeps
    its division (a redraw, retirement or re-code is a grid adjustment, refused here: see
    :mod:`gridgov.territory.import_changes`) and only its counts and particulars are updated; a
    retired grid code is never brought back; codes outside the importer's jurisdiction are refused.
    Each import that writes leaves one audit entry (``grids_imported``). The grids'
    boundary history gets a new version, valid from ``effective_on`` (default: today in
    Asia/Shanghai), for each grid whose boundary, name or kind changed.
    """
    features = _features_of(data)
    problems: list[ImportProblem] = []
    parsed = _parse_features(features, principal, profile, problems)
    _check_geometries(parsed, problems)
    areas = [p for p in parsed if p.layer == "area"]
    grids = [p for p in parsed if p.layer == "grid"]
    micros = [p for p in parsed if p.layer == "micro_grid"]
    area_levels = _check_area_parents(session, areas, problems)
    _check_grid_parents(session, grids, area_levels, problems)
    _check_micro_parents(session, micros, {g.code for g in grids}, problems)
    bad = {p.index for p in problems}
    problems += import_changes.adjustment_problems(session, [g for g in grids if g.index not in bad])

    if problems:
        problems.sort(key=lambda p: p.index)
        raise Invalid(
            f"导入失败：{len(problems)} 处错误，未写入任何数据",
            details=[p.model_dump() for p in problems],
        )
    result = ImportResult()
    _write_areas(session, areas, now, result)
    rows = write_grids(session, grids, now, result)
    _write_micro_grids(session, micros, now, result)
    if grids:
        history.record_versions(session, rows, valid_from=effective_on or history.local_today(now), now=now)
        repo.bump_grids_version(session)
    session.flush()
    record(session, actor=principal, action="grids_imported", now=now, object_type="import",
           area_code=_common_area([p.code for p in parsed]), after=result.model_dump())
    return result


def _common_area(codes: list[str]) -> str:
    """The lowest area above every code of an import (where its audit entry lies)."""
    chains = [rules.ancestor_codes(c[: rules.AREA_CODE_LEN]) for c in codes]
    common = chains[0] if chains else []
    for chain in chains[1:]:
        common = [a for a, b in zip(common, chain, strict=False) if a == b]
    return common[-1] if common else ""


def _parse_features(features: list, principal: Principal, profile, problems: list[ImportProblem]) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    first_index: dict[str, int] = {}
    for index, feature in enumerate(features):
        item = _parse_feature(index, feature, profile, problems)
        if item is None:
            continue
        if not covers(principal, item.code):
            problems.append(_problem(index, item.code,
                                     f"编码 {item.code} 不在你的管辖范围（{principal.scope_code}）内"))
            continue
        if item.code in first_index:
            problems.append(_problem(index, item.code, f"编码重复：与第 {first_index[item.code]} 个要素相同"))
            continue
        first_index[item.code] = index
        parsed.append(item)
    return parsed


def parse_grid_features(
    session: Session, principal: Principal, features: list, *, profile
) -> tuple[list[_Parsed], list[ImportProblem]]:
    """Grid features checked exactly as an import checks them (fields, geometry, village, retired
    codes, jurisdiction), for a plan that writes grids later (a grid adjustment). Anything but a
    grid is refused."""
    problems: list[ImportProblem] = []
    parsed = _parse_features(features, principal, profile, problems)
    for item in parsed:
        if item.layer != "grid":
            problems.append(_problem(item.index, item.code, "调整方案只能包含网格（layer 应为 grid）"))
    parsed = [p for p in parsed if p.layer == "grid"]
    _check_geometries(parsed, problems)
    _check_grid_parents(session, parsed, {}, problems)
    problems.sort(key=lambda p: p.index)
    return parsed, problems


def trusted_grid_features(features: list) -> list[_Parsed]:
    """Grid features that were validated before (a stored adjustment plan), parsed for writing."""
    out = []
    for index, feature in enumerate(features):
        props = feature["properties"]
        out.append(_Parsed(index=index, layer="grid", code=str(props["code"]).strip(), props=props,
                           geom=shape(feature["geometry"])))
    return out


def _features_of(data: Any) -> list:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid("文件不是 GeoJSON FeatureCollection（顶层应为 {\"type\": \"FeatureCollection\", ...}）")
    features = data.get("features")
    if not isinstance(features, list):
        raise Invalid("GeoJSON 缺少 features 数组")
    if not features:
        raise Invalid("GeoJSON 中没有任何要素")
    return features


def _problem(index: int, code: str | None, reason: str) -> ImportProblem:
    return ImportProblem(index=index, code=code, reason=reason)


_LAYER_BY_LENGTH = {
    rules.AREA_CODE_LEN: "area",
    rules.GRID_CODE_LEN: "grid",
    rules.MICRO_GRID_CODE_LEN: "micro_grid",
}


def _parse_feature(index: int, feature: Any, profile, problems: list[ImportProblem]) -> _Parsed | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(_problem(index, None, "不是 GeoJSON Feature"))
        return None
    props = feature.get("properties")
    if not isinstance(props, dict):
        problems.append(_problem(index, None, "缺少 properties"))
        return None
    raw_code = props.get("code")
    if raw_code is None or str(raw_code).strip() == "":
        problems.append(_problem(index, None, "缺少必填字段 code（编码）"))
        return None
    code = str(raw_code).strip()
    layer = props.get("layer") or _LAYER_BY_LENGTH.get(len(code))
    if layer not in ("area", "grid", "micro_grid"):
        problems.append(_problem(index, code, "无法判断要素类别：layer 应为 area、grid 或 micro_grid"))
        return None
    before = len(problems)

    def bad(reason: str) -> None:
        problems.append(_problem(index, code, reason))

    try:
        if layer == "area":
            level = rules.area_level(code)
            if props.get("level") not in (None, "", str(level)):
                bad(f"级别 {props.get('level')!r} 与代码不符：代码 {code} 是{AREA_LEVEL_LABELS[level]}级")
        elif layer == "grid":
            rules.grid_village_code(code)
        else:
            rules.micro_grid_parent_code(code)
    except rules.CodeError as exc:
        bad(str(exc))
    if not isinstance(props.get("name"), str) or not props["name"].strip():
        bad("缺少必填字段 name（名称）")
    elif len(props["name"]) > 100:
        bad("名称超过 100 个字符")

    if layer == "grid":
        _check_grid_fields(props, profile, bad)
    if layer == "micro_grid" and profile.territory.micro_grids == "none":
        bad(f"本地政策（{profile.label}）不设微网格")
    if layer == "micro_grid" or layer == "grid":
        _check_count(props, "households", "户数", bad, required=(layer == "grid"))
    if layer == "grid":
        _check_count(props, "population", "人口", bad, required=False)

    geom = None
    raw_geom = feature.get("geometry")
    if raw_geom is None:
        if layer == "grid":
            bad("缺少几何（网格必须有边界）")
    elif layer != "micro_grid":
        geom = _parse_geometry(raw_geom, bad)
    if len(problems) > before:
        return None
    return _Parsed(index=index, layer=layer, code=code, props=props, geom=geom)


def _check_grid_fields(props: dict, profile, bad) -> None:
    kind = props.get("kind")
    if kind is None:
        bad("缺少必填字段 kind（网格类型）")
        return
    if kind not in {k.value for k in GridKind}:
        bad(f"网格类型 {kind!r} 无效，应为 urban、rural 或 dedicated")
        return
    if kind not in allowed_grid_kinds(profile):
        bad(f"本地政策配置（{profile.label}）不设{GRID_KIND_LABELS[GridKind(kind)]}")
        return
    dtype = props.get("dedicated_type")
    if kind == GridKind.DEDICATED:
        if not dtype:
            bad("专属网格必须填写 dedicated_type（专属类型）")
        elif dtype not in {t.value for t in DedicatedType}:
            bad(f"专属类型 {dtype!r} 无效")
        elif dtype not in allowed_dedicated_types(profile):
            bad(f"本地政策配置（{profile.label}）不允许专属类型 {dtype}")
    elif dtype:
        bad("只有专属网格才能填写 dedicated_type")
    status = props.get("status", GridStatus.ACTIVE)
    if status not in {s.value for s in GridStatus}:
        bad(f"状态 {status!r} 无效，应为 active 或 retired")
    for reason in dedicated.field_problems(props, profile):
        bad(reason)


def _check_count(props: dict, field: str, label: str, bad, *, required: bool) -> None:
    value = props.get(field)
    if value is None:
        if required:
            bad(f"缺少必填字段 {field}（{label}）")
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        bad(f"{label}（{field}）应为非负整数，实为 {value!r}")


def _parse_geometry(raw: Any, bad) -> BaseGeometry | None:
    try:
        geom = shape(raw)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        bad(f"几何无法解析：{exc}")
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        bad(f"几何类型应为 Polygon 或 MultiPolygon，实为 {geom.geom_type}")
        return None
    if geom.is_empty:
        bad("几何为空")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90) or not np.isfinite(geom.bounds).all():
        bad("坐标超出 WGS84 经纬度范围（经度 -180~180，纬度 -90~90）")
        return None
    return geom


def _check_geometries(parsed: list[_Parsed], problems: list[ImportProblem]) -> None:
    with_geom = [p for p in parsed if p.geom is not None]
    if not with_geom:
        return
    geoms = np.array([p.geom for p in with_geom], dtype=object)
    valid = shapely.is_valid(geoms)
    bad_items = [p for p, ok in zip(with_geom, valid, strict=True) if not ok]
    if not bad_items:
        return
    reasons = shapely.is_valid_reason(np.array([p.geom for p in bad_items], dtype=object))
    bad_codes = set()
    for item, reason in zip(bad_items, reasons, strict=True):
        head = str(reason).split("[")[0].strip()
        label = _VALIDITY_REASONS.get(head, head)
        problems.append(_problem(item.index, item.code, f"几何无效（{label}）：{reason}"))
        bad_codes.add(item.code)
    parsed[:] = [p for p in parsed if p.code not in bad_codes]


def _check_area_parents(session: Session, areas: list[_Parsed], problems: list[ImportProblem]) -> dict[str, str]:
    """Every area's parent exists in the file or the database; returns code → level of both."""
    in_file = {a.code: str(rules.area_level(a.code)) for a in areas}
    parent_codes = {rules.parent_area_code(a.code) for a in areas} - {None} - set(in_file)
    in_db = {code: area.level for code, area in repo.get_areas(session, parent_codes).items()}
    known = {**in_db, **in_file}
    for area in areas:
        parent = rules.parent_area_code(area.code)
        level = rules.area_level(area.code)
        if parent is None or parent in known:
            continue
        if level in (AreaLevel.PROVINCE, AreaLevel.CITY):
            continue  # the top of a deployment may stand without its parent
        problems.append(_problem(area.index, area.code, f"上级区划 {parent} 不存在（文件与数据库中均无）"))
    return known


def _check_grid_parents(
    session: Session, grids: list[_Parsed], area_levels: dict[str, str], problems: list[ImportProblem]
) -> None:
    villages = {g.code[:12] for g in grids} - set(area_levels)
    area_levels = {**area_levels, **{c: a.level for c, a in repo.get_areas(session, villages).items()}}
    statuses = repo.grid_codes_and_status(session, [g.code for g in grids])
    for grid in grids:
        village = grid.code[:12]
        if village not in area_levels:
            problems.append(_problem(grid.index, grid.code, f"所属村/社区 {village} 不存在（文件与数据库中均无）"))
        if statuses.get(grid.code) == GridStatus.RETIRED and grid.props.get("status", "active") != GridStatus.RETIRED:
            problems.append(_problem(grid.index, grid.code, f"网格编码 {grid.code} 已注销，注销的编码不得重复使用"))


def _check_micro_parents(
    session: Session, micros: list[_Parsed], grid_codes: set[str], problems: list[ImportProblem]
) -> None:
    parents = {m.code[:15] for m in micros} - grid_codes
    known = grid_codes | repo.existing_codes(session, Grid, parents)
    for micro in micros:
        if micro.code[:15] not in known:
            problems.append(_problem(micro.index, micro.code,
                                     f"所属网格 {micro.code[:15]} 不存在（文件与数据库中均无）"))


def _write_areas(session: Session, areas: list[_Parsed], now: datetime, result: ImportResult) -> None:
    if not areas:
        return
    existing = repo.existing_codes(session, Area, [a.code for a in areas])
    rows = [
        {
            "code": a.code,
            "name": a.props["name"].strip(),
            "level": str(rules.area_level(a.code)),
            "parent_code": rules.parent_area_code(a.code),
            "boundary_wkb": shapely.to_wkb(a.geom) if a.geom is not None else None,
            "updated_at": now,
        }
        for a in sorted(areas, key=lambda a: rules.LEVEL_ORDER.index(rules.area_level(a.code)))
    ]
    in_file = {r["code"] for r in rows}
    parents = {r["parent_code"] for r in rows} - {None} - in_file
    known_parents = in_file | set(repo.get_areas(session, parents))
    for r in rows:
        if r["parent_code"] not in known_parents:
            r["parent_code"] = None  # a top area whose parent is not kept here
    new = [{**r, "created_at": now} for r in rows if r["code"] not in existing]
    changed = [r for r in rows if r["code"] in existing]
    repo.write_rows(session, Area, new, changed)
    result.areas_created, result.areas_updated = len(new), len(changed)


def write_grids(session: Session, grids: list[_Parsed], now: datetime, result: ImportResult) -> list[dict]:
    """Insert new grids and update known ones; returns the rows written (for the history)."""
    if not grids:
        return []
    existing = repo.existing_codes(session, Grid, [g.code for g in grids])
    # A plan or file that does not speak of a known grid's particulars leaves them as they are.
    keep = repo.grids_by_code(session, [g.code for g in grids if g.code in existing
                                        and not any(f in g.props for f in dedicated.FIELDS)])
    geoms = np.array([g.geom for g in grids], dtype=object)
    wkbs = shapely.to_wkb(geoms)
    bounds = shapely.bounds(geoms)
    new, changed = [], []
    for g, wkb, (minx, miny, maxx, maxy) in zip(grids, wkbs, bounds, strict=True):
        status = g.props.get("status", GridStatus.ACTIVE)
        row = {
            "code": g.code,
            "area_code": g.code[:12],
            "name": g.props["name"].strip(),
            "kind": g.props["kind"],
            "dedicated_type": g.props.get("dedicated_type") or None,
            "households": g.props["households"],
            "population": g.props.get("population") or 0,
            "geom_wkb": wkb,
            "min_lon": float(minx),
            "min_lat": float(miny),
            "max_lon": float(maxx),
            "max_lat": float(maxy),
            "status": status,
            "updated_at": now,
            **({f: getattr(keep[g.code], f) for f in dedicated.FIELDS} if g.code in keep
               else dedicated.row_values(g.props)),
        }
        if g.code in existing:
            changed.append(row)
        else:
            new.append({**row, "created_at": now, "retired_at": now if status == GridStatus.RETIRED else None})
    repo.write_rows(session, Grid, new, changed)
    result.grids_created, result.grids_updated = len(new), len(changed)
    return new + changed


def _write_micro_grids(session: Session, micros: list[_Parsed], now: datetime, result: ImportResult) -> None:
    if not micros:
        return
    existing = repo.existing_codes(session, MicroGrid, [m.code for m in micros])
    rows = [
        {"code": m.code, "grid_code": m.code[:15], "name": m.props["name"].strip(),
         "households": m.props.get("households") or 0}
        for m in micros
    ]
    new = [{**r, "created_at": now, "status": GridStatus.ACTIVE} for r in rows if r["code"] not in existing]
    changed = [r for r in rows if r["code"] in existing]
    repo.write_rows(session, MicroGrid, new, changed)
    result.micro_grids_created, result.micro_grids_updated = len(new), len(changed)


def export_feature_collection(
    session: Session, principal: Principal, area_code: str | None = None
) -> dict[str, Any]:
    """The areas, grids and micro-grids under ``area_code`` (everything in the jurisdiction if
    None), in the import format."""
    prefix = None
    if area_code:
        access_area(session, principal, area_code)
        prefix = rules.area_prefix(area_code)
    areas = repo.list_areas_under(session, principal, prefix or "")
    features: list[dict[str, Any]] = [
        _feature(
            {"layer": "area", "code": a.code, "name": a.name, "level": a.level},
            shapely.from_wkb(a.boundary_wkb) if a.boundary_wkb else None,
        )
        for a in sorted(areas, key=lambda a: (rules.LEVEL_ORDER.index(AreaLevel(a.level)), a.code))
    ]
    grids = repo.list_grids_with_geometry(session, principal, prefix=prefix, include_retired=True)
    geoms = shapely.from_wkb(np.array([g.geom_wkb for g in grids], dtype=object)) if grids else []
    for g, geom in zip(grids, geoms, strict=True):
        props = {
            "layer": "grid",
            "code": g.code,
            "name": g.name,
            "kind": g.kind,
            "dedicated_type": g.dedicated_type,
            "households": g.households,
            "population": g.population,
            "status": g.status,
        }
        if g.kind == GridKind.DEDICATED:
            props |= {f: getattr(g, f) for f in dedicated.FIELDS}
        features.append(_feature(props, geom))
    for m in repo.list_micro_grids_under(session, principal, prefix):
        features.append(
            _feature({"layer": "micro_grid", "code": m.code, "name": m.name, "households": m.households}, None)
        )
    return {"type": "FeatureCollection", "features": features}


def _feature(props: dict[str, Any], geom: BaseGeometry | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom) if geom is not None else None}
