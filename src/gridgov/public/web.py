"""Public pages (no login): the board of each grid, its print view, its QR code and the complaint
form; and the agencies' complaint pages (permission ``complaint.handle``).

Board pages are sent with ``Cache-Control: no-store`` so what a visitor sees is the database at the
moment of the request (the read replica's, when there is one; see :mod:`gridgov.public.api`). An
unknown and a retired grid give the same Chinese 404 page.

CSRF and the public form: the complaint form acts with no ambient authority (it needs no login and
a cookie grants it nothing), so a forged cross-site post achieves nothing a visitor could not do
directly, and no token is *needed*. The form still carries the page's ``csrf_token`` because the
door (:func:`gridgov.authz.require`) checks it whenever the browser holds the CSRF cookie, and for a
logged-in member of staff's session cookie; nothing about CSRF is relaxed elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from gridgov.authz import Permission, Principal, require
from gridgov.authz.principals import BoardManager, ComplaintHandler
from gridgov.deps import CipherDep, ProfileDep, ReplicaSessionDep, SessionDep, client_ip
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import MAX_ID, IdPath, PageQuery
from gridgov.public import complaints, phones, qr, rules, service
from gridgov.public.schemas import BoardRead, ComplaintCreate, ComplaintHandle, ComplaintLookup
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = {"Cache-Control": "no-store"}


def when(dt: datetime | None) -> str:
    return local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def tel_href(phone: str | None) -> str:
    """A phone number as a ``tel:`` link's target (digits, ``+`` and ``-`` only, so nothing else gets
    into the address); empty when no digit is left."""
    kept = "".join(c for c in str(phone or "") if c.isascii() and (c.isdigit() or c in "+-"))
    return f"tel:{kept}" if any(c.isdigit() for c in kept) else ""


templates.env.filters.setdefault("public_time", when)
templates.env.filters.setdefault("tel_href", tel_href)


# ---------------------------------------------------------------- the board


@router.get("/board/{grid_code}")
def board_page(
    request: Request, grid_code: str, session: ReplicaSessionDep, profile: ProfileDep, me: Public,
    print: str | None = None, sent: str | None = None,
):
    """The board; ``?print=1`` gives the A4 print view (the same as ``/board/{code}/print``)."""
    if print not in (None, "", "0"):
        return _print_view(request, session, profile, grid_code, me)
    try:
        board = service.get_board(session, grid_code, profile=profile, now=utc_now())
    except NotFound as exc:
        return _missing(request, exc)
    number = int(sent) if sent and sent.isdigit() and 0 < int(sent) <= MAX_ID else None
    return _board(request, board, sent=bool(number), number=number)


@router.get("/board/{grid_code}/print")
def board_print(request: Request, grid_code: str, session: ReplicaSessionDep, profile: ProfileDep, me: Public):
    """The A4 sheet to post. Where boards are published on paper only (``board.online = none``)
    only logged-in staff open it, and it carries no QR code (there is no online board to link)."""
    return _print_view(request, session, profile, grid_code, me)


@router.get("/board/{grid_code}/qr.svg")
def board_qr(request: Request, grid_code: str, session: ReplicaSessionDep, profile: ProfileDep, _: Public):
    """The QR code of the board's absolute URL (404 like the board for an unknown/retired grid)."""
    try:
        board = service.get_board(session, grid_code, profile=profile, now=utc_now())
    except NotFound as exc:
        return _missing(request, exc)
    return Response(qr.qr_svg(board_url(request, board.grid_code)), media_type="image/svg+xml", headers=NO_STORE)


