"""The leaders' dashboard pages: ``/dashboard`` (in the site's frame) and ``/dashboard/screen`` (the
full-screen 大屏 view of the same figures). Both read ``?area=&from=&to=`` (``from``/``to`` months,
``YYYY-MM``); the figures are :mod:`gridgov.analysis.dashboard`'s, drawn by dashboard.js."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.analysis import dashboard
from gridgov.authz import Permission
from gridgov.authz.principals import AnalysisReader
from gridgov.cases.forms import local_time
from gridgov.deps import ReplicaSessionDep
from gridgov.kit.clock import utc_now
from gridgov.territory.service import area_options
from gridgov.web.templating import templates

router = APIRouter()

AreaQuery = Annotated[str | None, Query(max_length=12, title="区划代码")]


def _map_config(request: Request, me, area: str) -> dict:
    """The choropleth's base: the tile server if one is set, and the grid outlines of the area
    (``GET /api/v1/areas/{code}/grids.geojson``, scoped there) for a user who may read the territory."""
    settings = request.app.state.settings
    return {"tile_url": settings.tile_url or "", "tile_attribution": getattr(settings, "tile_attribution", "") or "",
            "grids": f"/api/v1/areas/{area}/grids.geojson" if me.can(Permission.TERRITORY_READ) else ""}


def _page(request: Request, me, session, name: str, area, month_from, month_to):
    now = utc_now()
    q = dashboard.parse(me, area=area, month_from=month_from, month_to=month_to, now=now)
    data = dashboard.build(session, me, q, now=now, profile=request.app.state.profile,
                           case_types=request.app.state.case_types)
    context = {**data, "charts": dashboard.chart_data(data), "counters": dashboard.COUNTERS,
               "area_options": area_options(session, me, selected=q.area),
               "self_query": f"area={q.area}&from={q.month_from}&to={q.month_to}", "local_time": local_time,
               "map_config": _map_config(request, me, q.area)}
    return templates.TemplateResponse(request, name, context)


@router.get("/dashboard")
def dashboard_page(request: Request, me: AnalysisReader, session: ReplicaSessionDep, area: AreaQuery = None,
                   month_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
                   month_to: Annotated[str | None, Query(alias="to", max_length=7)] = None):
    return _page(request, me, session, "analysis/dashboard.html", area, month_from, month_to)


@router.get("/dashboard/screen")
def dashboard_screen(request: Request, me: AnalysisReader, session: ReplicaSessionDep, area: AreaQuery = None,
                     month_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
                     month_to: Annotated[str | None, Query(alias="to", max_length=7)] = None):
    return _page(request, me, session, "analysis/screen.html", area, month_from, month_to)
