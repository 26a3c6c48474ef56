"""Stored appraisal runs (issue 16; G1, G2, B5): the scores of one period and area as they were
computed, with each score's derivation, the digest of the inputs they were computed from and a hash
over the whole run, so ``gridgov analysis verify PERIOD`` can recompute the period from the case
files and the registry and say whether what is stored still matches (tamper-evident appraisal).

``score`` is kept in hundredths of a point (an integer: exact comparison on every database); None
when nothing could be measured. ``area_code`` of a run is the area it covers (a run is seen by whoever
sees that area); a score's ``area_code`` is its run's (the scope rule reads it without a join).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class AppraisalRun(Base):
    __tablename__ = "appraisal_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    area_code: Mapped[str] = mapped_column(String(12))
    profile: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict] = mapped_column(JSONType)
    """The weights, threshold and deduction the run used (the profile's ``[appraisal]``)."""
    inputs_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the counters every score was computed from."""
    run_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the period, area, settings, inputs' digest and every score with its derivation."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_appraisal_runs_period_area", "period", "area_code"),)


class AppraisalScore(Base):
    __tablename__ = "appraisal_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("appraisal_runs.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    unit_key: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str] = mapped_column(String(100), default="")
    area_code: Mapped[str] = mapped_column(String(12))
    score: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    lagging: Mapped[bool] = mapped_column(Boolean, default=False)
    derivation: Mapped[dict] = mapped_column(JSONType)
