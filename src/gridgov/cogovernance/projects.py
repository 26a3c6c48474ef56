"""Social organisations and the grid service projects bought from them (JS§24; F5).

The agency of an area (``cogovernance.manage``) registers an organisation (its unified social credit code
checked, GB 32100-2015) with the ``social_org`` accounts that act for it, and the project it buys: the
purchasing area and body, the amount, the period, the grids it serves and its status, with milestones.
The organisation's accounts (``cogovernance.take_part``) see their organisation's projects only, mark a
milestone done and submit reports; the agency may too. A report counts once in the activity ledger
(``project_report``: the project's first grid, or its area when it names none; the day of the report).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible
from gridgov.cogovernance import ledger
from gridgov.cogovernance import teams_repository as repo
from gridgov.cogovernance import teams_rules as rules
from gridgov.cogovernance.teams import check_area, check_grids, may_view
from gridgov.cogovernance.teams_schemas import (
    MilestoneCreate,
    MilestoneDone,
    MilestoneRead,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    ReportCreate,
    ReportRead,
    SocialOrgCreate,
    SocialOrgRead,
)
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.models import (
    ProjectGrid,
    ProjectMilestone,
    ProjectReport,
    ServiceProject,
    SocialOrg,
    SocialOrgAccount,
)
from gridgov.models.accounts import Role
from gridgov.models.cogovernance import ActivityKind

register_labels({
    "social_org_created": "登记社会组织",
    "project_created": "登记服务项目",
    "project_status_changed": "变更服务项目状态",
    "project_milestone_added": "新增项目节点",
    "project_milestone_done": "项目节点完成",
    "project_report_submitted": "提交项目报告",
})

ORG_MISSING = "社会组织 {} 不存在"
PROJECT_MISSING = "服务项目 {} 不存在"


# ---------------------------------------------------------------- organisations


def org_reads(session: Session, me: Principal, orgs: list[SocialOrg]) -> list[SocialOrgRead]:
    ids = [o.id for o in orgs]
    accounts, counts = repo.org_accounts(session, ids), repo.project_counts(session, me, ids)
    return [SocialOrgRead(id=o.id, name=o.name, credit_code=o.credit_code, area_code=o.area_code, contact=o.contact,
                          user_ids=accounts[o.id], project_count=counts.get(o.id, 0)) for o in orgs]


def list_orgs(session: Session, me: Principal) -> list[SocialOrgRead]:
    may_view(me)
    return org_reads(session, me, repo.list_orgs(session, me))


def _org(session: Session, me: Principal, org_id: int) -> SocialOrg:
    org = get_visible(session, me, SocialOrg, org_id)
    if org is None:
        raise NotFound(ORG_MISSING.format(org_id))
    return org


def get_org(session: Session, me: Principal, org_id: int) -> SocialOrgRead:
    may_view(me)
    return org_reads(session, me, [_org(session, me, org_id)])[0]


def create_org(session: Session, me: Principal, data: SocialOrgCreate, *, now: datetime) -> SocialOrg:
    problem = rules.credit_code_problem(data.credit_code)
    if problem:
        raise Invalid(problem)
    code = rules.compact_credit_code(data.credit_code)
    check_area(session, me, data.area_code)
    if repo.org_by_code(session, code) is not None:
        raise Conflict(f"统一社会信用代码 {code} 已登记")
    users = []
    for user_id in dict.fromkeys(data.user_ids):
        user = repo.user_row(session, me, user_id)
        if user is None:
            raise NotFound(f"账号 {user_id} 不存在")
        if user.role != Role.SOCIAL_ORG:
            raise Invalid(f"账号 {user.username} 不是社会组织人员账号")
        if repo.account_taken(session, user.id):
            raise Conflict(f"账号 {user.username} 已关联其他社会组织")
        users.append(user)
    org = SocialOrg(name=data.name, credit_code=code, area_code=data.area_code, contact=data.contact, created_at=now)
    session.add(org)
    session.flush()
    for user in users:
        session.add(SocialOrgAccount(org_id=org.id, user_id=user.id))
    record(session, actor=me, action="social_org_created", now=now, object_type="social_org", object_id=org.id,
           area_code=org.area_code, detail=f"{org.name}（{code}）")
    session.flush()
    return org


# ---------------------------------------------------------------- projects


def project_reads(session: Session, projects: list[ServiceProject]) -> list[ProjectRead]:
    ids = [p.id for p in projects]
    grids, stones = repo.project_grids(session, ids), repo.milestones(session, ids)
    names, counts = repo.org_names(session, {p.org_id for p in projects}), repo.report_counts(session, ids)
    return [ProjectRead(id=p.id, org_id=p.org_id, org_name=names.get(p.org_id, ""), title=p.title,
                        area_code=p.area_code, purchaser=p.purchaser, amount=p.amount, starts_on=p.starts_on,
                        ends_on=p.ends_on, grid_codes=grids[p.id], status=p.status,
                        status_label=rules.PROJECT_STATUSES.get(p.status, p.status),
                        milestones=[MilestoneRead(id=m.id, title=m.title, due_on=m.due_on, done_on=m.done_on)
                                    for m in stones[p.id]],
                        report_count=counts.get(p.id, 0)) for p in projects]


def list_projects(session: Session, me: Principal, *, status: str | None = None, org: int | None = None,
                  grid: str | None = None) -> list[ProjectRead]:
    may_view(me)
    if status and status not in rules.PROJECT_STATUSES:
        raise Invalid("状态应为：" + "、".join(f"{k}（{v}）" for k, v in rules.PROJECT_STATUSES.items()))
    if grid and not grid.isdigit():
        raise Invalid("网格编码应为数字")
    return project_reads(session, repo.list_projects(session, me, status=status, org=org, grid=grid))


def _project(session: Session, me: Principal, project_id: int, *, for_update: bool = False) -> ServiceProject:
    project = get_visible(session, me, ServiceProject, project_id, for_update=for_update)
    if project is None:
        raise NotFound(PROJECT_MISSING.format(project_id))
    return project


def get_project(session: Session, me: Principal, project_id: int) -> ProjectRead:
    may_view(me)
    return project_reads(session, [_project(session, me, project_id)])[0]


def _managing(me: Principal, project: ServiceProject) -> None:
    if not me.can(Permission.COGOVERNANCE_MANAGE) or not me.covers(project.area_code):
        raise Forbidden("只有购买服务的区域的网格化治理机构才能管理该项目")


def _acting(session: Session, me: Principal, project: ServiceProject) -> None:
    """The organisation's own account, or the agency managing the project."""
    if me.role == Role.SOCIAL_ORG:
        if not repo.is_org_account(session, project.org_id, me.user_id):
            raise NotFound(PROJECT_MISSING.format(project.id))
        return
    _managing(me, project)


