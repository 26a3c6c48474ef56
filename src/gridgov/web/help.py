"""/help: the user guide (:mod:`gridgov.web.guide`) served by the app itself, offline. Public: it
tells how the platform is used and holds no data of anyone (its screenshots show the demo city), and
the public pages and the login page link to it too. Every page's header links to the page of the
logged-in role (``help_url`` in :func:`gridgov.web.templating.site_context`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from gridgov.authz import Permission, Principal, require
from gridgov.errors import NotFound
from gridgov.web import guide
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]

_MISSING = "使用指南中没有这一页"


def _page(request: Request, slug: str, me: Principal | None):
    body = guide.render(slug)
    if body is None:
        raise NotFound(_MISSING)
    mine = guide.page_for(me.role if me else None)
    return templates.TemplateResponse(request, "help.html", {
        "slug": slug, "title": guide.title_of(slug), "guide_html": body, "pages": guide.PAGES, "mine": mine,
    })


@router.get("/help")
def help_index(request: Request, me: Public):
    return _page(request, "index", me)


@router.get("/help/img/{name}")
def help_image(name: str, _: Public):
    path = guide.image_path(name)
    if path is None:
        raise NotFound(_MISSING)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/help/{slug}")
def help_page(request: Request, slug: str, me: Public):
    return _page(request, slug, me)
