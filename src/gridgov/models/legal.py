"""Legal professionals in the grids (法律进网格, issue 18: ZJ§23, JS§22, QZ§17).

- ``legal_professionals``: a judge, prosecutor, police officer, lawyer, petition officer, member of a
  people's mediation committee or legal educator who serves grids; ``public_phone`` is the office phone
  the public board shows (nothing personal is kept here); ``area_code`` the area it belongs to (its
  register is kept by that area's agency); ``user_id`` the ``legal_professional`` account it uses, if any.
- ``legal_schedules``: its attachment to a grid (15 digits) or a town (12 digits) with when it comes:
  ``rule`` monthly (the ``nth`` ``weekday`` of the month; ``nth`` -1 is the last), weekly (every
  ``weekday``) or dates (``dates``: ISO dates, comma separated); hours and place are text; in force
  from ``valid_from`` to ``valid_to`` (inclusive, open when None).
- ``legal_visits``: a visit to a grid on a day, what was done there (``services``: codes, comma
  separated) and how many people were served; each writes one line of the activity ledger.
- ``legal_referrals``: a case referred to a professional (the case action ``refer_legal``), the question
  and the opinion (``legal_opinion``); the case's file records both steps.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class LegalKind(enum.StrEnum):
    COURT = "court"
    PROCURATORATE = "procuratorate"
    POLICE = "police"
    LAW_FIRM = "law_firm"
    PETITION = "petition"
    MEDIATION_COMMITTEE = "mediation_committee"
    LEGAL_EDUCATION = "legal_education"


LEGAL_KIND_LABELS = {
    LegalKind.COURT: "法院",
    LegalKind.PROCURATORATE: "检察院",
    LegalKind.POLICE: "公安",
    LegalKind.LAW_FIRM: "律师事务所",
    LegalKind.PETITION: "信访",
    LegalKind.MEDIATION_COMMITTEE: "人民调解委员会",
    LegalKind.LEGAL_EDUCATION: "普法",
}


class LegalService(enum.StrEnum):
    EDUCATION = "education"
    CONSULTATION = "consultation"
    SCREENING = "screening"
    SERVICE_OF_DOCUMENTS = "documents"


LEGAL_SERVICE_LABELS = {
    LegalService.EDUCATION: "法治宣传",
    LegalService.CONSULTATION: "法律咨询",
    LegalService.SCREENING: "矛盾排查",
    LegalService.SERVICE_OF_DOCUMENTS: "文书送达",
}


class ScheduleRule(enum.StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DATES = "dates"


class LegalProfessional(Base):
    __tablename__ = "legal_professionals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(24))
    institution: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(50), default="")
    public_phone: Mapped[str] = mapped_column(String(30), default="")
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LegalSchedule(Base):
    __tablename__ = "legal_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("legal_professionals.id"), index=True)
    area_code: Mapped[str] = mapped_column(String(15), index=True)
    rule: Mapped[str] = mapped_column(String(8))
    weekday: Mapped[int | None] = mapped_column(SmallInteger)
    nth: Mapped[int | None] = mapped_column(SmallInteger)
    dates: Mapped[str] = mapped_column(String(1000), default="")
    hours: Mapped[str] = mapped_column(String(50), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LegalVisit(Base):
    __tablename__ = "legal_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("legal_professionals.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    services: Mapped[str] = mapped_column(String(100))
    people_served: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LegalReferral(Base):
    __tablename__ = "legal_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("legal_professionals.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    opinion: Mapped[str | None] = mapped_column(Text)
    referred_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
