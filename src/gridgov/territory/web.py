"""Territory pages: home, area tree, grid list, grid page, map and coverage check.

Each route resolves its parameters, calls the same service functions as the JSON API and renders.
A request made by htmx (``HX-Request``) gets only the fragment it swaps in.
"""

from __future__ import annotations

import shapely
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.authz import Principal
from gridgov.authz.permissions import Permission, role_can
from gridgov.authz.principals import SignedIn, TerritoryReader
from gridgov.deps import ProfileDep, SessionDep
from gridgov.kit.params import PageQuery
from gridgov.models.territory import AREA_LEVEL_LABELS, GRID_KIND_LABELS, AreaLevel
from gridgov.territory import coverage, service
from gridgov.territory.schemas import AreaRead
from gridgov.web.navigation import landing_page
from gridgov.web.templating import is_htmx, templates

router = APIRouter()

GRID_PAGE_SIZE = 30
VARY = {"Vary": "HX-Request"}


# ---------------------------------------------------------------- home


@router.get("/")
def home(request: Request, me: SignedIn, session: SessionDep):
    """Each role's work: an administrator of a territory sees its summary here; every other role
    is sent on to its own page (:func:`gridgov.web.navigation.landing_page`)."""
    target = landing_page(me.role)
    if target != "/":
        return RedirectResponse(target, status_code=303)
    return templates.TemplateResponse(request, "home.html", _home_summary(session, me))


# ---------------------------------------------------------------- areas


@router.get("/areas")
def area_index(request: Request, me: TerritoryReader, session: SessionDep):
    tops = service.list_areas(session, me, None, with_grids=True)
    tree = [{"area": top, "children": _children_with_grids(session, me, top.code)} for top in tops]
    return templates.TemplateResponse(request, "areas/index.html", {"tree": tree})


@router.get("/areas/{code}")
def area_page(request: Request, me: TerritoryReader, code: str, session: SessionDep):
    area = service.get_area_read(session, me, code)
    children = _children_with_grids(session, me, code)
    grids = None
    if area.level == AreaLevel.VILLAGE or not children:
        grids = service.list_grids(session, me, area=code, q=None, page=1, page_size=service.MAX_PAGE_SIZE)
    return templates.TemplateResponse(
        request,
        "areas/detail.html",
        {"area": area, "chain": service.area_chain(session, code), "children": children, "grids": grids},
    )


@router.get("/areas/{code}/children")
def area_children(request: Request, me: TerritoryReader, code: str, session: SessionDep):
    """The child list of one node of the tree, for htmx to expand it in place."""
    children = _children_with_grids(session, me, code)
    return templates.TemplateResponse(
        request, "areas/_children.html", {"children": children, "parent_code": code}, headers=VARY
    )


# ---------------------------------------------------------------- grids


