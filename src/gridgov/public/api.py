"""Public JSON API (no login): grid boards and complaints from them; and the agencies' complaint
handling (permission ``complaint.handle``).

Board answers carry ``Cache-Control: no-store``: a board must show the staff and boundary of the
moment (a post that ended this morning is gone now), so no browser or proxy may keep a copy. Boards
are read on the read replica when there is one (``deps.ReplicaSessionDep``): its replay lag, normally
well under a second, is all they may trail the primary by.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from gridgov.authz import Permission, Principal, require
from gridgov.authz.principals import BoardManager, ComplaintHandler
from gridgov.deps import CipherDep, ProfileDep, ReplicaSessionDep, SessionDep, client_ip
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery
from gridgov.public import complaints, phones, service
from gridgov.public.rules import STATUS_LABELS
from gridgov.public.schemas import (
    BoardRead,
    ComplaintCreate,
    ComplaintHandle,
    ComplaintListItem,
    ComplaintLookup,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintStatus,
    SupervisionPhoneRead,
    SupervisionPhoneSet,
)

router = APIRouter(tags=["public"])
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = "no-store"


@router.get("/public/boards/{grid_code}", response_model=BoardRead, summary="网格公示（无需登录）")
def get_board(grid_code: str, response: Response, session: ReplicaSessionDep, profile: ProfileDep,
              _: Public) -> BoardRead:
    response.headers["Cache-Control"] = NO_STORE
    return service.get_board(session, grid_code, profile=profile, now=utc_now())


@router.post(
    "/public/boards/{grid_code}/complaints",
    response_model=ComplaintReceipt,
    status_code=201,
    summary="投诉网格员（无需登录，JS§19）",
)
def submit_complaint(
    grid_code: str,
    data: ComplaintCreate,
    request: Request,
    session: SessionDep,
    profile: ProfileDep,
    cipher: CipherDep,
    _: Public,
) -> ComplaintReceipt:
    """No CSRF token is asked here: the endpoint acts with no ambient authority (no session, no
    cookie grants it anything), so a forged cross-site request can do nothing a visitor could not
    do directly. The in-memory per-IP rate limit is the abuse guard."""
    now = utc_now()
    complaints.limiter_of(request.app).hit(client_ip(request), now)
    c = complaints.submit_complaint(session, grid_code, data, profile=profile, cipher=cipher, now=now,
                                    ip=client_ip(request))
    return ComplaintReceipt(id=c.id, grid_code=c.grid_code, status=c.status, status_label=STATUS_LABELS[c.status],
                            received_at=c.received_at, due_at=c.due_at, message=complaints.receipt_message(c))


@router.post("/public/complaints/lookup", response_model=ComplaintStatus, summary="查询投诉处理结果（无需登录）")
def lookup_complaint(data: ComplaintLookup, request: Request, session: SessionDep, cipher: CipherDep,
                     _: Public) -> ComplaintStatus:
    """The complainant's lookup: complaint number + the phone given when it was made (POST, so the
    phone never lands in a URL or an access log). Rate-limited per IP like the complaint form."""
    complaints.lookup_limiter_of(request.app).hit(client_ip(request), utc_now())
    return complaints.lookup_complaint(session, data, cipher=cipher)


@router.get("/complaints", response_model=Page[ComplaintListItem], summary="网格员投诉列表（辖区内，最新在前，分页）")
def list_complaints(session: SessionDep, me: ComplaintHandler,
                    status: Annotated[str | None, Query(max_length=16)] = None, page: PageQuery = 1,
                    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50,
                    ) -> Page[ComplaintListItem]:
    return complaints.list_complaints(session, me, status=status, page=page, page_size=page_size)


@router.get("/complaints/{complaint_id}", response_model=ComplaintRead, summary="投诉详情")
def get_complaint(complaint_id: IdPath, session: SessionDep, me: ComplaintHandler) -> ComplaintRead:
    return complaints.get_complaint_read(session, me, complaint_id)


@router.post("/complaints/{complaint_id}/handle", response_model=ComplaintRead, summary="登记投诉处理情况")
def handle_complaint(complaint_id: IdPath, data: ComplaintHandle, session: SessionDep,
                     me: ComplaintHandler) -> ComplaintRead:
    return complaints.handle_complaint(session, me, complaint_id, data, now=utc_now())


@router.get("/supervision-phones", response_model=list[SupervisionPhoneRead], summary="监督电话（县、乡镇，JS§19）")
def list_supervision_phones(session: SessionDep, profile: ProfileDep, me: BoardManager) -> list[SupervisionPhoneRead]:
    return phones.list_phones(session, me, profile)


@router.post("/supervision-phones/{area_code}", response_model=SupervisionPhoneRead, summary="设置本级监督电话")
def set_supervision_phone(area_code: str, data: SupervisionPhoneSet, session: SessionDep,
                          profile: ProfileDep, me: BoardManager) -> SupervisionPhoneRead:
    return phones.set_phone(session, me, area_code, data.phone, profile=profile, now=utc_now())
