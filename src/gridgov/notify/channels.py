"""The outbound channel interface (SMS first; WeChat and e-mail can follow) and the development sink.
Channels are registered by name in :mod:`gridgov.notify.outbound`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ChannelError(Exception):
    """The channel did not take the message (the gateway's refusal or an unreachable gateway)."""


class OutboundChannel(Protocol):
    """Hands one message to the outside world; raises :class:`ChannelError` when it cannot."""

    name: str
    kind: str

    def send(self, *, to: str, text: str, message_id: int) -> None: ...


@dataclass(frozen=True)
class DevSink:
    """The development sink: the stored row is the message (shown at ``/dev/outbox``), nothing leaves."""

    name: str = "dev"
    kind: str = "sms"

    def send(self, *, to: str, text: str, message_id: int) -> None:
        return None


__all__ = ["ChannelError", "DevSink", "OutboundChannel"]
