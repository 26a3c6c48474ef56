"""Territory use cases: lookups of areas and grids, the locator, and the profile's territory rules.

Every read takes the acting principal (None for the system itself: CLI and jobs) and sees only what
lies in its jurisdiction; anything outside is reported exactly like something missing. Import and
export live in :mod:`gridgov.territory.transfer`, the coverage check in
:mod:`gridgov.territory.coverage`.
"""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers, get_visible
from gridgov.errors import Invalid, NotFound
from gridgov.geo.crs import to_wgs84
from gridgov.geo.locator import GridLocator
from gridgov.models import Area, Grid
from gridgov.models.territory import (
    AREA_LEVEL_LABELS,
    GRID_KIND_LABELS,
    AreaLevel,
    GridKind,
)
from gridgov.territory import dedicated, history, rules
from gridgov.territory import repository as repo
from gridgov.territory.schemas import (
    AreaChainItem,
    AreaRead,
    GridListItem,
    GridPage,
    GridRead,
    LocateResult,
)

MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- policy access


def allowed_grid_kinds(profile) -> set[str]:
    return {str(k) for k in profile.territory.grid_kinds}


def allowed_dedicated_types(profile) -> set[str]:
    return {str(t) for t in profile.territory.dedicated_types}


def household_norms(profile) -> dict[str, tuple[int, int]]:
    norms = profile.territory.household_norms or {}
    items = norms.items() if isinstance(norms, dict) else norms
    return {str(kind): (norm.min, norm.max) for kind, norm in items if norm is not None}


# ---------------------------------------------------------------- lookups


def access_area(session: Session, principal: Principal, code: str) -> Area:
    """An area the principal may see (inside its jurisdiction or above it); 404 otherwise."""
    area = get_visible(session, principal, Area, code, ancestors=True)
    if area is None:
        raise NotFound(f"区域 {code} 不存在")
    return area


def access_grid(session: Session, principal: Principal, code: str) -> Grid:
    """A grid inside the principal's jurisdiction; 404 otherwise."""
    grid = get_visible(session, principal, Grid, code)
    if grid is None:
        raise NotFound(f"网格 {code} 不存在")
    return grid


def top_area_code(session: Session) -> str | None:
    """The city's code (the first area with no parent): where a command with no area starts."""
    return repo.top_area_code(session)


def area_chain(session: Session, area_code: str) -> list[AreaChainItem]:
    """The area and those above it that are kept here, top first (names only, for breadcrumbs)."""
    codes = rules.ancestor_codes(area_code)
    found = repo.get_areas(session, codes)
    return [AreaChainItem(code=c, name=found[c].name, level=found[c].level) for c in codes if c in found]


def place_names(session: Session, area_codes, grid_codes) -> dict[str, str]:
    """Names of areas and grids by code, names only (like :func:`area_chain`): a case page names
    the agency that handles it and its grid, which its reader may see on the case without opening them."""
    names = {code: a.name for code, a in repo.get_areas(session, [c for c in area_codes if c]).items()}
    names.update({code: g.name for code, g in repo.grids_by_code(session, [c for c in grid_codes if c]).items()})
    return names


def list_areas(
    session: Session, principal: Principal, parent: str | None, *, with_grids: bool = False
) -> list[AreaRead]:
    """Areas directly under ``parent`` (the top areas for None) that the principal may see, with
    their child counts and, if asked, their active grid counts inside the jurisdiction; a constant
    number of queries whatever the list's length."""
    if parent is not None:
        access_area(session, principal, parent)
    areas = repo.list_child_areas(session, principal, parent)
    children = repo.count_children(session, principal, [a.code for a in areas])
    grids: dict[str, int] = {}
    if with_grids:
        under = rules.area_prefix(parent) if parent else ""
        for length in {len(rules.area_prefix(a.code)) for a in areas}:
            grids.update(repo.count_active_grids_by_prefix(session, principal, length, under))
    return [_area_read(a, children.get(a.code, 0), grids.get(rules.area_prefix(a.code), 0)) for a in areas]


def area_level_counts(session: Session, principal: Principal) -> list[tuple[AreaLevel, int]]:
    """How many areas of each level the principal can see, top level first."""
    counts = repo.count_areas_by_level(session, principal)
    return [(level, counts[level]) for level in AreaLevel if counts.get(level)]


def get_area_read(session: Session, principal: Principal, code: str) -> AreaRead:
    area = access_area(session, principal, code)
    children = repo.count_children(session, principal, [code]).get(code, 0)
    grids = repo.count_active_grids_under(session, principal, rules.area_prefix(code))
    return _area_read(area, children, grids)


_LEVEL_RANK = {level: i for i, level in enumerate(AreaLevel)}


def area_options(session: Session, me: Principal, *, selected: str | None) -> list[dict]:
    """The areas offered in a picker: the top areas, their children and grandchildren, indented."""
    options: list[dict] = []

    def add(a: AreaRead, depth: int) -> None:
        options.append({"code": a.code, "name": a.name, "label": a.level_label, "depth": depth})

    for top in list_areas(session, me, None):
        add(top, 0)
        for child in list_areas(session, me, top.code):
            add(child, 1)
            if child.children:
                for grandchild in list_areas(session, me, child.code):
                    add(grandchild, 2)
    if selected and selected not in {o["code"] for o in options}:
        chosen = get_area_read(session, me, selected)
        add(chosen, _LEVEL_RANK.get(AreaLevel(chosen.level), 0))
    return options


