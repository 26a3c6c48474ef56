"""Deliberation (议事协商, ZJ§20; JS§9 item 8): a community matter talked over by the residents, with the
grid workers' help, until it is decided, and what the decision set going.

A topic (:class:`Deliberation`) is raised in a grid (``area_code`` of 15 digits) or in a village or
community (社区, 12 digits). Its participants (:class:`DeliberationParticipant`) are residents, their
representatives and officials, by name or only by a count: never an ID number. Names are residents'
personal data: lists show them masked; only the topic's own page shows them in full, and that view is
audited. Meetings (:class:`DeliberationMeeting`) carry their minutes and attachments, which are images
of the case photo store named by content hash (SHA-256). The decision lives on the topic; each case or
task it creates is a :class:`DeliberationFollowUp` linking back to it. ``publish`` (decided with the
decision) puts the outcome (topic, decision, date; no names) on the public board of the grid, or of
every grid of the community.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class Deliberation(Base):
    """One topic: raised, talked over at meetings, decided (or closed, or withdrawn)."""

    __tablename__ = "deliberations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    """The grid (15 digits) or the village/community (12 digits) whose matter it is."""
    topic: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    raised_by: Mapped[str] = mapped_column(String(100), default="")
    """Who raised it, as written (a resident, a group of residents, the committee…): masked in lists."""
    raised_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_method: Mapped[str] = mapped_column(String(100), default="")
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_abstain: Mapped[int | None] = mapped_column(Integer)
    publish: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliberationParticipant(Base):
    """Who took part: a named person, or a number of people of one kind (``name`` empty)."""

    __tablename__ = "deliberation_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(ForeignKey("deliberations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # resident | representative | official
    name: Mapped[str] = mapped_column(String(50), default="")
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    organisation: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliberationMeeting(Base):
    """One meeting: when, where, how many came, the minutes and the attachments (photo hashes)."""

    __tablename__ = "deliberation_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(ForeignKey("deliberations.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100))
    attendance: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSONType, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliberationFollowUp(Base):
    """A case (through the case intake) or a task (a work order of the instructions) the decision created."""

    __tablename__ = "deliberation_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(ForeignKey("deliberations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # case | task
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