def create_project(session: Session, me: Principal, data: ProjectCreate, *, now: datetime) -> ServiceProject:
    org = _org(session, me, data.org_id)
    check_area(session, me, data.area_code)
    problem = rules.period_problem(data.starts_on, data.ends_on)
    if problem:
        raise Invalid(problem)
    grids = check_grids(session, me, data.area_code, data.grid_codes)
    project = ServiceProject(org_id=org.id, title=data.title, area_code=data.area_code, purchaser=data.purchaser,
                             amount=data.amount, starts_on=data.starts_on, ends_on=data.ends_on, status=data.status,
                             created_at=now)
    session.add(project)
    session.flush()
    repo.add_grids(session, ProjectGrid, "project_id", project.id, grids)
    record(session, actor=me, action="project_created", now=now, object_type="project", object_id=project.id,
           area_code=project.area_code, detail=f"{org.name}：{project.title}")
    session.flush()
    return project


def update_project(session: Session, me: Principal, project_id: int, data: ProjectUpdate, *,
                   now: datetime) -> ServiceProject:
    project = _project(session, me, project_id, for_update=True)
    _managing(me, project)
    before = project.status
    project.status = data.status
    record(session, actor=me, action="project_status_changed", now=now, object_type="project", object_id=project.id,
           area_code=project.area_code, before={"status": before}, after={"status": data.status})
    session.flush()
    return project


def add_milestone(session: Session, me: Principal, project_id: int, data: MilestoneCreate, *,
                  now: datetime) -> ServiceProject:
    project = _project(session, me, project_id)
    _managing(me, project)
    session.add(ProjectMilestone(project_id=project.id, title=data.title, due_on=data.due_on))
    record(session, actor=me, action="project_milestone_added", now=now, object_type="project",
           object_id=project.id, area_code=project.area_code, detail=data.title)
    session.flush()
    return project


def milestone_done(session: Session, me: Principal, project_id: int, milestone_id: int, data: MilestoneDone, *,
                   now: datetime) -> ServiceProject:
    project = _project(session, me, project_id)
    _acting(session, me, project)
    stone = repo.milestone(session, me, project.id, milestone_id)
    if stone is None:
        raise NotFound(f"项目节点 {milestone_id} 不存在")
    if stone.done_on is not None:
        raise Conflict("该节点已经完成")
    done_on = data.done_on or local(now).date()
    if done_on > local(now).date():
        raise Invalid("完成日期不能晚于今天")
    stone.done_on = done_on
    record(session, actor=me, action="project_milestone_done", now=now, object_type="project",
           object_id=project.id, area_code=project.area_code, detail=stone.title)
    session.flush()
    return project


# ---------------------------------------------------------------- reports


def report_reads(session: Session, rows: list[ProjectReport]) -> list[ReportRead]:
    names = repo.user_names(session, {r.submitted_by for r in rows if r.submitted_by})
    return [ReportRead(id=r.id, project_id=r.project_id, period=r.period, text=r.text, reported_on=r.reported_on,
                       submitted_by=names.get(r.submitted_by or 0, ""), created_at=r.created_at) for r in rows]


def list_reports(session: Session, me: Principal, project_id: int) -> list[ReportRead]:
    may_view(me)
    _project(session, me, project_id)
    return report_reads(session, repo.reports(session, me, project_id))


def submit_report(session: Session, me: Principal, project_id: int, data: ReportCreate, *,
                  now: datetime) -> ProjectReport:
    project = _project(session, me, project_id)
    _acting(session, me, project)
    if project.status in ("planned", "terminated"):
        raise Conflict(f"项目{rules.PROJECT_STATUSES[project.status]}，不能提交报告")
    today = local(now).date()
    reported_on = data.reported_on or today
    if reported_on > today:
        raise Invalid("报告日期不能晚于今天")
    report = ProjectReport(project_id=project.id, period=data.period, text=data.text, reported_on=reported_on,
                           submitted_by=me.user_id or None, created_at=now)
    session.add(report)
    session.flush()
    grids = repo.project_grids(session, [project.id])[project.id]
    ledger.record(session, kind=ActivityKind.PROJECT_REPORT, area_code=rules.report_area(grids, project.area_code),
                  occurred_on=reported_on, ref_type="project_report", ref_id=report.id, now=now)
    record(session, actor=me, action="project_report_submitted", now=now, object_type="project",
           object_id=project.id, area_code=project.area_code, detail=f"{project.title}：{data.period}")
    session.flush()
    return report

