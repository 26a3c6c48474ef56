"""The case-event outbox and the webhooks that deliver it (issue 17).

Every change of a case writes one :class:`CaseEvent` in the transaction that makes the change
(:mod:`gridgov.notify.events`): a change rolled back leaves no event, a change committed leaves
exactly one. The webhook job (:mod:`gridgov.interop.webhooks_job`) fans each event out, once and
after commit, to the :class:`Webhook` subscriptions of the API clients that may see its case
(one :class:`WebhookDelivery` per subscription and event), then posts each delivery, signed,
retrying with backoff; every try is a :class:`WebhookAttempt`. A delivery that never got a 2xx
within the retry window ends ``failed``: the agency sees it and the case is flagged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class CaseEvent(Base):
    """One change of a case, as clients are told of it: the file entry's action and states.
    Written beside the file entry, in its transaction; ``fanned_at`` is set once the webhook job
    has made the deliveries it calls for (NULL: still to fan out)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    """A UUID: what receivers deduplicate on (the same event delivered twice carries the same id)."""
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    case_no: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    """The file entry's sequence number: events of one case are ordered by it."""
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(16), default="")
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    fanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Webhook(Base):
    """A client's subscription: where to post (``url``), which actions (``events``; ``["*"]``: all)
    and the secret the body is signed with, encrypted at rest (FieldCipher)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    area_code: Mapped[str] = mapped_column(String(12))
    """The client's area: the agency of that area sees the subscription's failed deliveries."""
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSONType)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set by DELETE: nothing more is delivered; what was delivered stays on record."""


class WebhookDelivery(Base):
    """One event to post to one subscription: ``pending`` until a 2xx (``delivered``) or the end of
    the retry window (``failed``)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the next try falls due (NULL once delivered or failed)."""
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )


class WebhookAttempt(Base):
    """One try of a delivery: the answer's status code, or what went wrong (timeout, refused…)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(200), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
