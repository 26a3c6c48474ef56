"""一标三实: standard addresses, actual houses, people and units, special-group tags and visits.

The register holds the most sensitive data the platform keeps (issue 15). Its shape:

* Every row carries ``scope_code``: the grid code where the row's address lies in a grid, else the
  village/community's area code. Jurisdiction is ``scope_code LIKE prefix%`` (one indexed column,
  no join), and it is rewritten whenever the row's address or grid changes.
* ID numbers, phones and special-group tags are never stored in the clear: ``*_enc`` holds the
  AES-GCM blob from :mod:`gridgov.kit.crypto` (its header names the key that sealed it, so keys
  can rotate), ``*_index`` the keyed blind index (exact match without decrypting), ``*_mask`` the
  mask lists show.
* Rows are never deleted by users: a person who moves out or dies is ``archived``; the retention
  job deletes what the law no longer allows to keep, and says so in the audit log.
* ``source`` marks where a row came from (``manual``, ``import``, ``demo``): demo rows are
  synthetic and clearly marked.

Codes follow GB/T 31000-2015 where it defines them: gender GB/T 2261.1, ethnicity GB/T 3304, ID
numbers GB 11643, unified social credit codes GB 32100 (see ``docs/registry.md``).
"""

from __future__ import annotations

from datetime import date, datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base

SCOPE_CODE_LEN = 17
"""Room for a grid code (15) or a micro-grid code (17); an area code is 12."""


class Address(Base):
    """标准地址: one canonical text per place, a stable code, a point located to its grid."""

    __tablename__ = "registry_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    road: Mapped[str] = mapped_column(String(60), default="")
    """Road, street or village group (村民小组)."""
    house_no: Mapped[str] = mapped_column(String(20), default="")
    building: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20), default="")
    canonical: Mapped[str] = mapped_column(String(200), unique=True)
    """The one canonical text (area names + road + number + building + unit + room)."""
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    """WGS84; points typed in GCJ-02 or BD-09 are converted on the way in."""
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"), index=True)
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN), index=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class House(Base):
    """实有房屋 at a standard address."""

    __tablename__ = "registry_houses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("registry_addresses.id"), unique=True)
    usage: Mapped[str] = mapped_column(String(12), default="own")
    """own 自住, rented 出租, vacant 空置, business 经营, other 其他."""
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id", use_alter=True))
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    """The owner when not a registered person (a company, an absent owner)."""
    area_m2: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN), index=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Rental(Base):
    """A rental record of a house (出租登记)."""

    __tablename__ = "registry_rentals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("registry_houses.id"), index=True)
    tenant_person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id"), index=True)
    tenant_unit_id: Mapped[int | None] = mapped_column(ForeignKey("registry_units.id"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Person(Base):
    """实有人口. Found by exact ID number through ``id_number_index``, by name within jurisdiction."""

    __tablename__ = "registry_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    id_kind: Mapped[str] = mapped_column(String(12), default="resident")
    """resident 居民身份证 (GB 11643), passport 护照, permit 港澳台居民/外国人永久居留等证件."""
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_mask: Mapped[str] = mapped_column(String(24), default="")
    gender: Mapped[str] = mapped_column(String(1), default="0")
    """GB/T 2261.1: 0 未知, 1 男, 2 女, 9 未说明."""
    ethnicity: Mapped[str] = mapped_column(String(2), default="")
    """GB/T 3304 two-digit code ("" unknown)."""
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    residence_kind: Mapped[str] = mapped_column(String(12), default="registered")
    """registered 户籍人口, floating 流动人口, overseas 境外人员."""
    house_id: Mapped[int | None] = mapped_column(ForeignKey("registry_houses.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    """active; moved_out; deceased; (archived rows keep their status and get ``archived_at``)."""
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN))
    source: Mapped[str] = mapped_column(String(12), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_registry_people_scope_name", "scope_code", "name"),)


class Move(Base):
    """A move in or out of a house, with its date."""

    __tablename__ = "registry_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    """in, out, death."""
    moved_on: Mapped[date] = mapped_column(Date)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("registry_houses.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Relation(Base):
    """A household relation: ``relative`` is ``relation`` of ``person`` (户主, 配偶, 子女 …)."""

    __tablename__ = "registry_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_people.id"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("registry_people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(12))

    __table_args__ = (UniqueConstraint("person_id", "relative_id", name="uq_registry_relations_pair"),)


class Unit(Base):
    """实有单位: name, unified social credit code (GB 32100), kind, address, contact."""

    __tablename__ = "registry_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="enterprise")
    address_id: Mapped[int | None] = mapped_column(ForeignKey("registry_addresses.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_phone_mask: Mapped[str] = mapped_column(String(20), default="")
    dedicated_grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"))
    """The dedicated grid (专属网格) the unit hosts, where there is one."""
    status: Mapped[str] = mapped_column(String(12), default="active")
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN), index=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonTag(Base):
    """A special-group tag on a person. The tag's code is sealed (``tag_enc``); ``tag_index`` is its
    keyed blind index (the same for every person with that tag, so lists filter on it without
    decrypting). ``visit_due_on`` is when the next visit falls due (the tag's frequency from the
    profile, counted from the last visit or from ``since``)."""

    __tablename__ = "registry_person_tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_people.id"), index=True)
    tag_enc: Mapped[bytes] = mapped_column(LargeBinary)
    tag_index: Mapped[str] = mapped_column(String(64))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    visit_due_on: Mapped[date | None] = mapped_column(Date)
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    visit_warned_on: Mapped[date | None] = mapped_column(Date)
    """The due date whose overdue visit the sweep last warned about (once per overdue period)."""

    __table_args__ = (
        Index("ix_registry_person_tags_scope_tag", "scope_code", "tag_index"),
        Index("ix_registry_person_tags_due", "scope_code", "visit_due_on"),
    )


class Visit(Base):
    """走访/巡查 (E6): a worker's visit to a person, a household (house) or a unit, or a patrol."""

    __tablename__ = "registry_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="visit")
    """visit 走访, patrol 巡查."""
    person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("registry_houses.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("registry_units.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list] = mapped_column(JSONType, default=list)
    """Content hashes of the photos in the media store."""
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    """The case a need found on this visit became."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN), index=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonAccess(Base):
    """Who viewed, revealed, exported or reported a person's data, when and why (PIPL art. 45,
    a person's page shows it). Holds no personal data itself: the field's name, never its value."""

    __tablename__ = "registry_person_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id"), index=True)
    """None once the person has been deleted by retention (the entry stays, unlinked)."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(12))
    """view, reveal, export, report."""
    fields: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(24), default="")
    reason_text: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ImportRun(Base):
    """A register import run in the background (issue 15: progress for large files). Holds no
    personal data: the kind, who started it and where, its state and counts, and each bad row's
    line, column and reason (never the cell's value)."""

    __tablename__ = "registry_import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    scope_code: Mapped[str] = mapped_column(String(SCOPE_CODE_LEN), index=True)
    """The importer's jurisdiction when it started the run (who else may read the run)."""
    state: Mapped[str] = mapped_column(String(8), default="queued")
    """queued, running, done, failed."""
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    errors: Mapped[list] = mapped_column(JSONType, default=list)
    """Each bad row: ``{"line", "column", "reason"}``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
