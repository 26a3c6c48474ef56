"""Notices to users: in the app today, SMS or webhooks later through the same channel interface.

A notice is decided inside the transaction that caused it (who must act next, a warning, a
supervision order) and stored in ``notifications`` with a ``dedupe_key``: the same notice produced
twice (two sweeps running at once, a retried request) is stored once. Channels other than the app
deliver after commit from the stored rows, so nothing is sent for work that was rolled back.

The queries (storing notices, the inbox) live in :mod:`gridgov.notify.repository`; this module
names them for the domains that send notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gridgov.models import Notification
from gridgov.notify.repository import (
    inbox,
    mark_read,
    notice_params,
    notice_to_each,
    notify,
    open_todo_count,
    settle,
    unread_count,
)


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    message: str
    dedupe_key: str
    case_id: int | None = None
    link: str = ""


class Channel(Protocol):
    """Delivers stored notices somewhere outside the app (SMS gateway, webhook, …)."""

    name: str

    def deliver(self, notices: list[Notification]) -> None: ...


CHANNELS: list[Channel] = []
"""External channels; empty by default (the in-app inbox is always on)."""

__all__ = ["CHANNELS", "Channel", "Notice", "inbox", "mark_read", "notice_params", "notice_to_each", "notify",
           "open_todo_count", "settle", "unread_count"]