def _area_read(area: Area, children: int, grids: int = 0) -> AreaRead:
    return AreaRead(
        code=area.code,
        name=area.name,
        level=area.level,
        level_label=AREA_LEVEL_LABELS[AreaLevel(area.level)],
        parent_code=area.parent_code,
        children=children,
        grids=grids,
    )


def list_grids(
    session: Session, principal: Principal, *, area: str | None, q: str | None, page: int, page_size: int
) -> GridPage:
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    prefix = None
    if area:
        access_area(session, principal, area)
        prefix = rules.area_prefix(area)
    rows, total = repo.list_grids(
        session, principal, prefix=prefix, q=q, offset=(page - 1) * page_size, limit=page_size
    )
    names = {c: a.name for c, a in repo.get_areas(session, {g.area_code for g in rows}).items()}
    return GridPage(items=[_grid_item(g, names) for g in rows], total=total, page=page, page_size=page_size)


def _grid_item(g: Grid, area_names: dict[str, str]) -> GridListItem:
    return GridListItem(
        code=g.code,
        name=g.name,
        kind=g.kind,
        kind_label=GRID_KIND_LABELS[GridKind(g.kind)],
        dedicated_type=g.dedicated_type,
        area_code=g.area_code,
        area_name=area_names.get(g.area_code, ""),
        households=g.households,
        population=g.population,
        status=g.status,
    )


def get_grid_read(session: Session, principal: Principal, code: str) -> GridRead:
    grid = access_grid(session, principal, code)
    chain = area_chain(session, grid.area_code)
    geom = shapely.from_wkb(grid.geom_wkb)
    micro = [{"code": m.code, "name": m.name, "households": m.households} for m in repo.list_micro_grids(session, code)]
    item = _grid_item(grid, {c.code: c.name for c in chain})
    dept = dedicated.competent_department(session, code) if grid.competent_department else None
    return GridRead(
        **item.model_dump(),
        host_unit=grid.host_unit or "",
        unit_head=grid.unit_head or "",
        competent_department=grid.competent_department,
        competent_department_name=dept.name if dept else "",
        area_chain=chain,
        micro_grids=micro,
        bbox=[grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat],
        geometry=mapping(geom),
    )


def grids_geojson(session: Session, principal: Principal, area_code: str) -> dict:
    """Active grids under an area, inside the jurisdiction, as a light FeatureCollection for maps."""
    access_area(session, principal, area_code)
    grids = repo.list_grids_with_geometry(session, principal, prefix=rules.area_prefix(area_code))
    if not grids:
        return {"type": "FeatureCollection", "features": []}
    import json

    texts = shapely.to_geojson(shapely.from_wkb(np.array([g.geom_wkb for g in grids], dtype=object)))
    features = [
        {
            "type": "Feature",
            "properties": {"code": g.code, "name": g.name, "kind": g.kind, "households": g.households},
            "geometry": json.loads(text),
        }
        for g, text in zip(grids, texts, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------- locator


class _LocatorCache:
    """One locator per database, rebuilt when the grids' version counter moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[object, tuple[int, GridLocator]] = {}

    def get(self, session: Session) -> GridLocator:
        bind = session.get_bind()
        key = getattr(bind, "engine", bind).url
        version = repo.grids_version(session)
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]
            rows = repo.active_grid_geometries(session)
            codes = [code for code, _ in rows]
            geoms = shapely.from_wkb(np.array([wkb for _, wkb in rows], dtype=object)) if rows else []
            locator = GridLocator(codes, list(geoms))
            self._entries[key] = (version, locator)
            return locator

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        history.dated_locators.clear()
        dedicated.departments_of_grids.clear()


locators = _LocatorCache()


def get_locator(session: Session) -> GridLocator:
    return locators.get(session)


def locate(
    session: Session,
    principal: Principal,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    on: date | None = None,
) -> LocateResult:
    """The active grid holding a point given in WGS84, GCJ-02 or BD-09; a clear answer if none.
    With ``on``, the grid that held it on that date, by the boundary history (the grid may have
    been retired since; its name is the one it had then). A grid outside the principal's
    jurisdiction is not named: the answer is "not in your grids"."""
    try:
        wlon, wlat = (float(v) for v in to_wgs84(lon, lat, crs))
        if on is None:
            code = get_locator(session).locate(wlon, wlat)
            names: dict[str, str] = {}
        else:
            dated = history.locator_on(session, on)
            code = dated.locator.locate(wlon, wlat)
            names = dated.names
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    base = {"lon": lon, "lat": lat, "crs": crs, "wgs84": [round(wlon, 8), round(wlat, 8)], "on": on}
    when = f"{on.isoformat()} " if on else ""
    if code is None or not covers(principal, code):
        # The same answer for "no grid here" and "someone else's grid here": outside looks missing.
        where = "任何在用" if principal.system else "你辖区内的"
        return LocateResult(found=False, message=f"该位置{when}不在{where}网格内", **base)
    grid = access_grid(session, principal, code)
    name = names.get(code, grid.name)
    return LocateResult(
        found=True,
        message=f"{when}位于{name}" if on else f"位于{name}",
        grid_code=code,
        grid_name=name,
        area_chain=area_chain(session, grid.area_code),
        **base,
    )