@router.post("/board/{grid_code}/complaints")
def board_complaint(
    request: Request,
    grid_code: str,
    session: SessionDep,
    profile: ProfileDep,
    cipher: CipherDep,
    _: Public,
    staff_id: Annotated[str, Form()] = "",
    content: Annotated[str, Form(max_length=20000)] = "",
    complainant: Annotated[str, Form(max_length=2000)] = "",
    phone: Annotated[str, Form(max_length=2000)] = "",
):
    """The board's complaint form (JS§19); Post/Redirect/Get on success, the page again with a
    Chinese message and the input kept (422) when something is wrong."""
    now = utc_now()
    form = {"staff_id": staff_id, "content": content, "complainant": complainant, "phone": phone}
    try:
        complaints.limiter_of(request.app).hit(client_ip(request), now)
        chosen = int(staff_id) if staff_id.strip() else None
        if chosen is not None and not 1 <= chosen <= MAX_ID:
            chosen = -1
    except ValueError:
        chosen = -1
    except complaints.TooManyRequests as exc:
        refused = _board_or_missing(request, session, profile, grid_code, form=form, error=exc.message, status=429)
        refused.headers.update(exc.headers or {})
        return refused
    # Unvalidated on purpose: the form's fields are bounded above, and a staff id that names no one
    # (-1) must reach the rules, which report it together with the other fields.
    data = ComplaintCreate.model_construct(staff_id=chosen, content=content, complainant=complainant, phone=phone)
    try:
        complaint = complaints.submit_complaint(session, grid_code, data, profile=profile, cipher=cipher, now=now,
                                                ip=client_ip(request))
    except Invalid as exc:
        return _board_or_missing(request, session, profile, grid_code, form=form, error=exc.message,
                                 errors=exc.details, status=422)
    except NotFound as exc:
        return _missing(request, exc)
    return RedirectResponse(f"/board/{complaint.grid_code}?sent={complaint.id}#complaint", status_code=303)


def board_url(request: Request, grid_code: str) -> str:
    """The board's absolute address: ``GRIDGOV_PUBLIC_URL`` and the board's path where that is set,
    else the address this request reached the server by."""
    public = (getattr(request.app.state.settings, "public_url", "") or "").strip().rstrip("/")
    if public:
        return public + request.app.url_path_for("board_page", grid_code=grid_code)
    return str(request.url_for("board_page", grid_code=grid_code))


def _board(request: Request, board: BoardRead, *, sent: bool = False, number: int | None = None,
           form: dict | None = None, error: str | None = None, errors=None, status: int = 200):
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        "public/board.html",
        {
            "board": board,
            "board_url": board_url(request, board.grid_code),
            "outline_svg": rules.outline_svg(board.outline),
            "map_config": {
                "tile_url": getattr(settings, "tile_url", "") or "",
                "tile_attribution": getattr(settings, "tile_attribution", "") or "",
                "geometry": board.outline,
                "kind": board.kind,
            },
            "sent": sent,
            "number": number,
            "form": form or {},
            "error": error,
            "field_errors": {e["field"]: e["error"] for e in errors or () if isinstance(e, dict) and "field" in e},
            "content_max": rules.CONTENT_MAX,
        },
        status_code=status,
        headers=NO_STORE,
    )


def _board_or_missing(request, session, profile, grid_code, **kwargs):
    try:
        board = service.get_board(session, grid_code, profile=profile, now=utc_now())
    except NotFound as exc:
        return _missing(request, exc)
    return _board(request, board, **kwargs)


def _print_view(request: Request, session, profile, grid_code: str, me: Principal | None):
    try:
        board = service.get_board(session, grid_code, profile=profile, now=utc_now(), online=me is None)
    except NotFound as exc:
        return _missing(request, exc)
    online = service.is_online(profile)
    url = board_url(request, board.grid_code) if online else ""
    return templates.TemplateResponse(
        request,
        "public/print.html",
        {
            "board": board,
            "board_url": url,
            "qr_svg": qr.qr_svg(url, inline=True) if online else "",
            "outline_svg": rules.outline_svg(board.outline, size=300),
            "printed_at": when(utc_now()),
        },
        headers=NO_STORE,
    )


def _missing(request: Request, exc: NotFound):
    return templates.TemplateResponse(
        request, "public/not_found.html", {"message": exc.message}, status_code=404, headers=NO_STORE
    )


# ---------------------------------------------------------------- the complainant's lookup


@router.get("/complaint-status")
def complaint_status_form(request: Request, _: Public, number: str | None = None):
    """The form where a complainant asks for the result (number + phone); the number may be prefilled."""
    return _status_page(request, {"number": number if number and number.isdigit() else ""})


