"""My notices as a page, and the unread badge the header loads with htmx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gridgov.authz import Principal
from gridgov.authz.principals import SignedIn
from gridgov.deps import SessionDep
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.notify import service
from gridgov.web.templating import is_htmx, templates

router = APIRouter()


def _list(request: Request, session, me: Principal, *, unread: bool, error: str | None = None, status: int = 200):
    context = {"result": service.my_notices(session, me, unread_only=unread), "unread_only": unread, "error": error}
    name = "notifications/_list.html" if is_htmx(request) else "notifications/list.html"
    return templates.TemplateResponse(request, name, context, status_code=status, headers={"Vary": "HX-Request"})


@router.get("/notifications")
def notifications_page(request: Request, session: SessionDep, me: SignedIn, unread: bool = False):
    return _list(request, session, me, unread=unread)


@router.post("/notifications/read")
def mark_read(
    request: Request,
    session: SessionDep,
    me: SignedIn,
    ids: Annotated[list[int] | None, Form()] = None,
    all: Annotated[bool, Form()] = False,
    unread: Annotated[bool, Form()] = False,
):
    try:
        service.mark_my_notices_read(session, me, ids=ids, all_=all, now=utc_now())
    except Invalid as exc:
        return _list(request, session, me, unread=unread, error=exc.message, status=422)
    if is_htmx(request):
        response = _list(request, session, me, unread=unread)
        response.headers["HX-Trigger"] = "notifications-read"
        return response
    return RedirectResponse("/notifications" + ("?unread=true" if unread else ""), status_code=303)


@router.get("/notifications/badge", response_class=HTMLResponse)
def badge(request: Request, session: SessionDep, me: SignedIn):
    return templates.TemplateResponse(request, "notifications/_badge.html",
                                      {"count": service.my_unread_count(session, me)},
                                      headers={"Cache-Control": "no-store"})
