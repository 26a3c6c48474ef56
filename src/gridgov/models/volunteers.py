"""Volunteers and informants (共建共治, issue 18; ZJ§9, ZJ§23, JM§10): the register of volunteer
organisations and people, and the reports they make through the resident channel.

A :class:`VolunteerOrg` is a volunteer team, a property company, a courier company, a delivery
platform or another body whose people serve the grids; its ``contact`` is the public one (a hotline or
an office phone), never a person's. A :class:`Volunteer` is one person (a volunteer, a micro-grid
liaison, a building head, a courier, a delivery rider, property staff) attached to a micro-grid or a
grid (``place_code``; ``grid_code`` is that grid). The phone is encrypted at rest with the
deployment's FieldCipher; ``phone_index`` is the same keyed blind index as the resident channel's
(:func:`gridgov.public.report.phone_index`), so a report made from that phone is recognised without
decrypting anything; lists show ``phone_mask``. A micro-grid has one active liaison at most (the
partial unique index backs the service's 409).

An :class:`InformantReport` is written by the resident channel in the transaction of the report when
the phone it proved belongs to an active registered person: it names the person and the case.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class OrgKind(enum.StrEnum):
    VOLUNTEER_TEAM = "volunteer_team"
    PROPERTY = "property"
    COURIER = "courier"
    DELIVERY = "delivery"
    OTHER = "other"


ORG_KIND_LABELS = {
    OrgKind.VOLUNTEER_TEAM: "志愿服务队",
    OrgKind.PROPERTY: "物业",
    OrgKind.COURIER: "快递",
    OrgKind.DELIVERY: "外卖平台",
    OrgKind.OTHER: "其他",
}


class VolunteerKind(enum.StrEnum):
    VOLUNTEER = "volunteer"
    LIAISON = "liaison"
    BUILDING_HEAD = "building_head"
    COURIER = "courier"
    RIDER = "rider"
    PROPERTY_STAFF = "property_staff"


VOLUNTEER_KIND_LABELS = {
    VolunteerKind.VOLUNTEER: "志愿者",
    VolunteerKind.LIAISON: "微网格联络员",
    VolunteerKind.BUILDING_HEAD: "楼栋长",
    VolunteerKind.COURIER: "快递员",
    VolunteerKind.RIDER: "外卖骑手",
    VolunteerKind.PROPERTY_STAFF: "物业人员",
}


class VolunteerOrg(Base):
    __tablename__ = "volunteer_orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    contact: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_orgs.id"), index=True)
    place_code: Mapped[str] = mapped_column(String(17), index=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    micro_grid_code: Mapped[str | None] = mapped_column(String(17))
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("uq_volunteers_one_liaison", "micro_grid_code", unique=True,
              sqlite_where=text("kind = 'liaison' AND active"),
              postgresql_where=text("kind = 'liaison' AND active")),
    )


class InformantReport(Base):
    __tablename__ = "informant_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