@router.post("/complaint-status")
def complaint_status(
    request: Request,
    session: SessionDep,
    cipher: CipherDep,
    _: Public,
    number: Annotated[str, Form(max_length=20)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
):
    """The result of a complaint, for whoever gives its number and the phone left with it (POST, so
    the phone stays out of URLs and logs); 404 with one message when they do not match."""
    form = {"number": number, "phone": phone}
    try:
        complaints.lookup_limiter_of(request.app).hit(client_ip(request), utc_now())
        chosen = int(number) if number.strip().isdigit() else 0
        if not 1 <= chosen <= MAX_ID:
            raise Invalid("请填写正确的投诉编号", details=[{"field": "number", "error": "请填写正确的投诉编号"}])
        found = complaints.lookup_complaint(session, ComplaintLookup(number=chosen, phone=phone), cipher=cipher)
    except complaints.TooManyRequests as exc:
        refused = _status_page(request, form, error=exc.message, status=429)
        refused.headers.update(exc.headers or {})
        return refused
    except Invalid as exc:
        return _status_page(request, form, error=exc.message, status=422)
    except NotFound as exc:
        return _status_page(request, form, error=exc.message, status=404)
    return _status_page(request, {"number": number}, found=found)


def _status_page(request: Request, form: dict, *, found=None, error: str | None = None, status: int = 200):
    return templates.TemplateResponse(request, "public/complaint_status.html",
                                      {"form": form, "found": found, "error": error}, status_code=status,
                                      headers=NO_STORE)


# ---------------------------------------------------------------- the agencies' complaint pages


COMPLAINT_PAGE_SIZE = 50


@router.get("/complaints")
def complaint_list(request: Request, session: SessionDep, me: ComplaintHandler, status: str | None = None,
                   page: PageQuery = 1):
    status = status if status in rules.STATUS_LABELS else None
    result = complaints.list_complaints(session, me, status=status, page=page, page_size=COMPLAINT_PAGE_SIZE)
    return templates.TemplateResponse(request, "complaints/list.html", {
        "items": result.items, "result": result, "pages": max(1, -(-result.total // result.page_size)),
        "base_params": [("status", status)] if status else [], "status": status or "", "labels": rules.STATUS_LABELS,
    })


@router.get("/complaints/{complaint_id}")
def complaint_page(request: Request, complaint_id: IdPath, session: SessionDep, me: ComplaintHandler):
    return _complaint(request, complaints.get_complaint_read(session, me, complaint_id))


@router.post("/complaints/{complaint_id}/handle")
def complaint_handle(
    request: Request,
    complaint_id: IdPath,
    session: SessionDep,
    me: ComplaintHandler,
    action_taken: Annotated[str, Form(max_length=20000)] = "",
    result: Annotated[str, Form(max_length=20000)] = "",
):
    try:
        complaints.handle_complaint(session, me, complaint_id,
                                    ComplaintHandle(action_taken=action_taken, result=result), now=utc_now())
    except Invalid as exc:
        item = complaints.get_complaint_read(session, me, complaint_id)
        return _complaint(request, item, error=exc.message, action_taken=action_taken, result=result, status=422)
    return RedirectResponse(f"/complaints/{complaint_id}?handled=1", status_code=303)


def _complaint(request: Request, item, *, error: str | None = None, action_taken: str = "", result: str = "",
               status: int = 200):
    return templates.TemplateResponse(
        request,
        "complaints/detail.html",
        {
            "item": item,
            "error": error,
            "action_taken": action_taken,
            "handled_now": request.query_params.get("handled") == "1",
            "action_max": rules.ACTION_MAX,
            "result": result,
            "result_max": rules.RESULT_MAX,
        },
        status_code=status,
    )


# ---------------------------------------------------------------- supervision phones (JS§19)


@router.get("/supervision-phones")
def supervision_phones_page(request: Request, session: SessionDep, profile: ProfileDep, me: BoardManager,
                            saved: str | None = None):
    return _phones(request, session, profile, me, saved=saved if saved and saved.isdigit() else None)


@router.post("/supervision-phones/{area_code}")
def supervision_phone_set(request: Request, area_code: str, session: SessionDep, profile: ProfileDep,
                          me: BoardManager, phone: Annotated[str, Form(max_length=40)] = ""):
    try:
        phones.set_phone(session, me, area_code, phone, profile=profile, now=utc_now())
    except Invalid as exc:
        return _phones(request, session, profile, me, error=exc.message, error_area=area_code, value=phone,
                       status=422)
    return RedirectResponse(f"/supervision-phones?saved={area_code[:12]}#area-{area_code[:12]}", status_code=303)


def _phones(request: Request, session, profile, me, *, saved: str | None = None, error: str | None = None,
            error_area: str = "", value: str = "", status: int = 200):
    return templates.TemplateResponse(
        request, "public/supervision_phones.html",
        {"items": phones.list_phones(session, me, profile), "default_phone": profile.board.supervision_phone,
         "saved": saved, "error": error, "error_area": error_area, "value": value},
        status_code=status)
