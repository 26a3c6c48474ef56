"""Small system tables: versions other processes watch, and the calendar's overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class Counter(Base):
    """A named counter bumped on change, e.g. ``grids_version`` tells locators to rebuild."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class CalendarOverride(Base):
    """One day of a year's State Council holiday notice, loaded or corrected by an administrator.

    An override wins over the bundled chinese-calendar data; a year with overrides counts as known.
    """

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
