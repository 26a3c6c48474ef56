"""Analysis (issue 16): one fact row per case, the flat record every figure is counted from.

A case's fact row is derived from the case, its clocks and its file (``case_log``) alone, so it
can always be recomputed and compared (``gridgov analysis verify``); it is rewritten in the same
transaction as every change of the case. Each counter column is 0 or 1 for the case (``supervised``
counts orders) and means what ``docs/kpi.md`` says; a rate is a quotient of two counters, so
every figure sums over cases and every group can be listed by the same filters.

``reported_day`` is the local (Asia/Shanghai) day the case was reported (``cases.created_at``): a
period's figures are those of the cases reported in it (a cohort), which is what the case list's
``from``/``to`` filters select.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base

FACT_COUNTERS = (
    "reported",
    "valid",
    "verified",
    "verified_on_time",
    "dispatched",
    "returned",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reworked",
    "reopened",
    "extended",
    "overdue",
    "evaluated",
    "satisfied",
    "supervised",
)
"""The counter columns of :class:`CaseFact`, in the order the API lists them."""

FACT_DURATIONS = ("verify_days", "dispatch_days", "handle_days", "close_days")
"""Working days a stage took (None while it has not ended): the report to verification, the
verification to the (last) dispatch, the dispatch to handling, the report to closure."""


class CaseFact(Base):
    __tablename__ = "case_facts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reported_day: Mapped[date] = mapped_column(Date)
    grid_code: Mapped[str] = mapped_column(String(17))
    town_code: Mapped[str] = mapped_column(String(12))
    county_code: Mapped[str] = mapped_column(String(12))
    type_code: Mapped[str | None] = mapped_column(String(16))
    matter_code: Mapped[str] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(40))
    """The lead department the case was (last) dispatched to."""
    worker_id: Mapped[int | None] = mapped_column(Integer)
    """The grid worker who reported the case, or failing that who verified it."""
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))

    reported: Mapped[int] = mapped_column(SmallInteger, default=1)
    valid: Mapped[int] = mapped_column(SmallInteger, default=0)
    verified: Mapped[int] = mapped_column(SmallInteger, default=0)
    verified_on_time: Mapped[int] = mapped_column(SmallInteger, default=0)
    dispatched: Mapped[int] = mapped_column(SmallInteger, default=0)
    returned: Mapped[int] = mapped_column(SmallInteger, default=0)
    handled: Mapped[int] = mapped_column(SmallInteger, default=0)
    handled_on_time: Mapped[int] = mapped_column(SmallInteger, default=0)
    closed: Mapped[int] = mapped_column(SmallInteger, default=0)
    closed_on_time: Mapped[int] = mapped_column(SmallInteger, default=0)
    reworked: Mapped[int] = mapped_column(SmallInteger, default=0)
    reopened: Mapped[int] = mapped_column(SmallInteger, default=0)
    extended: Mapped[int] = mapped_column(SmallInteger, default=0)
    overdue: Mapped[int] = mapped_column(SmallInteger, default=0)
    evaluated: Mapped[int] = mapped_column(SmallInteger, default=0)
    satisfied: Mapped[int] = mapped_column(SmallInteger, default=0)
    supervised: Mapped[int] = mapped_column(SmallInteger, default=0)

    verify_days: Mapped[int | None] = mapped_column(Integer)
    dispatch_days: Mapped[int | None] = mapped_column(Integer)
    handle_days: Mapped[int | None] = mapped_column(Integer)
    close_days: Mapped[int | None] = mapped_column(Integer)

    case_version: Mapped[int] = mapped_column(Integer, default=0)
    """The case's ``version`` (and ``log_length``) the row was derived at."""
    log_length: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_case_facts_grid_day", "grid_code", "reported_day"),
        Index("ix_case_facts_day", "reported_day"),
    )
