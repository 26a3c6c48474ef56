"""The 12345 hotline's intake (issue 17): which hotline ticket became which case, and the table that
maps the hotline's own classification to gridgov's case types.

``hotline_intakes`` holds one row per (client, ticket): the UNIQUE constraint on ``(client_id,
external_id)`` is what makes a retried intake return the case it already created instead of a second
one (the service claims the row before it registers the case, see :mod:`gridgov.interop.hotline`).
``grid_code`` is the column jurisdiction is scoped on (the case's grid). ``needs_triage``: the
hotline's category mapped to no case type, so the case was registered without one and waits for the
dispatcher (:mod:`gridgov.interop.hotline` ``classify``).

``hotline_categories`` maps a hotline classification code (GB/T 39666-2020 政府热线服务分类与代码,
where the hotline uses it, or its own) to a case type (小类, :mod:`gridgov.cases.casetypes`), per
area: an intake uses the mapping of the nearest area above its grid that has one for the code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class HotlineIntake(Base):
    __tablename__ = "hotline_intakes"
    __table_args__ = (UniqueConstraint("client_id", "external_id", name="uq_hotline_intakes_client_ticket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    """The API client that sent the ticket."""
    external_id: Mapped[str] = mapped_column(String(64))
    """The hotline's own ticket number."""
    body_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the request as received (canonical JSON): the same ticket with another body is a 409."""
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True, default="")
    hotline_category: Mapped[str] = mapped_column(String(32), default="")
    hotline_category_name: Mapped[str] = mapped_column(String(100), default="")
    needs_triage: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    triaged_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HotlineCategory(Base):
    __tablename__ = "hotline_categories"
    __table_args__ = (UniqueConstraint("area_code", "code", name="uq_hotline_categories_area_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    """The area whose agency keeps this row (its cases and those below use it)."""
    code: Mapped[str] = mapped_column(String(32))
    """The hotline's classification code."""
    name: Mapped[str] = mapped_column(String(100), default="")
    type_code: Mapped[str] = mapped_column(String(16))
    """A case type (小类) of :mod:`gridgov.cases.casetypes`."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(Integer)
