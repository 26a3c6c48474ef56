"""Messages to residents through an outside channel: SMS first (WeChat and e-mail can follow).

**Stored first, sent after commit.** :func:`send` renders the profile's Chinese template and stores
the message in the caller's session, so it commits or rolls back with the change that caused it:
nothing is sent for a change that rolled back, nothing is lost for one that committed. The job
``outbound`` (:mod:`gridgov.jobs`, every ``GRIDGOV_SWEEP_INTERVAL_SECONDS`` in ``gridgov serve`` and in
``gridgov jobs run``) hands the due messages to the deployment's channel (:func:`deliver_pending`).
Where a real channel is configured, the messages a request stored also go out right after its commit
(:func:`deliver_after_commit`), so an SMS code does not wait for the job.

**Channels** (:mod:`gridgov.notify.channels`) are registered by name (:func:`register_channel`);
``GRIDGOV_SMS_CHANNEL`` names the one in use: ``http`` (:mod:`gridgov.notify.sms_http`) or another
registered one. ``dev`` is the development sink: the database row is the message and ``/dev/outbox`` shows it,
in demo mode only (demo mode uses it when no other channel is named; outside demo mode it is refused).
With no channel the messages are stored and marked ``unsent`` (未配置短信通道), never "sent".

**Failures**: a channel raises :class:`ChannelError`; the message is tried again after 1, 5, 30, 120
minutes … and marked ``failed`` after ``GRIDGOV_SMS_MAX_ATTEMPTS`` attempts. Delivery is at least
once: a process that dies between the channel's answer and its commit sends that message again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.errors import Invalid
from gridgov.kit.ids import normalise_phone
from gridgov.kit.masking import mask_phone
from gridgov.models.messages import FAILED, SENT, UNSENT, OutboundMessage
from gridgov.notify import outbound_repository as repo
from gridgov.notify.channels import ChannelError, DevSink, OutboundChannel

log = logging.getLogger("gridgov.notify.outbound")
MOBILE_LENGTH = 11
BACKOFF_MINUTES = (1, 5, 30, 120, 480)
"""Waits before the 2nd, 3rd … attempt (the last one repeats)."""


def _http(settings) -> OutboundChannel:
    from gridgov.notify.sms_http import from_settings

    return from_settings(settings)


_REGISTRY: dict[str, Callable[[Any], OutboundChannel]] = {"dev": lambda settings: DevSink(), "http": _http}
"""Channel name → factory taking the deployment's settings: ``dev`` (the demo sink), ``http`` (a JSON
POST per message to ``GRIDGOV_SMS_URL``, :mod:`gridgov.notify.sms_http`)."""


def register_channel(name: str, factory: Callable[[Any], OutboundChannel]) -> None:
    """Adds a channel (an SMS gateway, WeChat, e-mail …) that ``GRIDGOV_SMS_CHANNEL`` may name."""
    _REGISTRY[name] = factory


def channel_names() -> list[str]:
    return sorted(_REGISTRY)


def channel_name(settings) -> str:
    """The channel in use: ``GRIDGOV_SMS_CHANNEL``, else the dev sink in demo mode, else none ("").
    The dev sink is never used outside demo mode (it would look "sent" to nobody)."""
    name = settings.sms_channel or ("dev" if settings.demo else "")
    if name == "dev" and not settings.demo:
        return ""
    return name if name in _REGISTRY else ""


def configured(settings) -> bool:
    """Whether an SMS channel is configured (the dev sink counts in demo mode)."""
    return channel_name(settings) != ""


def channel_for(settings) -> OutboundChannel | None:
    name = channel_name(settings)
    return _REGISTRY[name](settings) if name else None


# ---------------------------------------------------------------------------------------------
# Storing

_site = {"public_url": ""}


def configure_site(public_url: str) -> None:
    """The site's public address (``GRIDGOV_PUBLIC_URL``) that links in messages start with; set by the app."""
    _site["public_url"] = public_url.rstrip("/")


def site_link(path: str) -> str:
    """A link for a message: the public address plus ``path`` (the path alone when none is set)."""
    return _site["public_url"] + path


def render(profile, template: str, params: dict[str, Any]) -> str:
    """The text of a message: ``【signature】`` then the profile's template filled with ``params``."""
    text = getattr(profile.messages.templates, template, None)
    if not isinstance(text, str):
        raise ValueError(f"未知的短信模板 {template!r}")
    return f"【{profile.messages.signature}】" + text.format_map({k: str(v) for k, v in params.items()})


def is_mobile(phone: str) -> bool:
    return len(phone) == MOBILE_LENGTH and phone.isdigit() and phone.startswith("1")


def send(session: Session, *, profile, cipher, to: str, template: str, params: dict[str, Any], now: datetime,
         case_id: int | None = None, dedupe_key: str | None = None) -> OutboundMessage | None:
    """Stores an SMS to ``to`` in the caller's transaction (delivered after commit by the job).
    Returns the message, or None when ``dedupe_key`` was used already (the same message twice is
    stored once). 422 when ``to`` is not a mobile number."""
    phone = normalise_phone(to)
    if not is_mobile(phone):
        raise Invalid("短信只能发往 11 位手机号码", details=[{"field": "phone", "error": "取值无效"}])
    return _store(session, text=render(profile, template, params), template=template, phone_enc=cipher.encrypt(phone),
                  phone_mask=mask_phone(phone), now=now, case_id=case_id, dedupe_key=dedupe_key)


