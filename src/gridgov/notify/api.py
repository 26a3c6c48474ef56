"""My notices in JSON: list them, mark them read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from gridgov.authz.principals import SignedIn
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import PageQuery
from gridgov.notify import service
from gridgov.notify.schemas import MarkedRead, MarkRead, NotificationList

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationList, summary="我的通知（待办与通知信息，分页）")
def list_notifications(
    session: SessionDep, me: SignedIn, unread: bool = False,
    kind: Annotated[Literal["todo", "info"] | None, Query(title="todo 待办 / info 通知信息")] = None,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE, description="每页条数")] = service.PAGE_SIZE,
) -> NotificationList:
    return service.my_notices(session, me, unread_only=unread, kind=kind, page=page, page_size=page_size)


@router.post("/notifications/read", response_model=MarkedRead, summary="将通知标为已读")
def read_notifications(data: MarkRead, session: SessionDep, me: SignedIn) -> MarkedRead:
    return service.mark_my_notices_read(session, me, ids=data.ids, all_=data.all, now=utc_now())
