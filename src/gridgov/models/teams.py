"""Special service teams and people's organisations (专项服务队 QZ§16; 工会、共青团、妇联 JS§23), and social
organisations with the service projects the government buys from them (JS§24): issue 18, requirement F5.

A team serves an area (a town, a community) and covers some of its grids (:class:`TeamGrid`); its members
(:class:`TeamMember`) may hold a ``team_member`` account (``user_id``); the agency assigns it tasks
(:class:`TeamTask`), and a member (or the agency) records the result. A task done counts once in the
activity ledger (``team_task``). A social organisation (:class:`SocialOrg`, its unified social credit code
checked) runs purchased projects (:class:`ServiceProject`) serving grids (:class:`ProjectGrid`), with
milestones and reports; its staff hold ``social_org`` accounts (:class:`SocialOrgAccount`). A report counts
once in the ledger (``project_report``). Phones are stored encrypted (``*_enc``) with a mask for lists.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import JSONType, UTCDateTime
from gridgov.models.base import Base


class ServiceTeam(Base):
    """A special service team or a people's organisation's group working in the grids of an area."""

    __tablename__ = "cogov_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # special | union | youth | women | other
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamGrid(Base):
    """A grid a team covers (inside its area)."""

    __tablename__ = "cogov_team_grids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("cogov_teams.id"), index=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)

    __table_args__ = (UniqueConstraint("team_id", "grid_code", name="uq_cogov_team_grids"),)


class TeamMember(Base):
    __tablename__ = "cogov_team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("cogov_teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    duty: Mapped[str] = mapped_column(String(50), default="")
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_mask: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_cogov_team_members_user"),)


class TeamTask(Base):
    """A task the agency assigns to a team in one grid: assigned → done | cancelled."""

    __tablename__ = "cogov_team_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("cogov_teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    photos: Mapped[list[str] | None] = mapped_column(JSONType)  # sha256 of the result's photos (the media store)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SocialOrg(Base):
    """A social organisation (社会组织) registered with the agency of an area."""

    __tablename__ = "cogov_social_orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SocialOrgAccount(Base):
    """A ``social_org`` account acting for an organisation."""

    __tablename__ = "cogov_social_org_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("cogov_social_orgs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)


class ServiceProject(Base):
    """A grid service project the agency of an area buys from a social organisation (JS§24)."""

    __tablename__ = "cogov_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("cogov_social_orgs.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    purchaser: Mapped[str] = mapped_column(String(100), default="")
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)  # planned | running | finished | terminated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProjectGrid(Base):
    __tablename__ = "cogov_project_grids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("cogov_projects.id"), index=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("project_id", "grid_code", name="uq_cogov_project_grids"),)


class ProjectMilestone(Base):
    __tablename__ = "cogov_project_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("cogov_projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)


class ProjectReport(Base):
    """A report on a project for a period, by the organisation's account or the agency."""

    __tablename__ = "cogov_project_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("cogov_projects.id"), index=True)
    period: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
