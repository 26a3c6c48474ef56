"""My notices: the inbox a user reads on the notices page, the header badge and the API.

Only the user's own notices are ever read or marked (the user id comes from the principal, never
from the request), so there is nothing to scope beyond that.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.errors import Invalid
from gridgov.kit.clock import local
from gridgov.models import Notification
from gridgov.notify.repository import inbox, inbox_total, mark_read, open_todo_count, unread_count
from gridgov.notify.schemas import (
    MarkedRead,
    NotificationList,
    NotificationRead,
    is_todo,
    kind_label,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


def read_of(n: Notification) -> NotificationRead:
    return NotificationRead(
        id=n.id, kind=n.kind, kind_label=kind_label(n.kind), message=n.message, case_id=n.case_id,
        link=n.link if n.link.startswith("/") and not n.link.startswith("//") else "",
        created_at=local(n.created_at), read_at=local(n.read_at) if n.read_at else None,
        todo=is_todo(n.kind), done_at=local(n.done_at) if n.done_at else None,
    )


def my_notices(session: Session, principal: Principal, *, unread_only: bool = False, kind: str | None = None,
               page: int = 1, page_size: int = PAGE_SIZE) -> NotificationList:
    """One page of my notices (newest first), ``kind`` ``todo`` or ``info`` only, with the total
    and the counts of the header."""
    me = principal.user_id
    rows = inbox(session, me, unread_only=unread_only, kind=kind, offset=(page - 1) * page_size, limit=page_size)
    return NotificationList(items=[read_of(n) for n in rows], page=page, page_size=page_size,
                            total=inbox_total(session, me, unread_only=unread_only, kind=kind),
                            unread=unread_count(session, me), open_todos=open_todo_count(session, me))


def my_unread_count(session: Session, principal: Principal) -> int:
    return unread_count(session, principal.user_id)


def my_open_todos(session: Session, principal: Principal) -> int:
    """What the header's badge shows: my to-dos nobody has taken the step of yet."""
    return open_todo_count(session, principal.user_id)


def mark_my_notices_read(session: Session, principal: Principal, *, ids: list[int] | None, all_: bool,
                         now: datetime) -> MarkedRead:
    """Marks the given notices (or all) of the principal read; ids of other users' notices are ignored."""
    if all_ == bool(ids):
        raise Invalid("请给出要标为已读的通知编号（ids），或用 all 全部标为已读（二者选一）")
    marked = mark_read(session, principal.user_id, None if all_ else list(ids or []), now=now)
    return MarkedRead(marked=marked, unread=unread_count(session, principal.user_id))
