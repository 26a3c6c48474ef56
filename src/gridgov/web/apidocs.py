"""/api/docs: Swagger UI over /openapi.json, served from the vendored swagger-ui-dist under
/static/vendor/swagger-ui (no request leaves the machine) and started by a script file
(``js/apidocs.js``), since the Content-Security-Policy lets no inline script run. FastAPI's own
``docs_url`` page is switched off: it loads Swagger UI from a CDN and starts it inline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gridgov.authz import Permission, Principal, require
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


@router.get("/api/docs")
def api_docs(request: Request, _: Public):
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})