@router.get("/grids")
def grid_list(
    request: Request,
    me: TerritoryReader,
    session: SessionDep,
    area: str | None = None,
    q: str | None = None,
    page: PageQuery = 1,
):
    area, q = (area or "").strip() or None, (q or "").strip() or None
    result = service.list_grids(session, me, area=area, q=q, page=page, page_size=GRID_PAGE_SIZE)
    context = {"result": result, "area": area, "q": q or "", "pages": max(1, -(-result.total // result.page_size))}
    if is_htmx(request):
        return templates.TemplateResponse(request, "grids/_table.html", context, headers=VARY)
    context["area_options"] = service.area_options(session, me, selected=area)
    return templates.TemplateResponse(request, "grids/list.html", context, headers=VARY)


@router.get("/grids/{code}")
def grid_page(request: Request, me: TerritoryReader, code: str, session: SessionDep, profile: ProfileDep):
    grid = service.get_grid_read(session, me, code)
    return templates.TemplateResponse(
        request,
        "grids/detail.html",
        {
            "grid": grid,
            "links": _grid_links(me, grid.code, active=grid.status == "active",
                                 online=profile.board.online != "none"),
            "map_config": {**_map_settings(request), "geometry": grid.geometry, "kind": grid.kind},
        },
    )


def _grid_links(me: Principal, code: str, *, active: bool, online: bool) -> list[dict[str, str]]:
    """The grid's board (online, or its print sheet where boards are printed only), its staff on post
    and its cases: each only where the user may open it (an active grid has a board)."""
    links = []
    if active:
        links.append({"id": "grid-board-link", "href": f"/board/{code}" if online else f"/board/{code}/print",
                      "text": "网格公示牌"})
    if role_can(me.role, Permission.STAFF_READ):
        links.append({"id": "grid-staff-link", "href": f"/staff?grid={code}", "text": "本网格人员"})
    if role_can(me.role, Permission.CASES_READ):
        links.append({"id": "grid-cases-link", "href": f"/cases/mine?grid={code}", "text": "本网格事件"})
    return links


# ---------------------------------------------------------------- map


@router.get("/map")
def map_page(request: Request, me: TerritoryReader, session: SessionDep, area: str | None = None):
    current = service.get_area_read(session, me, area) if area else _default_map_area(session, me)
    if current is None:
        return templates.TemplateResponse(request, "map.html", {"area": None, "chain": [], "picker": None})
    chain = service.area_chain(session, current.code)
    picker = _map_picker(session, me, chain)
    config = {
        **_map_settings(request),
        "area": current.code,
        "kind_labels": {str(k): v for k, v in GRID_KIND_LABELS.items()},
    }
    return templates.TemplateResponse(
        request, "map.html", {"area": current, "chain": chain, "picker": picker, "map_config": config}
    )


# ---------------------------------------------------------------- coverage


@router.get("/coverage")
def coverage_page(request: Request, me: TerritoryReader, session: SessionDep, profile: ProfileDep,
                  area: str | None = None):
    area = (area or "").strip() or None
    if area is None:
        return templates.TemplateResponse(
            request, "coverage.html", {"report": None, "area_options": service.area_options(session, me, selected=None)}
        )
    report = coverage.check_coverage(session, me, area, profile=profile)
    boundary = service.access_area(session, me, area).boundary_wkb
    config = {
        **_map_settings(request),
        "area": area,
        "boundary": mapping(shapely.from_wkb(boundary)) if boundary else None,
        "overlaps": [i.geometry for i in report.overlaps],
        "gaps": [i.geometry for i in report.gaps],
        "outside": [i.geometry for i in report.outside],
    }
    return templates.TemplateResponse(
        request,
        "coverage.html",
        {
            "report": report,
            "chain": service.area_chain(session, area),
            "area_options": service.area_options(session, me, selected=area),
            "map_config": config,
        },
    )


# ---------------------------------------------------------------- helpers


def _children_with_grids(session: Session, me: Principal, code: str) -> list[AreaRead]:
    """Child areas of ``code`` with the number of active grids under each."""
    return service.list_areas(session, me, code, with_grids=True)


def _home_summary(session: Session, me: Principal) -> dict:
    tops = service.list_areas(session, me, None, with_grids=True)
    level_counts = [
        {"level": str(level), "label": AREA_LEVEL_LABELS[level], "count": n}
        for level, n in service.area_level_counts(session, me)
    ]
    counties = _children_with_grids(session, me, tops[0].code) if tops else []
    return {
        "tops": tops,
        "level_counts": level_counts,
        "grid_total": sum(t.grids for t in tops),
        "counties": counties,
        "chart": {"names": [c.name for c in counties], "grids": [c.grids for c in counties]},
    }


def _default_map_area(session: Session, me: Principal) -> AreaRead | None:
    """The user's own area (a grid worker's village); for a whole city, its first county."""
    own = me.scope_code[:12]
    area = service.get_area_read(session, me, own)
    if area.level in (AreaLevel.PROVINCE, AreaLevel.CITY):
        children = service.list_areas(session, me, own)
        if children:
            return service.get_area_read(session, me, children[0].code)
    return area


def _map_picker(session: Session, me: Principal, chain) -> dict:
    """Options of the two pickers under the top area (county, then town) for an area's chain."""
    top = chain[0]
    first = chain[1].code if len(chain) > 1 else ""
    return {
        "top": top,
        "first_options": service.list_areas(session, me, top.code),
        "first": first,
        "second_options": service.list_areas(session, me, first) if first else [],
        "second": chain[2].code if len(chain) > 2 else "",
    }


def _map_settings(request: Request) -> dict:
    settings = getattr(request.app.state, "settings", None)
    return {
        "tile_url": getattr(settings, "tile_url", "") or "",
        "tile_attribution": getattr(settings, "tile_attribution", "") or "",
    }
