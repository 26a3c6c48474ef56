"""Analysis store (issue 16): additive counters per month, area and dimension ("cells").

Every figure of ``analysis.store.aggregate`` is a sum of ``case_facts`` columns over the cases of a
group; the same sums are kept here, per calendar month of ``reported_day``, per area (the code
prefix of every level above a case's grid, and the grid itself) and per dimension (``all``, or one
of ``type``/``matter``/``department``/``worker`` with its key). ``cases.rollup.apply`` adds the
difference between a case's old and new fact row in the same transaction that rewrites the row, so
the cells always equal a GROUP BY over ``case_facts`` (``rebuild_cells`` recomputes them).

``area`` is the significant prefix of the area (2 digits a province, 4 a city, 6 a county, 9 a town,
12 a village, 15 a grid) and ``level`` its length. Dimensions other than ``all`` are kept at a few
levels only (:data:`KEPT`): below them an area holds few enough cases to be counted from its fact
rows. ``rows`` is the number of fact rows in the cell (a cell at 0 is an empty group).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS, CaseFact
from gridgov.models.base import Base

LEVELS = (2, 4, 6, 9, 12, 15)
"""Prefix lengths kept for the dimension ``all``: province, city, county, town, village, grid."""

DIMENSIONS = ("type", "matter", "department", "worker")

KEPT: dict[str, tuple[int, ...]] = {"all": LEVELS, "type": (2, 4, 6), "matter": (2, 4, 6), "department": (2, 4, 6),
                                    "worker": (6,), "day": (2, 4, 6)}
"""The levels each dimension is kept at. Types, matters and departments down to counties (below, a
town's cells would be nearly as many as its cases); a worker only per county (a worker works in one
grid: the province's and cities' figures by worker sum their counties' cells). ``day``: the
dimension ``all`` per day instead of per month, down to counties, for the days a period cuts off a
month at either edge."""

CELL_VALUES = ("rows", *FACT_COUNTERS, *(f"{d}_{p}" for d in FACT_DURATIONS for p in ("sum", "n")))
"""The additive columns of a cell."""


class FactCell(Base):
    __tablename__ = "fact_cells"

    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    area: Mapped[str] = mapped_column(String(15), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    """The first day of the month; for the dimension ``day``, the day."""
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    """The dimension's value ('' for ``all`` and for a case without one)."""

    rows: Mapped[int] = mapped_column(Integer, default=0)
    reported: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[int] = mapped_column(Integer, default=0)
    verified_on_time: Mapped[int] = mapped_column(Integer, default=0)
    dispatched: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    handled_on_time: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    closed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    reworked: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    extended: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    evaluated: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[int] = mapped_column(Integer, default=0)
    verify_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    verify_days_n: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_days_n: Mapped[int] = mapped_column(Integer, default=0)
    handle_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    handle_days_n: Mapped[int] = mapped_column(Integer, default=0)
    close_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    close_days_n: Mapped[int] = mapped_column(Integer, default=0)


Index("ix_case_facts_department_day", CaseFact.department_code, CaseFact.reported_day)
"""A department's figures are counted from its own fact rows when the cells cannot answer."""
