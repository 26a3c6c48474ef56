"""Mediation of disputes (矛盾纠纷调解, ZJ§17; issue 18): the register of mediation bodies and their
mediators, and the mediations of dispute cases with their parties, sessions and outcome.

A dispute case (大类 06 矛盾纠纷) accepted by an agency is passed to a body (``mediate``); the body's
mediators record sessions (``record_mediation``) and the outcome: an agreement closes the case
(``settle``), a failure returns it to the agency with where it went next (``mediation_failed``). Every
one of these is an action of the case's lifecycle (:mod:`gridgov.cases.mediation` writes these rows in
the action's transaction).

The parties' names, phones and ID numbers are personal data: sealed with the app's
:class:`gridgov.kit.crypto.FieldCipher` (``*_enc``), shown masked (``*_mask``); the full values only
through the audited reveal.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class BodyKind(enum.StrEnum):
    STATION = "station"
    COMMITTEE = "committee"
    CENTRE = "centre"
    OTHER = "other"


BODY_KIND_LABELS = {
    BodyKind.STATION: "调解站",
    BodyKind.COMMITTEE: "人民调解委员会",
    BodyKind.CENTRE: "矛盾纠纷调处化解中心",
    BodyKind.OTHER: "其他调解组织",
}


class NextRoute(enum.StrEnum):
    LITIGATION = "litigation"
    ARBITRATION = "arbitration"
    PETITION = "petition"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


NEXT_ROUTE_LABELS = {
    NextRoute.LITIGATION: "诉讼",
    NextRoute.ARBITRATION: "仲裁",
    NextRoute.PETITION: "信访",
    NextRoute.ADMINISTRATIVE: "行政处理",
    NextRoute.OTHER: "其他途径",
}


class MediationStatus(enum.StrEnum):
    OPEN = "open"
    SETTLED = "settled"
    FAILED = "failed"


STATUS_LABELS = {MediationStatus.OPEN: "调解中", MediationStatus.SETTLED: "达成协议",
                 MediationStatus.FAILED: "调解不成"}


class MediationBody(Base):
    """A mediation station, people's mediation committee or dispute resolution centre serving an area
    (a town or a community: every grid under ``area_code``)."""

    __tablename__ = "mediation_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")  # the body's public phone, not personal data
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MediationMember(Base):
    """A mediator's account linked to a body."""

    __tablename__ = "mediation_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("mediation_bodies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("body_id", "user_id", name="uq_mediation_members_body_user"),)


class Mediation(Base):
    """One passing of a dispute case to a body, open until its agreement or failure."""

    __tablename__ = "mediations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("mediation_bodies.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(17), index=True)  # the case's grid, for jurisdiction
    passed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    passed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=MediationStatus.OPEN)
    agreement: Mapped[str | None] = mapped_column(Text)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    next_route: Mapped[str | None] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (Index("ix_mediations_body_status", "body_id", "status"),)


class MediationParty(Base):
    """A party to the dispute: name, phone and ID number sealed, with their masks."""

    __tablename__ = "mediation_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediation_id: Mapped[int] = mapped_column(ForeignKey("mediations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_mask: Mapped[str] = mapped_column(String(40), default="")
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(24), default="")
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_mask: Mapped[str] = mapped_column(String(24), default="")


class MediationSession(Base):
    """A session of a mediation: when, where, which mediator, what happened."""

    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediation_id: Mapped[int] = mapped_column(ForeignKey("mediations.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
