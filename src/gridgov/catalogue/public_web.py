"""The public list of grid work (C5, LZ§15, JS§10, QZ§9): pages and exports anyone may open.

``/catalogue`` is the city's lists; ``/catalogue/{area_code}`` is what governs a county, town or
village (its city's lists plus its county's). Each list shows its matters in force today, its
version history and a comparison of two versions; the same content downloads as Excel or PDF. All
of it is read with no login (``Permission.PUBLIC``) and sent ``no-store``, so what a visitor sees is
the database at that moment — a matter that has left the list, or a temporary one past its end
date, is gone on the next request.

``{area_code}`` only matches twelve digits (a path convertor), so other ``/catalogue/...`` pages —
the agencies' application pages — are never swallowed by it whatever order routers are included in.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from gridgov.authz import Permission, Principal, require
from gridgov.catalogue import export
from gridgov.catalogue.export import NEGATIVE_HEADING
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import MAX_ID, IdPath
from gridgov.territory.demo import demo_city_of
from gridgov.web.templating import templates


class _AreaCode(Convertor):
    regex = "[0-9]{12}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("catalogue_area", _AreaCode())

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def city_code(profile) -> str:
    """The city this deployment serves (the profile's city)."""
    return demo_city_of(profile).area_code


def _today():
    return local(utc_now()).date()


@router.get("/catalogue")
def catalogue_city(request: Request, session: ReplicaSessionDep, profile: ProfileDep, _: Public):
    return _page(request, session, profile, city_code(profile))


@router.get("/catalogue/export.xlsx")
def catalogue_xlsx(session: ReplicaSessionDep, profile: ProfileDep, _: Public,
                   area: Annotated[str | None, Query(max_length=12)] = None):
    view = export.catalogue_view(session, profile, area or city_code(profile), _today())
    return _download(export.to_xlsx(view), XLSX, view, "xlsx")


@router.get("/catalogue/export.pdf")
def catalogue_pdf(session: ReplicaSessionDep, profile: ProfileDep, _: Public,
                  area: Annotated[str | None, Query(max_length=12)] = None):
    view = export.catalogue_view(session, profile, area or city_code(profile), _today())
    return _download(export.to_pdf(view), "application/pdf", view, "pdf")


@router.get("/catalogue/lists/{list_id}/compare")
def catalogue_compare(
    request: Request, list_id: IdPath, session: ReplicaSessionDep, profile: ProfileDep, _: Public,
    old: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    new: Annotated[int | None, Query(alias="to", ge=1, le=MAX_ID)] = None,
):
    """Two published versions of one list side by side: matters added, removed and changed."""
    result = export.compare_versions(session, profile, list_id, old, new)
    departments = export.department_names(profile)
    return templates.TemplateResponse(
        request,
        "catalogue/public/compare.html",
        {
            "c": result,
            "back": ("/catalogue" if result.list.area_code == city_code(profile)
                     else f"/catalogue/{result.list.area_code}"),
            "department": lambda code: departments.get(code, code) if code else "—",
        },
        headers=NO_STORE,
    )


@router.get("/catalogue/{area_code:catalogue_area}")
def catalogue_area(request: Request, area_code: str, session: ReplicaSessionDep, profile: ProfileDep, _: Public):
    return _page(request, session, profile, area_code)


def _page(request: Request, session, profile, code: str):
    view = export.catalogue_view(session, profile, code, _today())
    counties = export.public_counties(session, view)
    return templates.TemplateResponse(
        request,
        "catalogue/public/index.html",
        {
            "view": view,
            "counties": counties,
            "city_code": city_code(profile),
            "negative_heading": NEGATIVE_HEADING,
        },
        headers=NO_STORE,
    )


def _download(body: bytes, media_type: str, view: export.CatalogueView, ext: str) -> Response:
    name = f"{view.title}-{view.day.isoformat()}.{ext}"
    disposition = f"attachment; filename=\"catalogue-{view.place_code}.{ext}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type, headers={**NO_STORE, "Content-Disposition": disposition})
