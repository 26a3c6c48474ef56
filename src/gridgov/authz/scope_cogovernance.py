"""Scope rules of the cogovernance tables (issue 18), registered in :data:`gridgov.authz.scope.RULES`, and
the cases each case partner sees (:data:`gridgov.authz.scope.PARTNER_CASES`).

Kept beside :mod:`gridgov.authz.scope` so that neither file outgrows the house's size; :mod:`gridgov.authz`
imports this module, so the rules are in place before any query runs. Partners (``PARTNER_ROLES``) see
only what was referred or assigned to them; departments see none of these tables unless a rule says so.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import aliased

from gridgov.authz.principal import Principal
from gridgov.authz.scope import PARTNER_CASES, _cases, _nothing, _within_or_above, department_of, rule, within
from gridgov.models import Case
from gridgov.models.accounts import PARTNER_ROLES, Role
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.deliberation import Deliberation
from gridgov.models.legal import LegalProfessional, LegalReferral, LegalSchedule, LegalVisit
from gridgov.models.mediation import Mediation, MediationBody, MediationMember, MediationParty, MediationSession
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
from gridgov.models.volunteers import InformantReport, Volunteer, VolunteerOrg


@rule(CogovActivity)
def _cogov_activities(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The ledger is counted by the areas and grids inside the jurisdiction; departments and partners count none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, CogovActivity.area_code)


# ---------------------------------------------------------------- legal professionals in the grids (法律进网格)


def _own_professional(p: Principal, column) -> ColumnElement[bool]:
    """Rows of the professional whose account is the principal's (an alias: the query may join the table)."""
    own = aliased(LegalProfessional)
    return exists().where(own.id == column, own.user_id == p.user_id) if p.user_id else _nothing()


@rule(LegalProfessional)
def _legal_professionals(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A lawyer its own record; departments and other partners none. Staff: those registered in the
    jurisdiction (what its agency keeps), and with ``ancestors`` also those serving a grid or an area of
    it or above it (a county's judge in a town's grids)."""
    if p.role == Role.LEGAL_PROFESSIONAL:
        return LegalProfessional.user_id == p.user_id if p.user_id else _nothing()
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    own = within(p, LegalProfessional.area_code)
    if not ancestors:
        return own
    return or_(own, exists().where(LegalSchedule.professional_id == LegalProfessional.id,
                                   _within_or_above(p, LegalSchedule.area_code)))


@rule(LegalSchedule)
def _legal_schedules(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Attachments to a grid or an area inside the jurisdiction (with ``ancestors`` also above it, which
    serve the jurisdiction's grids too); a lawyer its own."""
    if p.role == Role.LEGAL_PROFESSIONAL:
        return _own_professional(p, LegalSchedule.professional_id)
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return _within_or_above(p, LegalSchedule.area_code) if ancestors else within(p, LegalSchedule.area_code)


@rule(LegalVisit)
def _legal_visits(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Visits to the jurisdiction's grids; a lawyer its own."""
    if p.role == Role.LEGAL_PROFESSIONAL:
        return _own_professional(p, LegalVisit.professional_id)
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, LegalVisit.grid_code)


@rule(LegalReferral)
def _legal_referrals(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A referral is seen by whoever sees its case; a lawyer sees those made to it."""
    if p.role == Role.LEGAL_PROFESSIONAL:
        return _own_professional(p, LegalReferral.professional_id)
    if p.role in PARTNER_ROLES:
        return _nothing()
    return exists().where(Case.id == LegalReferral.case_id, _cases(p, False))


def _referred_cases(p: Principal) -> ColumnElement[bool]:
    """The cases referred to the lawyer (an active professional whose account is the principal's)."""
    referral, own = aliased(LegalReferral), aliased(LegalProfessional)
    return exists().where(referral.case_id == Case.id, referral.professional_id == own.id,
                          own.user_id == p.user_id, own.active.is_(True))


PARTNER_CASES[Role.LEGAL_PROFESSIONAL] = _referred_cases


@rule(Deliberation)
def _deliberations(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Deliberations (议事协商) by the grid or community they belong to, inside the jurisdiction; departments
    and partners see none (their roles hold neither cogovernance.read nor deliberation.write anyway)."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, Deliberation.area_code)


# ---------------------------------------------------------------- mediation (ZJ§17)


def _member_of(p: Principal, body_id) -> ColumnElement[bool]:
    """The principal is a mediator of the body ``body_id`` (a column) names."""
    return exists().where(MediationMember.body_id == body_id, MediationMember.user_id == p.user_id)


def _mediator_cases(p: Principal) -> ColumnElement[bool]:
    """A mediator sees the cases mediated, or being mediated, at its bodies."""
    return exists().where(Mediation.case_id == Case.id, _member_of(p, Mediation.body_id))


PARTNER_CASES[Role.MEDIATOR] = _mediator_cases


@rule(MediationBody)
def _mediation_bodies(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Staff see the bodies of the areas inside the jurisdiction (with ``ancestors``, also those of the areas
    above it, which serve its places too); a mediator the bodies it belongs to; departments and other
    partners none."""
    if p.role == Role.MEDIATOR:
        return _member_of(p, MediationBody.id) if p.user_id else _nothing()
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return _within_or_above(p, MediationBody.area_code) if ancestors else within(p, MediationBody.area_code)


@rule(MediationMember)
def _mediation_members(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The members of the bodies the principal sees."""
    return exists().where(MediationBody.id == MediationMember.body_id, _mediation_bodies(p, ancestors))


@rule(Mediation)
def _mediations(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Staff see the mediations of the cases' grids inside the jurisdiction; a mediator those at its bodies;
    departments and other partners none."""
    if p.role == Role.MEDIATOR:
        return _member_of(p, Mediation.body_id) if p.user_id else _nothing()
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, Mediation.grid_code)


def _of_mediation(model: type) -> None:
    def rule_for(p: Principal, ancestors: bool) -> ColumnElement[bool]:
        return exists().where(Mediation.id == model.mediation_id, _mediations(p, ancestors))

    rule_for.__doc__ = f"""{model.__name__}: seen with its mediation."""
    rule(model)(rule_for)


for _model in (MediationParty, MediationSession):
    _of_mediation(_model)


# ---------------------------------------------------------------- volunteers and informants (ZJ§9, ZJ§23, JM§10)


@rule(VolunteerOrg)
def _volunteer_orgs(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Organisations serving an area inside the jurisdiction (with ``ancestors``, also those serving an
    area above it: the organisation a grid's volunteer belongs to); departments and partners see none."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return _within_or_above(p, VolunteerOrg.area_code) if ancestors else within(p, VolunteerOrg.area_code)


@rule(Volunteer)
def _volunteers(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """People attached to a grid or micro-grid inside the jurisdiction."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, Volunteer.place_code)


@rule(InformantReport)
def _informant_reports(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Informants' reports of the grids inside the jurisdiction."""
    if department_of(p) is not None or p.role in PARTNER_ROLES:
        return _nothing()
    return within(p, InformantReport.grid_code)


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
