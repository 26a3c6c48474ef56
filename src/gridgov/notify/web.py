"""My notices as a page (to-dos and information, paged), and the badge of open to-dos the header
loads with htmx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gridgov.authz import Principal
from gridgov.authz.principals import SignedIn
from gridgov.deps import SessionDep
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.params import PageQuery
from gridgov.notify import service
from gridgov.web.templating import is_htmx, templates

router = APIRouter()


KINDS = {"todo": "待办", "info": "通知信息"}


def _list(request: Request, session, me: Principal, *, unread: bool, kind: str | None = None, page: int = 1,
          error: str | None = None, status: int = 200):
    kind = kind if kind in KINDS else None
    result = service.my_notices(session, me, unread_only=unread, kind=kind, page=page)
    base = [(k, v) for k, v in (("unread", "true" if unread else ""), ("kind", kind or "")) if v]
    context = {"result": result, "unread_only": unread, "kind": kind, "kinds": KINDS, "error": error,
               "pages": max(1, -(-result.total // result.page_size)), "base_params": base}
    name = "notifications/_list.html" if is_htmx(request) else "notifications/list.html"
    return templates.TemplateResponse(request, name, context, status_code=status, headers={"Vary": "HX-Request"})


@router.get("/notifications")
def notifications_page(request: Request, session: SessionDep, me: SignedIn, unread: bool = False,
                       kind: Annotated[str | None, Query(max_length=8)] = None, page: PageQuery = 1):
    return _list(request, session, me, unread=unread, kind=kind, page=page)


@router.post("/notifications/read")
def mark_read(
    request: Request,
    session: SessionDep,
    me: SignedIn,
    ids: Annotated[list[int] | None, Form()] = None,
    all: Annotated[bool, Form()] = False,
    unread: Annotated[bool, Form()] = False,
    kind: Annotated[str | None, Form(max_length=8)] = None,
):
    try:
        service.mark_my_notices_read(session, me, ids=ids, all_=all, now=utc_now())
    except Invalid as exc:
        return _list(request, session, me, unread=unread, kind=kind, error=exc.message, status=422)
    if is_htmx(request):
        response = _list(request, session, me, unread=unread, kind=kind)
        response.headers["HX-Trigger"] = "notifications-read"
        return response
    query = "&".join(f"{k}={v}" for k, v in (("unread", "true" if unread else ""), ("kind", kind or ""))
                     if v and (k != "kind" or v in KINDS))
    return RedirectResponse("/notifications" + (f"?{query}" if query else ""), status_code=303)


@router.get("/notifications/badge", response_class=HTMLResponse)
def badge(request: Request, session: SessionDep, me: SignedIn):
    return templates.TemplateResponse(request, "notifications/_badge.html",
                                      {"count": service.my_open_todos(session, me)},
                                      headers={"Cache-Control": "no-store"})
