"""``/webhooks/failed``: the webhook deliveries of the area's cases that failed after 24 hours of
retries, for the agency's administrator (thin: see :mod:`.webhooks`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gridgov.authz.principals import WebhookOverseer
from gridgov.cases.forms import local_time
from gridgov.deps import SessionDep
from gridgov.interop import webhooks
from gridgov.kit.params import PageQuery
from gridgov.web.templating import templates

router = APIRouter()


@router.get("/webhooks/failed")
def failed_page(request: Request, session: SessionDep, me: WebhookOverseer, page: PageQuery = 1):
    found = webhooks.failed_deliveries(session, me, page=page, page_size=50)
    return templates.TemplateResponse(request, "webhooks/failed.html", {"found": found, "local_time": local_time})
