"""Notice queries: storing notices once (by ``dedupe_key``) and a user's own inbox.

The inbox functions take a user id, never a principal: :mod:`gridgov.notify.service` passes
``principal.user_id`` only, so a user reads and marks only its own notices.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, String, bindparam, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.kit.types import UTCDateTime
from gridgov.models import Notification
from gridgov.notify.schemas import INFO, INFO_KINDS, TODO

if TYPE_CHECKING:
    from gridgov.notify import Notice


def notify(session: Session, notices: list[Notice], *, now: datetime) -> int:
    """Stores the notices that are new (by ``dedupe_key``); returns how many were new."""
    if not notices:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {"user_id": n.user_id, "kind": n.kind, "message": n.message, "case_id": n.case_id, "link": n.link,
         "dedupe_key": n.dedupe_key[:120], "created_at": now}
        for n in notices
    ]
    stored = 0
    for start in range(0, len(rows), NOTIFY_BATCH):  # a statement has at most 65,535 parameters (PostgreSQL)
        stmt = insert(Notification).values(rows[start:start + NOTIFY_BATCH])
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
        stored += len(session.execute(stmt.returning(Notification.id)).all())
    return stored


NOTIFY_BATCH = 2000
"""Notices per INSERT: 7 parameters each, well under PostgreSQL's 65,535 and SQLite's 32,766 per
statement (a province's warnings reach every agency desk: tens of thousands of notices at once)."""


def notice_to_each(dialect: str, users: Select, *, case_id=None, now=None):
    """An INSERT … SELECT storing one notice for every user id ``users`` selects, for statements run
    often (build it once, run it with the parameters of :func:`notice_params`). The dedupe key is
    the parameter ``dedupe_prefix`` followed by the user's id; it does what :func:`notify` does for
    a list of users without reading the list first. ``case_id``, ``now``: other expressions for
    the case and the time (the parameters ``case_id`` and ``now`` if not given)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    user_id = users.selected_columns[0]
    rows = users.with_only_columns(
        user_id, bindparam("kind", type_=String), bindparam("message", type_=String),
        bindparam("case_id") if case_id is None else case_id,
        bindparam("link", type_=String), bindparam("dedupe_prefix", type_=String) + cast(user_id, String),
        bindparam("now", type_=UTCDateTime()) if now is None else now,
    )
    columns = ["user_id", "kind", "message", "case_id", "link", "dedupe_key", "created_at"]
    return insert(Notification.__table__).from_select(columns,
                                                      rows).on_conflict_do_nothing(index_elements=["dedupe_key"])


def notice_params(*, kind: str, message: str, dedupe_prefix: str, case_id: int | None = None, link: str = "",
                  now: datetime) -> dict:
    """The parameters of a statement from :func:`notice_to_each`, besides those of its user query."""
    return {"kind": kind, "message": message, "case_id": case_id, "link": link,
            "dedupe_prefix": dedupe_prefix[:100], "now": now}


def _mine(user_id: int, *, unread_only: bool = False, kind: str | None = None):
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if kind == TODO:
        stmt = stmt.where(Notification.kind.not_in(sorted(INFO_KINDS)))
    elif kind == INFO:
        stmt = stmt.where(Notification.kind.in_(sorted(INFO_KINDS)))
    return stmt


def inbox(session: Session, user_id: int, *, unread_only: bool = False, kind: str | None = None,
          offset: int = 0, limit: int = 50) -> list[Notification]:
    """One page of the user's own notices, newest first; ``kind``: ``todo`` or ``info`` only."""
    stmt = _mine(user_id, unread_only=unread_only, kind=kind)
    return list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset(offset).limit(limit)))


def inbox_total(session: Session, user_id: int, *, unread_only: bool = False, kind: str | None = None) -> int:
    stmt = _mine(user_id, unread_only=unread_only, kind=kind)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def open_todo_count(session: Session, user_id: int) -> int:
    """The user's to-dos whose step nobody has taken yet (the header's badge)."""
    return session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.done_at.is_(None),
               Notification.kind.not_in(sorted(INFO_KINDS)))
    ) or 0


def settle(session: Session, *, now: datetime, case_id: int | None = None, dedupe_prefix: str | None = None,
           kinds: list[str] | None = None) -> int:
    """Marks done the open to-dos of a case (``case_id``) or of an instruction (``dedupe_prefix``,
    e.g. ``instruction:7:``), whoever they were sent to: the step they asked for has been taken.
    ``kinds``: only these. Returns how many were settled. Run before the next step's to-dos are written."""
    if (case_id is None) == (dedupe_prefix is None):
        raise TypeError("settle: give case_id or dedupe_prefix")
    stmt = update(Notification).where(Notification.done_at.is_(None), Notification.kind.not_in(sorted(INFO_KINDS)))
    if case_id is not None:
        stmt = stmt.where(Notification.case_id == case_id)
    else:
        stmt = stmt.where(Notification.dedupe_key.startswith(dedupe_prefix, autoescape=True))
    if kinds is not None:
        stmt = stmt.where(Notification.kind.in_(kinds))
    return session.execute(stmt.values(done_at=now).execution_options(synchronize_session=False)).rowcount or 0


def mark_read(session: Session, user_id: int, ids: list[int] | None, *, now: datetime) -> int:
    """Marks the user's own notices read (all unread ones when ``ids`` is None)."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    return session.execute(stmt.values(read_at=now)).rowcount or 0
