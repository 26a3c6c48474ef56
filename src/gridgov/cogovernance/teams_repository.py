"""Queries on teams, tasks, social organisations and projects, scoped through the door
(:mod:`gridgov.authz.scope`, rules in :mod:`gridgov.authz.scope_cogovernance`). The few that work for the
system (grids of rows already opened, names of the accounts that recorded them) say so by passing ``SYSTEM``."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped, starts_with
from gridgov.models import (
    ProjectGrid,
    ProjectMilestone,
    ProjectReport,
    ServiceProject,
    ServiceTeam,
    SocialOrg,
    SocialOrgAccount,
    TeamGrid,
    TeamMember,
    TeamTask,
    User,
)

LIMIT = 500


def list_teams(session: Session, me: Principal, *, kind: str | None = None) -> list[ServiceTeam]:
    stmt = scoped(select(ServiceTeam), me, ServiceTeam)
    if kind:
        stmt = stmt.where(ServiceTeam.kind == kind)
    return list(session.scalars(stmt.order_by(ServiceTeam.area_code, ServiceTeam.id).limit(LIMIT)))


def team_grids(session: Session, team_ids: Collection[int]) -> dict[int, list[str]]:
    """Team id → the grids it covers, for teams already opened through the door."""
    out: dict[int, list[str]] = {i: [] for i in team_ids}
    if team_ids:
        stmt = scoped(select(TeamGrid.team_id, TeamGrid.grid_code).where(TeamGrid.team_id.in_(list(team_ids))),
                      SYSTEM, TeamGrid)
        for team_id, code in session.execute(stmt.order_by(TeamGrid.grid_code)):
            out[team_id].append(code)
    return out


def member_counts(session: Session, team_ids: Collection[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    stmt = scoped(select(TeamMember.team_id, func.count()).where(TeamMember.team_id.in_(list(team_ids))),
                  SYSTEM, TeamMember).group_by(TeamMember.team_id)
    return dict(session.execute(stmt).all())


def open_task_counts(session: Session, team_ids: Collection[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    stmt = scoped(select(TeamTask.team_id, func.count()).where(TeamTask.team_id.in_(list(team_ids)),
                                                               TeamTask.status == "assigned"),
                  SYSTEM, TeamTask).group_by(TeamTask.team_id)
    return dict(session.execute(stmt).all())


def add_grids(session: Session, model, key: str, owner_id: int, codes: list[str]) -> None:
    for position, code in enumerate(codes):
        values = {key: owner_id, "grid_code": code}
        if model is ProjectGrid:
            values["position"] = position
        session.add(model(**values))


def members(session: Session, me: Principal, team_id: int) -> list[TeamMember]:
    stmt = scoped(select(TeamMember).where(TeamMember.team_id == team_id), me, TeamMember)
    return list(session.scalars(stmt.order_by(TeamMember.id)))


def member(session: Session, me: Principal, team_id: int, member_id: int) -> TeamMember | None:
    stmt = scoped(select(TeamMember).where(TeamMember.id == member_id, TeamMember.team_id == team_id), me, TeamMember)
    return session.scalar(stmt)


def member_of(session: Session, team_id: int, user_id: int) -> bool:
    """Whether the account is a member of the team (a team already opened through the door)."""
    stmt = scoped(select(TeamMember.id).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id),
                  SYSTEM, TeamMember)
    return session.scalar(stmt) is not None


def list_tasks(session: Session, me: Principal, *, team: int | None = None, status: str | None = None,
               grid: str | None = None) -> list[TeamTask]:
    stmt = scoped(select(TeamTask), me, TeamTask)
    if team:
        stmt = stmt.where(TeamTask.team_id == team)
    if status:
        stmt = stmt.where(TeamTask.status == status)
    if grid:
        stmt = stmt.where(starts_with(TeamTask.grid_code, grid))
    return list(session.scalars(stmt.order_by(TeamTask.due_on, TeamTask.id).limit(LIMIT)))


def team_names(session: Session, team_ids: Collection[int]) -> dict[int, str]:
    """Id → name of the teams of tasks already opened through the door (a grid's staff reads whose task it is)."""
    if not team_ids:
        return {}
    stmt = scoped(select(ServiceTeam.id, ServiceTeam.name).where(ServiceTeam.id.in_(list(team_ids))),
                  SYSTEM, ServiceTeam)
    return dict(session.execute(stmt).all())


def user_row(session: Session, me: Principal, user_id: int) -> User | None:
    return session.scalar(scoped(select(User).where(User.id == user_id), me, User))


def user_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    stmt = scoped(select(User.id, User.display_name).where(User.id.in_(ids)), SYSTEM, User)
    return dict(session.execute(stmt).all())


# ---------------------------------------------------------------- social organisations and projects


def list_orgs(session: Session, me: Principal) -> list[SocialOrg]:
    stmt = scoped(select(SocialOrg), me, SocialOrg)
    return list(session.scalars(stmt.order_by(SocialOrg.area_code, SocialOrg.id).limit(LIMIT)))


def org_by_code(session: Session, credit_code: str) -> SocialOrg | None:
    """An organisation already registered under the code, anywhere (the code is unique nationally)."""
    return session.scalar(scoped(select(SocialOrg).where(SocialOrg.credit_code == credit_code), SYSTEM, SocialOrg))


def org_accounts(session: Session, org_ids: Collection[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in org_ids}
    if org_ids:
        stmt = scoped(select(SocialOrgAccount.org_id, SocialOrgAccount.user_id)
                      .where(SocialOrgAccount.org_id.in_(list(org_ids))), SYSTEM, SocialOrgAccount)
        for org_id, user_id in session.execute(stmt.order_by(SocialOrgAccount.user_id)):
            out[org_id].append(user_id)
    return out


def account_taken(session: Session, user_id: int) -> bool:
    stmt = scoped(select(SocialOrgAccount.id).where(SocialOrgAccount.user_id == user_id), SYSTEM, SocialOrgAccount)
    return session.scalar(stmt) is not None


def is_org_account(session: Session, org_id: int, user_id: int) -> bool:
    stmt = scoped(select(SocialOrgAccount.id).where(SocialOrgAccount.org_id == org_id,
                                                    SocialOrgAccount.user_id == user_id), SYSTEM, SocialOrgAccount)
    return session.scalar(stmt) is not None


def project_counts(session: Session, me: Principal, org_ids: Collection[int]) -> dict[int, int]:
    if not org_ids:
        return {}
    stmt = scoped(select(ServiceProject.org_id, func.count()).where(ServiceProject.org_id.in_(list(org_ids))),
                  me, ServiceProject).group_by(ServiceProject.org_id)
    return dict(session.execute(stmt).all())


def list_projects(session: Session, me: Principal, *, status: str | None = None, org: int | None = None,
                  grid: str | None = None) -> list[ServiceProject]:
    stmt = scoped(select(ServiceProject), me, ServiceProject)
    if status:
        stmt = stmt.where(ServiceProject.status == status)
    if org:
        stmt = stmt.where(ServiceProject.org_id == org)
    if grid:
        serving = scoped(select(ProjectGrid.project_id).where(starts_with(ProjectGrid.grid_code, grid)),
                         me, ProjectGrid)
        stmt = stmt.where(ServiceProject.id.in_(serving))
    return list(session.scalars(stmt.order_by(ServiceProject.starts_on.desc(), ServiceProject.id).limit(LIMIT)))


def project_grids(session: Session, project_ids: Collection[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in project_ids}
    if project_ids:
        stmt = scoped(select(ProjectGrid.project_id, ProjectGrid.grid_code)
                      .where(ProjectGrid.project_id.in_(list(project_ids))), SYSTEM, ProjectGrid)
        for project_id, code in session.execute(stmt.order_by(ProjectGrid.position, ProjectGrid.id)):
            out[project_id].append(code)
    return out


def org_names(session: Session, org_ids: Collection[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    stmt = scoped(select(SocialOrg.id, SocialOrg.name).where(SocialOrg.id.in_(list(org_ids))), SYSTEM, SocialOrg)
    return dict(session.execute(stmt).all())


def milestones(session: Session, project_ids: Collection[int]) -> dict[int, list[ProjectMilestone]]:
    out: dict[int, list[ProjectMilestone]] = {i: [] for i in project_ids}
    if project_ids:
        stmt = scoped(select(ProjectMilestone).where(ProjectMilestone.project_id.in_(list(project_ids))),
                      SYSTEM, ProjectMilestone)
        for row in session.scalars(stmt.order_by(ProjectMilestone.due_on, ProjectMilestone.id)):
            out[row.project_id].append(row)
    return out


def milestone(session: Session, me: Principal, project_id: int, milestone_id: int) -> ProjectMilestone | None:
    stmt = scoped(select(ProjectMilestone).where(ProjectMilestone.id == milestone_id,
                                                 ProjectMilestone.project_id == project_id), me, ProjectMilestone)
    return session.scalar(stmt)


def report_counts(session: Session, project_ids: Collection[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    stmt = scoped(select(ProjectReport.project_id, func.count()).where(ProjectReport.project_id.in_(list(project_ids))),
                  SYSTEM, ProjectReport).group_by(ProjectReport.project_id)
    return dict(session.execute(stmt).all())


def reports(session: Session, me: Principal, project_id: int) -> list[ProjectReport]:
    stmt = scoped(select(ProjectReport).where(ProjectReport.project_id == project_id), me, ProjectReport)
    return list(session.scalars(stmt.order_by(ProjectReport.reported_on.desc(), ProjectReport.id.desc())))


def user_by_username(session: Session, username: str) -> User | None:
    """An account by its name, for the demo builder linking its demo accounts."""
    return session.scalar(scoped(select(User).where(User.username == username), SYSTEM, User))


def team_named(session: Session, area_code: str, name: str) -> ServiceTeam | None:
    stmt = scoped(select(ServiceTeam).where(ServiceTeam.area_code == area_code, ServiceTeam.name == name),
                  SYSTEM, ServiceTeam)
    return session.scalar(stmt)


def task_with_photo(session: Session, me: Principal, sha256: str) -> bool:
    """Whether a task the principal sees carries this photo (``sha256``: 64 hex digits, checked by the caller,
    so the pattern holds no wildcard)."""
    stmt = scoped(select(TeamTask.id).where(cast(TeamTask.photos, String).like(f"%{sha256}%")).limit(1), me, TeamTask)
    return session.scalar(stmt) is not None
