"""The monthly analysis reports (issue 16), each kept with its version.

A report is the figures of one area (the city, a county, a town …) for one calendar month, frozen
when it is generated: the figures as JSON (what the page shows) and the PDF (what is filed and
sent), with the PDF's SHA-256 so a copy handed round can be checked against the kept one.
Regenerating makes a new version and keeps the old ones (``gridgov.analysis.monthly_reports``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class MonthlyReport(Base):
    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    month: Mapped[str] = mapped_column(String(7))
    """``YYYY-MM``."""
    version: Mapped[int] = mapped_column(Integer)
    """1 for the first generation of (area, month), then 2, 3 … for each regeneration."""
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    generated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_by: Mapped[str] = mapped_column(String(64))
    """The username of who regenerated it, or ``system`` (the monthly job, the CLI)."""
    figures: Mapped[dict[str, Any]] = mapped_column(JSONType)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    """Hex SHA-256 of ``pdf``."""

    __table_args__ = (UniqueConstraint("area_code", "month", "version", name="uq_monthly_reports_version"),)
