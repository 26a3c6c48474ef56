"""The counts ``/metrics`` reads at scrape time: system-wide backlogs, read as :data:`~gridgov.authz.scope.SYSTEM`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models.messages import PENDING, OutboundMessage
from gridgov.models.webhooks import WebhookDelivery


def pending_messages(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == PENDING))


def pending_deliveries(session: Session) -> int:
    stmt = scoped(select(func.count()).select_from(WebhookDelivery), SYSTEM, WebhookDelivery)
    return session.scalar(stmt.where(WebhookDelivery.status == "pending"))
