"""The people who serve the grids: staff records, their posts, training and eligibility.

ID numbers and private phones are encrypted at rest (``*_enc``, AES-GCM through
:mod:`gridgov.kit.crypto`); lists show the stored masks; the blind index finds a person again by ID
number without decrypting. A post is ``pending`` until pre-job training is recorded as passed where
the profile asks for it, then ``active``, then ``ended``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class StaffMember(Base):
    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_mask: Mapped[str] = mapped_column(String(18), default="")
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    work_phone: Mapped[str] = mapped_column(String(20), default="")
    photo_hash: Mapped[str | None] = mapped_column(String(64))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffExclusion(Base):
    """A circumstance that bars full-time posting (JS§14, QZ§12), kept with its evidence."""

    __tablename__ = "staff_exclusions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_on: Mapped[date | None] = mapped_column(Date)


class Training(Base):
    """Pre-job training and its assessment (ZJ§27, LZ§21)."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), default="pre_job")
    held_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Post(Base):
    """A staff member serving in a role at a grid, micro-grid or area from a start date."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    scope_code: Mapped[str] = mapped_column(String(17), index=True)
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"), index=True)
    micro_grid_code: Mapped[str | None] = mapped_column(ForeignKey("micro_grids.code"))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leader_basis: Mapped[str | None] = mapped_column(String(40))  # 网格长的任职身份 (staff.leader_eligible_from)
