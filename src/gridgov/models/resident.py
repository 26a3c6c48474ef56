"""The resident channel (issue 17): a report a resident made without an account, and the SMS codes
that prove a phone.

A :class:`ResidentReport` is the resident's side of one case (``cases`` holds the case itself,
created through ``cases.service.create_case`` like any other): the tracking code's hash (the code is
random and shown once), the phone encrypted and its blind index (to find a phone's reports and count
them for the per-phone limit without decrypting), and the resident's own evaluation. A
:class:`ResidentCode` is one SMS code sent to a phone, stored hashed (wrong tries are counted in
memory, :mod:`gridgov.public.guard`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class ResidentReport(Base):
    __tablename__ = "resident_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    tracking_hash: Mapped[str] = mapped_column(String(64))
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    evaluation: Mapped[str | None] = mapped_column(String(24))
    evaluation_comment: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResidentCode(Base):
    __tablename__ = "resident_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
