"""Complaints about grid staff sent from a public board (JS§19), and their handling.

A complaint is received without login from the board of an active grid and lands with the grid's
town agency (``town_code``); the town agency, or one above it (county, city), records what it did,
once. The complainant's phone is encrypted at rest and only its mask is ever shown or logged.

Abuse guard: :class:`RateLimiter` counts recent submissions per client IP (at most
:data:`RATE_LIMIT` per :data:`RATE_WINDOW_SECONDS`) in the database's windows, shared by every
process (gridgov.public.windows); behind a reverse proxy, run uvicorn with ``--proxy-headers`` so
the client's address is the visitor's, not the proxy's.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.calendar import load_work_calendar
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_phone
from gridgov.kit.pagination import Page
from gridgov.models.territory import AreaLevel, BoardComplaint, Grid
from gridgov.public import repository as repo
from gridgov.public import rules
from gridgov.public.schemas import (
    ComplaintCreate,
    ComplaintHandle,
    ComplaintListItem,
    ComplaintLookup,
    ComplaintRead,
    ComplaintStatus,
)
from gridgov.public.service import board_not_found, get_board
from gridgov.public.windows import Windows, windows_of
from gridgov.territory import rules as territory_rules

RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 600
LOOKUP_LIMIT = 10
AGENCY_LEVELS = frozenset({AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWN})


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key (a client IP), in the database's windows
    (gridgov.public.windows: every process counts the same hits)."""

    def __init__(self, windows: Windows, bucket: str, limit: int = RATE_LIMIT,
                 window: int = RATE_WINDOW_SECONDS) -> None:
        self.windows, self.bucket = windows, bucket
        self.limit = limit
        self.window = window

    def hit(self, key: str, now: datetime) -> None:
        """Counts one attempt, or raises 429 (with Retry-After) if the key has used up its window."""
        wait = self.windows.hit(self.bucket, self.limit, self.window, key, now)
        if wait is not None:
            exc = TooManyRequests(f"提交过于频繁，请 {int(self.window // 60)} 分钟后再试")
            exc.headers = {"Retry-After": str(max(1, math.ceil(wait)))}
            raise exc


def limiter_of(app) -> RateLimiter:
    """The limiter of the complaint form (per client IP)."""
    limiter = getattr(app.state, "complaint_limiter", None)
    if limiter is None:
        limiter = app.state.complaint_limiter = RateLimiter(windows_of(app), "complaint_ip")
    return limiter


def lookup_limiter_of(app) -> RateLimiter:
    """The limiter of the complainant's lookup (number + phone), per client IP: a guess costs a try."""
    limiter = getattr(app.state, "complaint_lookup_limiter", None)
    if limiter is None:
        limiter = app.state.complaint_lookup_limiter = RateLimiter(windows_of(app), "complaint_lookup_ip",
                                                                   limit=LOOKUP_LIMIT)
    return limiter


# ---------------------------------------------------------------- receiving


def receipt_message(complaint: BoardComplaint) -> str:
    """What the complainant is told on sending: the number, the deadline and how to learn the result."""
    due = f"，处理期限 {local(complaint.due_at):%Y-%m-%d}" if complaint.due_at else ""
    how = ("凭投诉编号和联系电话可在“投诉处理结果查询”中查看处理结果" if complaint.phone_enc
           else "未留联系电话的投诉无法查询处理结果")
    return f"投诉已收到（投诉编号 {complaint.id}{due}），将由所在镇（街道）网格化机构处理；{how}"


def town_of(grid: Grid) -> str:
    """The town (镇/街道) whose agency answers for the grid: the nearest town above its village."""
    for code in reversed(territory_rules.ancestor_codes(grid.area_code)):
        if territory_rules.area_level(code) == AreaLevel.TOWN:
            return code
    raise board_not_found(grid.code)


def submit_complaint(
    session: Session,
    grid_code: str,
    data: ComplaintCreate,
    *,
    profile,
    cipher: FieldCipher,
    now: datetime,
    ip: str = "",
) -> BoardComplaint:
    """Receives a complaint from the board of ``grid_code``. It may name only someone on that board
    today. Bad input raises :class:`Invalid` before anything is written. The handling is due
    ``board.complaint_handling_working_days`` working days after the day it arrives."""
    board = get_board(session, grid_code, profile=profile, now=now)
    grid = repo.get_active_grid(session, board.grid_code)
    staff_ids = {s.staff_id for s in board.staff}
    checked = rules.check_complaint(
        staff_id=data.staff_id, content=data.content, complainant=data.complainant, phone=data.phone,
        staff_ids=staff_ids,
    )
    complaint = repo.add_complaint(
        session,
        BoardComplaint(
            grid_code=grid.code,
            town_code=town_of(grid),
            staff_id=checked.staff_id,
            complainant=checked.complainant,
            phone_enc=cipher.encrypt(checked.phone) if checked.phone else None,
            phone_mask=mask_phone(checked.phone) if checked.phone else "",
            content=checked.content,
            status=rules.RECEIVED,
            received_at=now,
            due_at=load_work_calendar(session).add_working_days(
                now, profile.board.complaint_handling_working_days).due_at,
        ),
    )
    record(
        session,
        actor=None,
        actor_name="public",
        action="complaint_received",
        now=now,
        object_type="board_complaint",
        object_id=complaint.id,
        area_code=grid.code,
        after={
            "grid_code": grid.code,
            "town_code": complaint.town_code,
            "staff_id": complaint.staff_id,
            "phone": complaint.phone_mask,
            "status": complaint.status,
            "due_at": complaint.due_at.isoformat(),
        },
        ip=ip,
    )
    return complaint


