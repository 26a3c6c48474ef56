"""Users, the role each acts in, linkage departments and the audit log.

A user acts in one role at one place (``scope_code``: an area, grid or micro-grid code); everything
it may see lies under that code. Department staff also name their department. The audit log is
append-only: the migration installs triggers that refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
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


class Role(enum.StrEnum):
    AGENCY_ADMIN = "agency_admin"
    AGENCY_DISPATCHER = "agency_dispatcher"
    DEPT_RECEIVER = "dept_receiver"
    DEPT_HANDLER = "dept_handler"
    INSTRUCTOR = "instructor"
    CHIEF_LEADER = "chief_leader"
    LEADER = "leader"
    FULLTIME = "fulltime"
    PARTTIME = "parttime"
    PROFESSIONAL = "professional"
    LIAISON = "liaison"
    VOLUNTEER = "volunteer"
    AUDITOR = "auditor"
    SECURITY_ADMIN = "security_admin"
    SYSADMIN = "sysadmin"
    HOTLINE_CLIENT = "hotline_client"
    DEPARTMENT_CLIENT = "department_client"
    OPEN311_CLIENT = "open311_client"
    LEGAL_PROFESSIONAL = "legal_professional"
    MEDIATOR = "mediator"
    TEAM_MEMBER = "team_member"
    SOCIAL_ORG = "social_org"


ROLE_LABELS = {
    Role.AGENCY_ADMIN: "网格化机构管理员",
    Role.AGENCY_DISPATCHER: "网格化机构调度员",
    Role.DEPT_RECEIVER: "联动部门受理员",
    Role.DEPT_HANDLER: "联动部门办理人",
    Role.INSTRUCTOR: "网格指导员",
    Role.CHIEF_LEADER: "总网格长",
    Role.LEADER: "网格长",
    Role.FULLTIME: "专职网格员",
    Role.PARTTIME: "兼职网格员",
    Role.PROFESSIONAL: "专业网格员",
    Role.LIAISON: "微网格联络员",
    Role.VOLUNTEER: "微网格志愿者",
    Role.AUDITOR: "审计员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.SYSADMIN: "系统管理员",
    Role.HOTLINE_CLIENT: "热线系统接口",
    Role.DEPARTMENT_CLIENT: "部门系统接口",
    Role.OPEN311_CLIENT: "Open311 接口",
    Role.LEGAL_PROFESSIONAL: "法律服务人员",
    Role.MEDIATOR: "人民调解员",
    Role.TEAM_MEMBER: "专项服务队队员",
    Role.SOCIAL_ORG: "社会组织人员",
}
_LABEL_OF_VALUE = {str(role.value): label for role, label in ROLE_LABELS.items()}


def role_label(role: str) -> str:
    """The Chinese name of a stored role value; the value itself if it names no role."""
    return _LABEL_OF_VALUE.get(role, role)


# ---------------------------------------------------------------------------------------------
# Role groups. Every module that asks "is this role one of ..." imports a group from here; none
# spells a set of roles of its own (tests/system/test_role_groups.py keeps it so). Where two meanings
# exist, each has its own name (AGENCY_ROLES, AGENCY_OR_SYSADMIN_ROLES).

GRID_WORKER_ROLES = frozenset({Role.LEADER, Role.FULLTIME, Role.PARTTIME, Role.PROFESSIONAL})
"""Workers of one grid who take part in casework (report, handle, solve on site)."""

MICRO_GRID_ROLES = frozenset({Role.LIAISON, Role.VOLUNTEER})
"""Roles that serve one micro-grid (微网格): their scope is that micro-grid's code."""

GRID_ROLES = GRID_WORKER_ROLES | MICRO_GRID_ROLES
"""Roles that serve one grid (or micro-grid): their scope is that grid's code."""

AREA_STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.CHIEF_LEADER})
"""Staff posts that serve a village or town (an area), not one grid."""

STAFF_POST_ROLES = AREA_STAFF_ROLES | GRID_ROLES
"""The posts a staff member (网格工作力量) may hold: the policy profile's role vocabulary."""

AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_DISPATCHER})
"""The staff of a grid agency (网格化机构): the parties to a case on the agency's side."""

AGENCY_OR_SYSADMIN_ROLES = AGENCY_ROLES | {Role.SYSADMIN}
"""Agency staff or the system administrator: who may keep an area's lists (catalogue applications
and filings), where the system administrator stands in for an agency."""

DEPARTMENT_ROLES = frozenset({Role.DEPT_RECEIVER, Role.DEPT_HANDLER, Role.DEPARTMENT_CLIENT})
"""The staff of a linkage department (联动部门), and its own system through the API: they name their
department."""

