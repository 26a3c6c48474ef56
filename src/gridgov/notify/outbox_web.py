"""``/dev/outbox``: the development sink's messages, in demo mode only (404 otherwise).

Who may see it: anyone, in demo mode. The outbox stands in for the residents' phones: a resident
who reports without an account reads the SMS code and the notices there, so it cannot ask for a
login. Demo mode holds demo data only (it makes its own secret key and is refused for a real
deployment's settings), phones are masked, and outside demo mode the page does not exist: the dev
sink is never a channel there (:func:`gridgov.notify.outbound.channel_name`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gridgov.authz import Permission, Principal, require
from gridgov.deps import SessionDep
from gridgov.errors import NotFound
from gridgov.kit.clock import local
from gridgov.kit.params import PageQuery
from gridgov.models.messages import STATUS_LABELS
from gridgov.notify import outbound
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


@router.get("/dev/outbox")
def outbox_page(request: Request, session: SessionDep, me: Public, page: PageQuery = 1):
    if not request.app.state.settings.demo:
        raise NotFound("页面或资源不存在")
    rows, total = outbound.outbox(session, page=page)
    context = {"rows": rows, "total": total, "page": page, "pages": max(1, -(-total // outbound.OUTBOX_PAGE)),
               "labels": STATUS_LABELS, "channel": outbound.channel_name(request.app.state.settings),
               "when": lambda dt: local(dt).strftime("%Y-%m-%d %H:%M:%S") if dt else ""}
    return templates.TemplateResponse(request, "notifications/outbox.html", context,
                                      headers={"Cache-Control": "no-store"})
