"""Messages to residents (issue 17): every SMS the platform means to send, stored before it is sent.

A message is written in the transaction of the change that causes it (a case accepted, refused,
closed; an SMS code asked for), so a change that rolls back leaves no message, and one that commits
leaves one to deliver. A delivery job (``outbound`` in :mod:`gridgov.jobs`) hands the pending ones to
the deployment's channel after commit (:mod:`gridgov.notify.outbound`).

The phone is personal data: sealed (``phone_enc``, :class:`gridgov.kit.crypto.FieldCipher`) and
shown masked (``phone_mask``). The rendered text is kept as sent: it is what the resident read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base

PENDING, SENT, FAILED, UNSENT = "pending", "sent", "failed", "unsent"
"""``pending``: stored, not yet handed to a channel (or to be tried again at ``next_attempt_at``);
``sent``: the channel took it; ``failed``: the channel refused it every time it was tried;
``unsent``: no channel is configured, so it was never sent (never counted as sent)."""

STATUS_LABELS = {PENDING: "待发送", SENT: "已发送", FAILED: "发送失败", UNSENT: "未发送（未配置短信通道）"}


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="sms")
    """The medium: ``sms`` (WeChat and e-mail later, each with its own channel)."""
    template: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(8), default=PENDING)
    channel: Mapped[str] = mapped_column(String(16), default="")
    """The channel that took it (or last tried)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
