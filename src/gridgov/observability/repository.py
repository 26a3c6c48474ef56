"""The counts ``/metrics`` reads at scrape time (no table here is scoped: these are system-wide backlogs)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.models.messages import PENDING, OutboundMessage
from gridgov.models.webhooks import WebhookDelivery


def pending_messages(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == PENDING))


def pending_deliveries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending"))