def send_sealed(session: Session, *, profile, phone_enc: bytes, phone_mask: str, template: str,
                params: dict[str, Any], now: datetime, case_id: int | None = None,
                dedupe_key: str | None = None) -> OutboundMessage | None:
    """:func:`send` to a phone already sealed (a case's reporter phone): copied sealed, never opened here.
    Nothing is stored for a number whose mask is not a mobile's (a landline cannot take an SMS)."""
    if not (len(phone_mask) == MOBILE_LENGTH and phone_mask.startswith("1")):
        return None
    return _store(session, text=render(profile, template, params), template=template, phone_enc=phone_enc,
                  phone_mask=phone_mask, now=now, case_id=case_id, dedupe_key=dedupe_key)


def _store(session: Session, *, text: str, template: str, phone_enc: bytes, phone_mask: str, now: datetime,
           case_id: int | None, dedupe_key: str | None) -> OutboundMessage | None:
    row = {"kind": "sms", "template": template, "text": text, "phone_enc": phone_enc, "phone_mask": phone_mask,
           "case_id": case_id, "dedupe_key": dedupe_key[:120] if dedupe_key else None, "status": "pending",
           "channel": "", "attempts": 0, "last_error": "", "created_at": now}
    message = repo.store(session, row)
    if message is not None:  # delivered right after this transaction commits, where the app asks for it
        session.info.setdefault(_NEW, []).append(message.id)
    return message


# ---------------------------------------------------------------------------------------------
# Delivering (after commit)


@dataclass(frozen=True)
class Delivered:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unsent: int = 0
    purged: int = 0

    def summary(self) -> str | None:
        counts = (("短信已发送", self.sent), ("待重试", self.retrying), ("发送失败", self.failed),
                  ("未配置短信通道未发送", self.unsent), ("删除超过保存期的短信", self.purged))
        parts = [f"{label} {n} 条" for label, n in counts if n]
        return "；".join(parts) or None


def deliver_pending(session: Session, *, channel: OutboundChannel | None, cipher, now: datetime,
                    max_attempts: int = 5, limit: int = 200, ids: list[int] | None = None) -> Delivered:
    """Hands the due messages to ``channel`` (None: none configured → each is marked ``unsent``).
    ``ids``: only these."""
    sent = retrying = failed = unsent = 0
    for message in repo.due(session, now=now, limit=limit, ids=ids):
        if not repo.claim(session, message):
            continue  # another process has it
        if channel is None:
            message.status, message.last_error = UNSENT, "未配置短信通道"
            unsent += 1
            continue
        message.channel = channel.name
        try:
            channel.send(to=cipher.decrypt(message.phone_enc), text=message.text, message_id=message.id)
        except ChannelError as exc:
            message.last_error = str(exc)[:200] or "短信通道拒收"
            if message.attempts >= max_attempts:
                message.status, message.next_attempt_at = FAILED, None
                failed += 1
            else:
                wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
                message.next_attempt_at = now + timedelta(minutes=wait)
                retrying += 1
            continue
        message.status, message.sent_at, message.next_attempt_at, message.last_error = SENT, now, None, ""
        sent += 1
    session.flush()
    return Delivered(sent, retrying, failed, unsent)


_NEW = "outbound_new"
"""``session.info`` key: the ids of the messages stored in the session's current transaction."""


def purge_old(session: Session, *, now: datetime, keep_days: int) -> int:
    """Deletes the messages no longer pending written more than ``keep_days`` days ago."""
    return repo.purge(session, before=now - timedelta(days=keep_days))


def deliver_after_commit(makers, settings, cipher, *, now=None) -> bool:
    """Where a real channel is configured (not the dev sink: its row is the message already), the
    messages a request stored are handed to it right after that request's transaction commits, in a
    transaction of their own, so a resident does not wait for the next run of the job (an SMS code).
    Whatever fails here stays pending for the job. Returns whether it was set up."""
    from sqlalchemy import event

    from gridgov.kit.clock import utc_now

    if channel_name(settings) in ("", "dev"):
        return False
    channel = channel_for(settings)

    def committed(session: Session) -> None:
        ids = session.info.pop(_NEW, None)
        if not ids:
            return
        try:
            with makers[0]() as fresh:
                deliver_pending(fresh, channel=channel, cipher=cipher, now=now() if now else utc_now(),
                                max_attempts=settings.sms_max_attempts, ids=ids)
                fresh.commit()
        except Exception:  # the job tries again; the request has committed and must not fail now
            log.exception("delivering messages after commit failed")

    def rolled_back(session: Session) -> None:
        session.info.pop(_NEW, None)

    for maker in makers:
        event.listen(maker, "after_commit", committed)
        event.listen(maker, "after_rollback", rolled_back)
    return True


# ---------------------------------------------------------------------------------------------
# The development outbox (demo mode)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    phone_mask: str
    template: str
    text: str
    case_no: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


OUTBOX_PAGE = 50


def outbox(session: Session, *, page: int = 1) -> tuple[list[OutboxRow], int]:
    """One page of the stored messages, newest first (masked phones), and how many there are."""
    messages = repo.newest(session, limit=OUTBOX_PAGE, offset=(page - 1) * OUTBOX_PAGE)
    numbers = repo.case_numbers(session, sorted({m.case_id for m in messages if m.case_id}))
    rows = [OutboxRow(m.id, mask_phone(m.phone_mask), m.template, m.text, numbers.get(m.case_id or 0, ""),
                      m.status, m.attempts, m.created_at, m.sent_at) for m in messages]
    return rows, repo.count(session)
