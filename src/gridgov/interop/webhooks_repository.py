"""Webhook queries: subscriptions, deliveries and their tries, through the scope door.

A client sees its own subscriptions and their deliveries (the rules in :mod:`gridgov.authz.scope`);
an agency sees the subscriptions of its area and the deliveries of the cases it sees. What the job
does for every client at once (fanning events out, claiming due deliveries) it does as
:data:`~gridgov.authz.scope.SYSTEM`, naming the client's principal where a client's view decides.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.models.interop import ApiClient
from gridgov.models.webhooks import CaseEvent, Webhook, WebhookAttempt, WebhookDelivery

PENDING, DELIVERED, FAILED, DROPPED = "pending", "delivered", "failed", "dropped"


# ---------------------------------------------------------------------------------------------
# Subscriptions


def client_of(session: Session, principal: Principal) -> ApiClient | None:
    """The principal's own API client, unless revoked (None for people)."""
    if principal.client_id is None:
        return None
    client = get_visible(session, SYSTEM, ApiClient, principal.client_id)
    return client if client is not None and client.revoked_at is None else None


def add_webhook(session: Session, *, client_id: int, area_code: str, url: str, events: list[str],
                secret_enc: bytes, now: datetime) -> Webhook:
    hook = Webhook(client_id=client_id, area_code=area_code, url=url, events=events, secret_enc=secret_enc,
                   created_at=now)
    session.add(hook)
    session.flush()
    return hook


def _live(principal: Principal):
    return scoped(select(Webhook), principal, Webhook).where(Webhook.deleted_at.is_(None))


def count_active(session: Session, principal: Principal) -> int:
    stmt = scoped(select(func.count(Webhook.id)), principal, Webhook).where(Webhook.deleted_at.is_(None))
    return int(session.scalar(stmt) or 0)


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    return list(session.scalars(_live(principal).order_by(Webhook.id).limit(500)))


def get_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook | None:
    return get_visible(session, principal, Webhook, webhook_id)


def drop_pending(session: Session, webhook_id: int, *, now: datetime) -> None:
    """A deleted subscription's deliveries still to try are dropped (not failed: nobody waits for them)."""
    session.execute(scoped(update(WebhookDelivery), SYSTEM, WebhookDelivery).where(
        WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == PENDING,
    ).values(status=DROPPED, next_attempt_at=None, done_at=now))


# ---------------------------------------------------------------------------------------------
# Deliveries as their readers see them


def deliveries_of(session: Session, principal: Principal, webhook_id: int, *, offset: int,
                  limit: int) -> tuple[list[tuple[WebhookDelivery, CaseEvent]], int]:
    base = scoped(select(WebhookDelivery, CaseEvent), principal, WebhookDelivery).join(
        CaseEvent, CaseEvent.id == WebhookDelivery.event_id).where(WebhookDelivery.webhook_id == webhook_id)
    total = scoped(select(func.count(WebhookDelivery.id)), principal, WebhookDelivery).where(
        WebhookDelivery.webhook_id == webhook_id)
    rows = session.execute(base.order_by(WebhookDelivery.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), int(session.scalar(total) or 0)


def attempts_of(session: Session, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """The tries of deliveries already opened through the door, oldest first."""
    out: dict[int, list[WebhookAttempt]] = defaultdict(list)
    if delivery_ids:
        stmt = scoped(select(WebhookAttempt), SYSTEM, WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_(delivery_ids)).order_by(WebhookAttempt.id)
        for a in session.scalars(stmt):
            out[a.delivery_id].append(a)
    return out


def failed(session: Session, principal: Principal, *, offset: int, limit: int):
    """Failed deliveries of the cases the principal sees, newest first, with event, subscription and client name."""
    cond = WebhookDelivery.status == FAILED
    stmt = (scoped(select(WebhookDelivery, CaseEvent, Webhook, ApiClient.name), principal, WebhookDelivery)
            .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .outerjoin(ApiClient, ApiClient.id == Webhook.client_id).where(cond))
    total = scoped(select(func.count(WebhookDelivery.id)), principal, WebhookDelivery).where(cond)
    rows = session.execute(stmt.order_by(WebhookDelivery.done_at.desc(), WebhookDelivery.id.desc())
                           .offset(offset).limit(limit)).all()
    return list(rows), int(session.scalar(total) or 0)


# ---------------------------------------------------------------------------------------------
# The job (as the system)


def unfanned_events(session: Session, *, limit: int) -> list[CaseEvent]:
    stmt = scoped(select(CaseEvent), SYSTEM, CaseEvent).where(CaseEvent.fanned_at.is_(None))
    return list(session.scalars(stmt.order_by(CaseEvent.id).limit(limit)))


def live_subscriptions(session: Session) -> list[tuple[Webhook, ApiClient]]:
    """Every subscription not deleted whose client is not revoked."""
    stmt = scoped(select(Webhook, ApiClient), SYSTEM, Webhook).join(ApiClient, ApiClient.id == Webhook.client_id)
    stmt = stmt.where(Webhook.deleted_at.is_(None), ApiClient.revoked_at.is_(None)).order_by(Webhook.id)
    return list(session.execute(stmt).all())


def visible_events(session: Session, principal: Principal, ids: list[int], *, since: datetime,
                   actions: list[str] | None) -> list[tuple[int, int]]:
    """(event id, case id) of the events among ``ids`` whose case ``principal`` (a client) may see,
    written at or after ``since``, of ``actions`` (None: all)."""
    stmt = scoped(select(CaseEvent.id, CaseEvent.case_id), principal, CaseEvent).where(
        CaseEvent.id.in_(ids), CaseEvent.at >= since)
    if actions is not None:
        stmt = stmt.where(CaseEvent.action.in_(actions))
    return [(e, c) for e, c in session.execute(stmt)]


def add_deliveries(session: Session, webhook_id: int, events: list[tuple[int, int]], *, now: datetime) -> int:
    """One pending delivery per event (once: a second fan-out of the same event adds nothing)."""
    if not events:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"webhook_id": webhook_id, "event_id": e, "case_id": c, "status": PENDING, "attempts": 0,
             "created_at": now, "next_attempt_at": now, "last_error": ""} for e, c in events]
    stmt = insert(WebhookDelivery).values(rows).on_conflict_do_nothing(index_elements=["webhook_id", "event_id"])
    return len(session.execute(stmt.returning(WebhookDelivery.id)).all())


