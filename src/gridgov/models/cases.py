"""Cases (事件) from report to archive, their clocks, their file, supervision, instructions and
notices.

A case always lies in a grid (the locator finds it, or the reporter names it): ``grid_code`` is the
column jurisdiction is scoped on. ``state`` only changes through :mod:`gridgov.cases.workflow`, and
every change appends a :class:`CaseLogEntry` whose hash chains to the previous one; the case keeps
the chain's length and last hash (``log_length``, ``log_head``) so a cut-off tail is detected too. ``version``
guards concurrent actions: an action updates the row only if the version it read is still there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class CaseNumber(Base):
    """The last sequence number handed out per county and day: case numbers are gap-free per county
    (``{county}-{yyyymmdd}-{5 digits}``) because the number is taken in the case's own transaction."""

    __tablename__ = "case_numbers"

    county_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), index=True)
    type_code: Mapped[str | None] = mapped_column(String(16), index=True)  # 事件类型 (小类), cases.casetypes
    urgency: Mapped[str] = mapped_column(String(12), default="normal")
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200), default="")
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    town_code: Mapped[str] = mapped_column(String(12), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    handling_level: Mapped[str] = mapped_column(String(12), default="town")
    handling_area_code: Mapped[str] = mapped_column(String(12), index=True)
    lead_department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(50), default="")
    reporter_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_phone_mask: Mapped[str] = mapped_column(String(20), default="")
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id"))
    extensions_used: Mapped[int] = mapped_column(Integer, default=0)
    extension_request_days: Mapped[int | None] = mapped_column(Integer)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    evaluation: Mapped[str | None] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    log_length: Mapped[int] = mapped_column(Integer, default=0)
    log_head: Mapped[str] = mapped_column(String(64), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    """The case this one duplicated and was merged into (closed by ``merge``), or None."""
    address_id: Mapped[int | None] = mapped_column(ForeignKey("registry_addresses.id"), index=True)
    """The standard address the case names (registry), where one was chosen."""
    person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id"), index=True)
    """The registered person the case concerns, where needed (shown masked)."""

    __mapper_args__ = {"version_id_col": version}
    # the lists' order (newest first) and date filters: the first page without sorting a province (issue 19)
    __table_args__ = (Index("ix_cases_created_at_id", "created_at", "id"),)


class CaseDepartment(Base):
    """A department a case was dispatched to: the lead, or an assisting one (JM§25)."""

    __tablename__ = "case_departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    part: Mapped[str] = mapped_column(String(12))  # lead | assisting
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseAssignment(Base):
    """A worker of a neighbouring grid asked to verify a case whose own grid has no worker on post
    (issue 13): while ``ended_at`` is empty the worker acts on the case as one of its grid's; it
    keeps seeing the case afterwards, as a party to it."""

    __tablename__ = "case_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(17))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


_WARN_OPEN = "stopped_at IS NULL AND warned_at IS NULL"
_DUE_OPEN = "stopped_at IS NULL AND overdue_at IS NULL"
_ORDER_OPEN = "answered_at IS NULL AND overdue_at IS NULL"


class CaseClock(Base):
    """One clock of a case (report, acceptance, dispatch, handling, feedback). ``final_status`` keeps how a
    stopped clock ended; ``warned_at``/``overdue_at`` make the sweep notify each once."""

    __tablename__ = "case_clocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # indexed by uq_case_clocks_case_kind
    kind: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # running ones: ix_case_clocks_due_open
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime())  # running ones: ix_case_clocks_warn_open
    warning_ratio: Mapped[float] = mapped_column(Float)
    working_days: Mapped[int | None] = mapped_column(Integer)
    span_seconds: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[str] = mapped_column(String(12), default="normal")
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    unknown_years: Mapped[list[int] | None] = mapped_column(JSONType)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    final_status: Mapped[str | None] = mapped_column(String(12))
    provisional: Mapped[bool] = mapped_column(default=False)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("case_id", "kind", name="uq_case_clocks_case_kind"),
        # The sweep claims only running clocks not yet marked: partial indexes keep it independent
        # of how many clocks have ever stopped or been marked.
        Index("ix_case_clocks_warn_open", "warn_at", sqlite_where=text(_WARN_OPEN), postgresql_where=text(_WARN_OPEN)),
        Index("ix_case_clocks_due_open", "due_at", sqlite_where=text(_DUE_OPEN), postgresql_where=text(_DUE_OPEN)),
    )


class CaseLogEntry(Base):
    """One entry of a case's file (电子档案). Append-only; ``hash`` covers the entry and the
    previous entry's hash, so altering or removing an entry breaks the chain."""

    __tablename__ = "case_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # indexed by uq_case_log_case_seq
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_state: Mapped[str] = mapped_column(String(16), default="")
    to_state: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    attachments: Mapped[list[str] | None] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_log_case_seq"),)


class CasePhoto(Base):
    """A photo of a case stored by content hash (GPS stripped) with its thumbnail."""

    __tablename__ = "case_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16), default="report")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupervisionOrder(Base):
    """A supervision order (督办) from an agency of the same or a higher level, and its answer."""

    __tablename__ = "supervision_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issuer_area_code: Mapped[str] = mapped_column(String(12))
    target_department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    target_area_code: Mapped[str | None] = mapped_column(String(17))
    instruction: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_supervision_orders_due_open", "due_at", sqlite_where=text(_ORDER_OPEN),
              postgresql_where=text(_ORDER_OPEN)),
    )


class Instruction(Base):
    """Work the agency sends to the workers of a grid (统一交办, ZJ§10, JM§23): a clue to verify or a
    work order, with a due time. A department's request starts as ``requested`` and needs the
    agency's approval before it reaches the grid."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # clue | work_order
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """An in-app notice to one user. ``dedupe_key`` is unique, so a notice produced twice (two
    sweeps at once) is stored once."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    message: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    link: Mapped[str] = mapped_column(String(200), default="")
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the step a to-do asked for was taken (by anyone); None while open, and for information."""
