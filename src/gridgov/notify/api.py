"""My notices in JSON: list them, mark them read."""

from __future__ import annotations

from fastapi import APIRouter, Query

from gridgov.authz.principals import SignedIn
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.notify import service
from gridgov.notify.schemas import MarkedRead, MarkRead, NotificationList

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationList, summary="我的通知")
def list_notifications(session: SessionDep, me: SignedIn, unread: bool = False,
                       limit: int = Query(service.PAGE_LIMIT, ge=1, le=500)) -> NotificationList:
    return service.my_notices(session, me, unread_only=unread, limit=limit)


@router.post("/notifications/read", response_model=MarkedRead, summary="将通知标为已读")
def read_notifications(data: MarkRead, session: SessionDep, me: SignedIn) -> MarkedRead:
    return service.mark_my_notices_read(session, me, ids=data.ids, all_=data.all, now=utc_now())
