"""Scope rules of the cogovernance tables (issue 18), registered in :data:`gridgov.authz.scope.RULES`, and
the cases each case partner sees (:data:`gridgov.authz.scope.PARTNER_CASES`).

Kept beside :mod:`gridgov.authz.scope` so that neither file outgrows the house's size; :mod:`gridgov.authz`
imports this module, so the rules are in place before any query runs. Partners (``PARTNER_ROLES``) see
only what was referred or assigned to them; departments see none of these tables unless a rule says so.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from gridgov.authz.principal import Principal
from gridgov.authz.scope import _nothing, department_of, rule, within
from gridgov.models.accounts import PARTNER_ROLES, Role
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.teams import (
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
)


@rule(CogovActivity)
def _cogov_activities(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The ledger is counted by the areas and grids inside the jurisdiction; departments and partners count none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, CogovActivity.area_code)


# ---------------------------------------------------------------- teams and projects (QZ§16, JS§23, JS§24)
#
# The agencies and grid staff see the teams and projects of their area or serving one of their grids, and
# the tasks of their grids; a team member only its own teams (the members' rows holding its account) and
# their tasks; a social organisation's staff only its organisation and its projects. Departments and the
# other partners see none of them.


def _outsider(p: Principal, role: Role) -> bool:
    return department_of(p) is not None or (p.role in PARTNER_ROLES and p.role != role)


def _my_teams(p: Principal):
    return select(TeamMember.team_id).where(TeamMember.user_id == p.user_id)


def _my_orgs(p: Principal):
    return select(SocialOrgAccount.org_id).where(SocialOrgAccount.user_id == p.user_id)


@rule(ServiceTeam)
def _teams(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    if _outsider(p, Role.TEAM_MEMBER):
        return _nothing()
    if p.role == Role.TEAM_MEMBER:
        return ServiceTeam.id.in_(_my_teams(p))
    covering = select(TeamGrid.team_id).where(within(p, TeamGrid.grid_code))
    return or_(within(p, ServiceTeam.area_code), ServiceTeam.id.in_(covering))


def _visible_teams(p: Principal):
    return select(ServiceTeam.id).where(_teams(p, False))


@rule(TeamGrid)
def _team_grids(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return TeamGrid.team_id.in_(_visible_teams(p))


@rule(TeamMember)
def _team_members(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return TeamMember.team_id.in_(_visible_teams(p))


@rule(TeamTask)
def _team_tasks(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A task is seen where its grid is (its team's member: by its team, wherever the grid)."""
    if _outsider(p, Role.TEAM_MEMBER):
        return _nothing()
    if p.role == Role.TEAM_MEMBER:
        return TeamTask.team_id.in_(_my_teams(p))
    return within(p, TeamTask.grid_code)


@rule(ServiceProject)
def _projects(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    if _outsider(p, Role.SOCIAL_ORG):
        return _nothing()
    if p.role == Role.SOCIAL_ORG:
        return ServiceProject.org_id.in_(_my_orgs(p))
    serving = select(ProjectGrid.project_id).where(within(p, ProjectGrid.grid_code))
    return or_(within(p, ServiceProject.area_code), ServiceProject.id.in_(serving))


def _visible_projects(p: Principal):
    return select(ServiceProject.id).where(_projects(p, False))


@rule(SocialOrg)
def _social_orgs(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Registered in the area, or running a project the principal sees."""
    if _outsider(p, Role.SOCIAL_ORG):
        return _nothing()
    if p.role == Role.SOCIAL_ORG:
        return SocialOrg.id.in_(_my_orgs(p))
    running = select(ServiceProject.org_id).where(_projects(p, False))
    return or_(within(p, SocialOrg.area_code), SocialOrg.id.in_(running))


@rule(SocialOrgAccount)
def _social_org_accounts(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return SocialOrgAccount.org_id.in_(select(SocialOrg.id).where(_social_orgs(p, False)))


@rule(ProjectGrid)
def _project_grids(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return ProjectGrid.project_id.in_(_visible_projects(p))


@rule(ProjectMilestone)
def _project_milestones(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return ProjectMilestone.project_id.in_(_visible_projects(p))


@rule(ProjectReport)
def _project_reports(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return ProjectReport.project_id.in_(_visible_projects(p))