RECEIVER_ROLES = frozenset({Role.DEPT_RECEIVER, Role.DEPARTMENT_CLIENT})
"""Who signs for or returns a department's case: its receiver (受理员), or its system (issue 17)."""

CLIENT_ROLES = frozenset({Role.HOTLINE_CLIENT, Role.DEPARTMENT_CLIENT, Role.OPEN311_CLIENT})
"""The service accounts of other systems (API clients, :mod:`gridgov.models.interop`): made only by
``gridgov clients create``, never by a user administrator, and never logging in."""

HANDOVER_CLIENT_ROLES = frozenset({Role.HOTLINE_CLIENT, Role.OPEN311_CLIENT})
"""Clients that hand cases over (the hotline, Open311 apps): they register cases for the callers and
residents who came to them (never with a worker's sources), and see only the cases they created."""

CLIENT_ROLE_OF_KIND = {"hotline": Role.HOTLINE_CLIENT, "department": Role.DEPARTMENT_CLIENT,
                       "open311": Role.OPEN311_CLIENT}
"""The role of an API client of each kind."""

PARTNER_ROLES = frozenset({Role.LEGAL_PROFESSIONAL, Role.MEDIATOR, Role.TEAM_MEMBER, Role.SOCIAL_ORG})
"""The people who work with the grids from outside the agencies and departments (共建共治, issue 18):
judges, prosecutors, police officers, lawyers and petition officers in the grids (ZJ§23, JS§22, QZ§17),
mediators of a mediation station or committee (ZJ§17), members of a special service team or a people's
organisation (QZ§16, JS§23) and the staff of a social organisation running a service project (JS§24).
Each holds a narrow role: it sees only what was referred or assigned to it (:mod:`gridgov.cogovernance`)."""

CASE_PARTNER_ROLES = frozenset({Role.LEGAL_PROFESSIONAL, Role.MEDIATOR})
"""Partners who act on cases: a legal professional on the cases referred to it (``refer_legal``), a
mediator on the disputes passed to its mediation body (``mediate``). They see those cases and no other."""

TERRITORY_ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SYSADMIN})
"""Administrators of a territory: they land on its summary (``/``), which is what they administer."""

NON_PARTY_ROLES = frozenset({Role.AUDITOR, Role.SYSADMIN})
"""Roles that oversee but are never a party to a case (they neither report nor confirm)."""

SECURITY_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})
"""Separation of duties (等保 三员): these accounts are created and changed only by a security
administrator (permission ``users.security``) or by the system itself (the CLI, the demo builder),
never by a system or agency administrator."""

FIRST_ADMIN_ROLES = (Role.SECURITY_ADMIN, Role.SYSADMIN, Role.AUDITOR)
"""The three administrators (三员) a real instance starts with (``gridgov setup``), in the order their
passwords are read: the security administrator manages auditors and security administrators, the
system administrator the rest, the auditor reads the logs."""

TWO_FACTOR_ROLES = frozenset({Role.SYSADMIN, Role.AGENCY_ADMIN, Role.SECURITY_ADMIN})
"""Administrative roles that must log in with a second factor (TOTP) when ``GRIDGOV_REQUIRE_2FA=1``:
the system administrator, the agency administrator and the security administrator (安全管理员,
``security_admin``)."""


class Department(Base):
    """A linkage department (网格化联动部门) of one level of government, e.g. 京口区城市管理局."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("area_code", "kind", name="uq_departments_area_kind"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    scope_code: Mapped[str] = mapped_column(String(17), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Two-factor login (TOTP, RFC 6238). The secret is sealed with the app's FieldCipher; it is set
    # when enrolment starts and counts only once ``totp_enabled_at`` is set (after a code confirmed
    # it). ``totp_last_step`` is the time step of the last accepted code: a code is never accepted
    # twice. Recovery codes are kept as keyed hashes, each removed when used.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSONType)


class AuditEntry(Base):
    """One thing that happened: a login, a denial, an administrative change with before and after.

    ``area_code`` is where it happened (for scoping what an auditor of a county sees). Personal data
    never goes in here in plain text: callers pass masked values.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(32), default="")
    role: Mapped[str] = mapped_column(String(24), default="")
    action: Mapped[str] = mapped_column(String(48), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    area_code: Mapped[str] = mapped_column(String(17), default="", index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    # Login throttling counts an address's recent failures here (see accounts.login).
    __table_args__ = (Index("ix_audit_log_ip_at", "ip", "at"),)