def drop_revoked(session: Session, *, now: datetime) -> int:
    """Deliveries still to try for a client since revoked are dropped: a revoked system is told nothing more."""
    revoked = scoped(select(Webhook.id), SYSTEM, Webhook).join(ApiClient, ApiClient.id == Webhook.client_id).where(
        ApiClient.revoked_at.is_not(None))
    stmt = scoped(update(WebhookDelivery), SYSTEM, WebhookDelivery).where(
        WebhookDelivery.status == PENDING, WebhookDelivery.webhook_id.in_(revoked),
    ).values(status=DROPPED, next_attempt_at=None, done_at=now)
    return session.execute(stmt).rowcount or 0


def mark_fanned(session: Session, ids: list[int], *, now: datetime) -> None:
    session.execute(scoped(update(CaseEvent), SYSTEM, CaseEvent).where(
        CaseEvent.id.in_(ids), CaseEvent.fanned_at.is_(None)).values(fanned_at=now))


def claim_due(session: Session, *, now: datetime, until: datetime, limit: int) -> list[int]:
    """Claims up to ``limit`` pending deliveries due by ``now`` for one try: their next try moves to
    ``until`` (the lease), so another process running the job at once skips them, and a process that
    died while sending leaves them to be tried again when the lease ends."""
    due = scoped(select(WebhookDelivery.id), SYSTEM, WebhookDelivery).where(
        WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
    ).order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
    ids = list(session.scalars(due))
    if not ids:
        return []
    stmt = scoped(update(WebhookDelivery), SYSTEM, WebhookDelivery).where(
        WebhookDelivery.id.in_(ids), WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
    ).values(next_attempt_at=until).returning(WebhookDelivery.id)
    return sorted(session.execute(stmt).scalars())


def delivery_rows(session: Session, ids: list[int]) -> list[tuple[WebhookDelivery, CaseEvent, Webhook]]:
    stmt = (scoped(select(WebhookDelivery, CaseEvent, Webhook), SYSTEM, WebhookDelivery)
            .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id.in_(ids)).order_by(WebhookDelivery.id))
    return list(session.execute(stmt).all())


def get_delivery(session: Session, delivery_id: int) -> WebhookDelivery | None:
    return get_visible(session, SYSTEM, WebhookDelivery, delivery_id)


def add_attempt(session: Session, delivery_id: int, *, at: datetime, status_code: int | None, error: str,
                duration_ms: int) -> None:
    session.add(WebhookAttempt(delivery_id=delivery_id, at=at, status_code=status_code, error=error[:200],
                               duration_ms=duration_ms))
