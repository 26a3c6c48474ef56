"""Queries of the outbound messages (SMS to residents): storing one once, claiming the due ones,
and the newest ones for the development outbox. No principal: these rows lie under no area (an SMS
code has no case); only the delivery job (as the system) and the demo-mode outbox read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import Case
from gridgov.models.messages import PENDING, OutboundMessage


def store(session: Session, row: dict) -> OutboundMessage | None:
    """Inserts the message unless one with its ``dedupe_key`` exists; returns it (None: a duplicate)."""
    if row.get("dedupe_key") is None:
        message = OutboundMessage(**row)
        session.add(message)
        session.flush()
        return message
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(OutboundMessage).values(row).on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = session.execute(stmt.returning(OutboundMessage.id)).scalar()
    return None if new_id is None else session.get(OutboundMessage, new_id)


def due(session: Session, *, now: datetime, limit: int, ids: list[int] | None = None) -> list[OutboundMessage]:
    """Pending messages whose time has come, oldest first (``ids``: only these)."""
    stmt = (select(OutboundMessage)
            .where(OutboundMessage.status == PENDING,
                   or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now))
            .order_by(OutboundMessage.id).limit(limit))
    if ids is not None:
        stmt = stmt.where(OutboundMessage.id.in_(ids))
    return list(session.scalars(stmt))


def claim(session: Session, message: OutboundMessage) -> bool:
    """Counts one more attempt on a message still pending with the attempts this process read: a
    conditional UPDATE, so of two processes delivering at once only one claims it (the other's
    UPDATE waits for the row, then finds it changed)."""
    stmt = (update(OutboundMessage)
            .where(OutboundMessage.id == message.id, OutboundMessage.status == PENDING,
                   OutboundMessage.attempts == message.attempts)
            .values(attempts=OutboundMessage.attempts + 1)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return False
    session.refresh(message)
    return True


def newest(session: Session, *, limit: int = 50, offset: int = 0) -> list[OutboundMessage]:
    return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())
                                .offset(offset).limit(limit)))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def of_case(session: Session, case_id: int) -> list[OutboundMessage]:
    return list(session.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case_id)
                                .order_by(OutboundMessage.id)))


def case_numbers(session: Session, case_ids: list[int]) -> dict[int, str]:
    """The numbers of the cases messages were sent about (the outbox's labels; the system's view)."""
    if not case_ids:
        return {}
    rows = session.execute(scoped(select(Case.id, Case.case_no).where(Case.id.in_(case_ids)), SYSTEM, Case))
    return {case_id: case_no for case_id, case_no in rows}


def purge(session: Session, *, before: datetime) -> int:
    """Deletes the messages no longer pending written before ``before``; returns how many."""
    stmt = (delete(OutboundMessage)
            .where(OutboundMessage.status != PENDING, OutboundMessage.created_at < before)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount or 0