# ---------------------------------------------------------------- handling


def check_agency(principal: Principal) -> None:
    """Complaints are the business of the town agency or one above it (JS§19)."""
    if principal.level not in AGENCY_LEVELS:
        raise Forbidden("网格员投诉由镇（街道）及以上网格化机构处理")


def access_complaint(session: Session, principal: Principal, complaint_id: int) -> BoardComplaint:
    """A complaint under the principal's jurisdiction; 404 (same message) if missing or outside."""
    check_agency(principal)
    complaint = repo.get_complaint(session, principal, complaint_id)
    if complaint is None:
        raise NotFound(f"投诉 {complaint_id} 不存在")
    return complaint


def list_complaints(session: Session, principal: Principal, *, status: str | None = None, page: int = 1,
                    page_size: int = 50) -> Page[ComplaintListItem]:
    """One page of the complaints under the principal's jurisdiction, newest first, with the total
    (a constant number of queries)."""
    check_agency(principal)
    if status and status not in rules.STATUS_LABELS:
        status = None
    rows, total = repo.list_complaints(session, principal, status=status, offset=(page - 1) * page_size,
                                       limit=page_size)
    grids = repo.grid_names(session, (c.grid_code for c in rows))
    staff = repo.staff_names(session, (c.staff_id for c in rows))
    return Page(items=[_item(c, grids, staff) for c in rows], total=total, page=page, page_size=page_size)


def get_complaint_read(session: Session, principal: Principal, complaint_id: int) -> ComplaintRead:
    return _read(session, access_complaint(session, principal, complaint_id))


def handle_complaint(
    session: Session, principal: Principal, complaint_id: int, data: ComplaintHandle, *, now: datetime
) -> ComplaintRead:
    """Records what the agency did about a complaint and the result the complainant is told, once:
    a second handling is a 409."""
    complaint = access_complaint(session, principal, complaint_id)
    action, result = rules.check_handling(data.action_taken, data.result)
    if complaint.status != rules.RECEIVED or not repo.mark_handled(
        session, complaint.id, action_taken=action, result=result, handled_by=principal.user_id, handled_at=now
    ):
        raise Conflict(f"投诉 {complaint_id} 已处理，不能重复处理")
    session.refresh(complaint)
    record(
        session,
        actor=principal,
        action="complaint_handled",
        now=now,
        object_type="board_complaint",
        object_id=complaint.id,
        area_code=complaint.grid_code,
        before={"status": rules.RECEIVED},
        after={"status": rules.HANDLED, "action_taken": action, "result": result,
               "late": bool(complaint.due_at and now > complaint.due_at)},
    )
    return _read(session, complaint)


# ---------------------------------------------------------------- the complainant's lookup

LOOKUP_NOT_FOUND = "没有找到该投诉：请核对投诉编号和投诉时留下的联系电话"


def lookup_complaint(session: Session, data: ComplaintLookup, *, cipher: FieldCipher) -> ComplaintStatus:
    """What a complainant may learn about their complaint: its status, deadline and the result the
    agency recorded for them. Asked with the complaint number and the phone given when it was made,
    so only who made it (and knows the phone) learns it; anything wrong gets the same 404, and a
    complaint made without a phone cannot be looked up. Nothing about the staff or the handler."""
    phone = rules.normalise_phone(data.phone)
    complaint = repo.find_complaint(session, data.number)
    if complaint is None or not phone or complaint.phone_enc is None or cipher.decrypt(complaint.phone_enc) != phone:
        raise NotFound(LOOKUP_NOT_FOUND)
    return ComplaintStatus(
        number=complaint.id, grid_code=complaint.grid_code, status=complaint.status,
        status_label=rules.STATUS_LABELS.get(complaint.status, complaint.status), received_at=complaint.received_at,
        due_at=complaint.due_at, handled_at=complaint.handled_at,
        result=complaint.result if complaint.status == rules.HANDLED else "",
    )


def _item(c: BoardComplaint, grids: dict[str, str], staff: dict[int, str]) -> ComplaintListItem:
    return ComplaintListItem(
        id=c.id,
        grid_code=c.grid_code,
        grid_name=grids.get(c.grid_code, ""),
        town_code=c.town_code,
        staff_id=c.staff_id,
        staff_name=staff.get(c.staff_id, "") if c.staff_id else "",
        complainant=c.complainant,
        phone_mask=mask_phone(c.phone_mask),
        content=c.content,
        status=c.status,
        status_label=rules.STATUS_LABELS.get(c.status, c.status),
        received_at=c.received_at,
        handled_at=c.handled_at,
        due_at=c.due_at,
        overdue=c.overdue_at is not None,
    )


def _read(session: Session, c: BoardComplaint) -> ComplaintRead:
    item = _item(c, repo.grid_names(session, [c.grid_code]), repo.staff_names(session, [c.staff_id]))
    handler = repo.user_names(session, [c.handled_by]).get(c.handled_by, "") if c.handled_by else ""
    return ComplaintRead(**item.model_dump(), action_taken=c.action_taken, result=c.result,
                         handled_by=c.handled_by, handled_by_name=handler)
