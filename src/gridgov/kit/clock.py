"""Time is an argument: services take ``now``; this is where the edge gets it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def local(dt: datetime) -> datetime:
    """The same instant on the wall clock users see (Asia/Shanghai)."""
    return dt.astimezone(SHANGHAI)
