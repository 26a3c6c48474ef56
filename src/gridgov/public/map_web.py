"""``/public/map``: the optional public map of resident reports (404 while the deployment has it off).
The page lists the cells as a table and draws them with the vendored Leaflet (the same data as
``GET /api/v1/public/map``); popups are built as text (textContent), never as HTML."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gridgov.authz import Permission, Principal, require
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import utc_now
from gridgov.public import map_service
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


@router.get("/public/map")
def public_map_page(request: Request, session: ReplicaSessionDep, profile: ProfileDep, _: Public):
    settings = request.app.state.settings
    data = map_service.cached_public_map(request.app.state, session, profile=profile, now=utc_now())
    config = {"tile_url": settings.tile_url or "", "tile_attribution": settings.tile_attribution or "",
              "cells": data["cells"]}
    return templates.TemplateResponse(request, "public/map.html", {"map_config": config, "data": data},
                                      headers={"Cache-Control": "public, max-age=60"})
