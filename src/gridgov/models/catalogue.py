"""The published list of grid work (事项清单): lists per level, their matters, versions, the
applications that change them and rectification notices (C1–C6).

A list belongs to one area (the city, or a county) and is of one kind the profile names (basic,
admission, negative, directory, matters). Matters never disappear: leaving the list sets
``status = exited`` with the date, so old versions and old cases keep naming them. Every approved
change publishes a new :class:`ListVersion` holding a snapshot of the matters in force, so versions
can be compared without replaying history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class CatalogueList(Base):
    __tablename__ = "catalogue_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    follows_list_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_lists.id"))
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("area_code", "kind", name="uq_catalogue_lists_area_kind"),)


class Matter(Base):
    """One item of grid work on a list, with what grid staff may do about it and its own limits."""

    __tablename__ = "matters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("catalogue_lists.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    class_code: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    department_kind: Mapped[str] = mapped_column(String(24), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    power_type: Mapped[str] = mapped_column(String(16), default="none")
    on_site: Mapped[bool] = mapped_column(Boolean, default=False)
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    evidence: Mapped[str] = mapped_column(Text, default="")
    # What the department sends with the matter (C6: ZJ§8 力量、资源、经费下沉, JS§10, QZ§8 人员、
    # 经费、业务指导和技能培训): {"people": …, "funds": …, "guidance": …, "training": …}, text each.
    resources: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(12), index=True)  # in_force | exited
    temporary_until: Mapped[date | None] = mapped_column(Date, index=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ListVersion(Base):
    """A published version of a list: its number, date and the matters in force then."""

    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("catalogue_lists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_applications.id"))
    # Where the profile asks a county list to be filed with the city agency (JM§9): when the city
    # agency recorded the filing (备案) of this version, by whom, and its note.
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filing_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("list_id", "number", name="uq_list_versions_list_number"),)


class CatalogueApplication(Base):
    """An application to change a list: admission, exit, change, or temporary admission (with an
    end date). ``matter`` holds the proposed matter (admission, change, temporary); ``matter_id``
    names the matter concerned (exit, change). Reviewed (expert opinions where the profile asks),
    then decided by whoever the profile names; the decision records who decided and on whose
    authority (``approver``)."""

    __tablename__ = "catalogue_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    list_id: Mapped[int] = mapped_column(ForeignKey("catalogue_lists.id"), index=True)
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    matter: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text, default="")
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    expert_opinions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approver: Mapped[str] = mapped_column(String(40), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RectificationNotice(Base):
    """A notice to a department that gives no guidance, funds or supervision for its matter (QZ§8):
    answered by the deadline, or the matter leaves the list (forced exit)."""

    __tablename__ = "rectification_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    content: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | answered | forced_exit
