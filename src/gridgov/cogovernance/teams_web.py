"""Pages of teams and projects (``/cogovernance/teams``, ``/cogovernance/projects``; issue 18, F5).

A team member lands on its team's tasks (``/cogovernance/teams/tasks``) and records a result from a phone;
a social organisation's account lands on its projects and submits a report; the agency reads the teams,
assigns a task to a team from its page and cancels a task still open. Registering teams, members,
organisations and projects is done through the JSON API (:mod:`.teams_api`). Thin over the same services;
a refused form comes back with the service's Chinese message, the input kept and the refusal's status.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import CogovernanceManager, CogovernancePartner, CogovernanceViewer
from gridgov.cases.forms import store_photos
from gridgov.cogovernance import projects, teams
from gridgov.cogovernance import teams_rules as rules
from gridgov.cogovernance.teams_schemas import (
    MemberCreate,
    MilestoneDone,
    ReportCreate,
    TaskCancel,
    TaskCreate,
    TaskResult,
    TeamCreate,
)
from gridgov.deps import CipherDep, FormDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath
from gridgov.models.accounts import Role
from gridgov.web.forms import message, optional_date, status_of
from gridgov.web.templating import templates

router = APIRouter()

DONE = {"result": "已记录完成结果", "cancel": "任务已撤销", "assign": "任务已派给服务队", "report": "报告已提交",
        "milestone": "节点已标记完成", "team": "服务队已登记", "member": "队员已登记"}
_WORDS = {"string_too_short": "太短", "string_too_long": "太长", "string_pattern_mismatch": "格式不对",
          "missing": "未填写", "date_from_datetime_parsing": "应为日期", "date_parsing": "应为日期"}


def _problem(model: type[BaseModel]):
    def describe(error: dict) -> str:
        name = str(error["loc"][0]) if error.get("loc") else ""
        field = model.model_fields.get(name)
        title = (field.title if field and field.title else name).split("（")[0]
        if error["type"] == "missing" or error.get("input") in (None, ""):
            return f"请填写{title}"
        return f"{title}{_WORDS.get(error['type'], '取值无效')}"
    return describe


def _text(values, key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _render(request: Request, name: str, context: dict, status: int = 200):
    done = request.query_params.get("done", "")
    base = {"notice": DONE.get(done), "task_statuses": rules.TASK_STATUSES, "kinds": rules.TEAM_KINDS,
            "project_statuses": rules.PROJECT_STATUSES}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _refused(session: Session, exc: Exception, model: type[BaseModel]) -> tuple[str, int]:
    session.rollback()
    return message(exc, _problem(model)), status_of(exc)


# ---------------------------------------------------------------- teams and tasks


def _teams_page(request: Request, session: Session, me: Principal, *, error: str = "", values: dict | None = None,
                status: int = 200):
    return _render(request, "cogovernance/teams_list.html", {
        "teams": teams.list_teams(session, me), "can_register": me.can(Permission.COGOVERNANCE_MANAGE),
        "scope_code": me.scope_code[:12], "error": error, "values": values or {}}, status=status)


@router.get("/cogovernance/teams")
def teams_page(request: Request, me: CogovernanceViewer, session: SessionDep):
    return _teams_page(request, session, me)


def _values(fields) -> dict:
    return {k: v for k, v in fields.items() if k != "csrf_token" and isinstance(v, str)}


@router.post("/cogovernance/teams")
def register_team(request: Request, me: CogovernanceManager, session: SessionDep, fields: FormDep):
    values = _values(fields)
    grids = [g for g in fields.getlist("grid_codes") if isinstance(g, str) and g.strip()]
    grids = [g.strip() for line in grids for g in line.replace("，", ",").replace(",", " ").split()]
    try:
        data = TeamCreate(name=_text(values, "name"), kind=_text(values, "kind") or "special",
                          area_code=_text(values, "area_code"), grid_codes=grids, contact=_text(values, "contact"))
        team = teams.create_team(session, me, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, TeamCreate)
        return _teams_page(request, session, me, error=error, values=values, status=status)
    return RedirectResponse(f"/cogovernance/teams/{team.id}?done=team", status_code=303)


@router.get("/cogovernance/teams/tasks")
def tasks_page(request: Request, me: CogovernanceViewer, session: SessionDep, status: str = ""):
    """A team member's landing: its team's tasks, open first (soonest due first)."""
    if status and status not in rules.TASK_STATUSES:
        raise Invalid("状态无效，可选：" + "、".join(f"{k}（{v}）" for k, v in rules.TASK_STATUSES.items()))
    rows = teams.list_tasks(session, me, status=status or None)
    open_rows = [r for r in rows if r.status == "assigned"]
    return _render(request, "cogovernance/teams_tasks.html", {
        "open_rows": open_rows, "closed_rows": [r for r in rows if r.status != "assigned"], "status": status,
        "today": local(utc_now()).date()})


def _task_page(request: Request, session: Session, me: Principal, task_id: int, *, error: str = "", form: str = "",
               values: dict | None = None, status: int = 200):
    task = teams.get_task(session, me, task_id)
    managing = me.can(Permission.COGOVERNANCE_MANAGE) and me.covers(task.grid_code)
    may_record = me.role == Role.TEAM_MEMBER or (managing and me.can(Permission.COGOVERNANCE_TAKE_PART))
    return _render(request, "cogovernance/teams_task.html", {
        "task": task, "can_record": task.status == "assigned" and may_record,
        "can_cancel": task.status == "assigned" and managing, "error": error, "form": form,
        "values": values or {}, "today": local(utc_now()).date().isoformat()}, status=status)


@router.get("/cogovernance/teams/tasks/{task_id}")
def task_page(request: Request, task_id: IdPath, me: CogovernanceViewer, session: SessionDep):
    return _task_page(request, session, me, task_id)


@router.post("/cogovernance/teams/tasks/{task_id}/result")
def record_result(request: Request, task_id: IdPath, me: CogovernancePartner, session: SessionDep, fields: FormDep):
    values = _values(fields)
    try:
        photos = store_photos(request, fields, "photos", [])
        data = TaskResult(result=_text(values, "result"), done_on=optional_date(_text(values, "done_on"), "完成日期"),
                          photos=photos)
        teams.record_result(session, me, task_id, data, now=utc_now(), media_root=request.app.state.settings.media_path)
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, TaskResult)
        return _task_page(request, session, me, task_id, error=error, form="result", values=values, status=status)
    return RedirectResponse(f"/cogovernance/teams/tasks/{task_id}?done=result", status_code=303)


@router.post("/cogovernance/teams/tasks/{task_id}/cancel")
def cancel_task(request: Request, task_id: IdPath, me: CogovernanceManager, session: SessionDep, fields: FormDep):
    values = _values(fields)
    try:
        teams.cancel_task(session, me, task_id, TaskCancel(reason=_text(values, "reason")), now=utc_now())
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, TaskCancel)
        return _task_page(request, session, me, task_id, error=error, form="cancel", values=values, status=status)
    return RedirectResponse(f"/cogovernance/teams/tasks/{task_id}?done=cancel", status_code=303)


def _team_page(request: Request, session: Session, me: Principal, team_id: int, *, error: str = "",
               form: str = "", values: dict | None = None, status: int = 200):
    team = teams.get_team(session, me, team_id)
    managing = me.can(Permission.COGOVERNANCE_MANAGE)
    return _render(request, "cogovernance/teams_team.html", {
        "team": team, "members": teams.list_members(session, me, team_id),
        "tasks": teams.list_tasks(session, me, team=team_id),
        "can_assign": team.active and managing, "can_add_member": managing and me.covers(team.area_code),
        "error": error, "form": form, "values": values or {}}, status=status)


@router.get("/cogovernance/teams/{team_id}")
def team_page(request: Request, team_id: IdPath, me: CogovernanceViewer, session: SessionDep):
    return _team_page(request, session, me, team_id)


@router.post("/cogovernance/teams/{team_id}/tasks")
def assign_task(request: Request, team_id: IdPath, me: CogovernanceManager, session: SessionDep, fields: FormDep):
    values = _values(fields)
    try:
        due = optional_date(_text(values, "due_on"), "完成期限")
        if due is None:
            raise Invalid("请填写完成期限")
        data = TaskCreate(team_id=team_id, title=_text(values, "title"), description=_text(values, "description"),
                          grid_code=_text(values, "grid_code"), due_on=due)
        task = teams.assign_task(session, me, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, TaskCreate)
        return _team_page(request, session, me, team_id, error=error, form="assign", values=values, status=status)
    return RedirectResponse(f"/cogovernance/teams/tasks/{task.id}?done=assign", status_code=303)


@router.post("/cogovernance/teams/{team_id}/members")
def add_member(request: Request, team_id: IdPath, me: CogovernanceManager, session: SessionDep, fields: FormDep,
               cipher: CipherDep):
    """A member without an account; linking a ``team_member`` account is done through the API (``user_id``)."""
    values = _values(fields)
    try:
        data = MemberCreate(name=_text(values, "name"), duty=_text(values, "duty"),
                            phone=_text(values, "phone") or None)
        teams.add_member(session, me, team_id, data, cipher=cipher, now=utc_now())
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, MemberCreate)
        return _team_page(request, session, me, team_id, error=error, form="member", values=values, status=status)
    return RedirectResponse(f"/cogovernance/teams/{team_id}?done=member", status_code=303)


# ---------------------------------------------------------------- projects


@router.get("/cogovernance/projects")
def projects_page(request: Request, me: CogovernanceViewer, session: SessionDep):
    """A social organisation's landing: its projects; the agency's: the projects of its area."""
    return _render(request, "cogovernance/teams_projects.html", {"projects": projects.list_projects(session, me)})


def _project_page(request: Request, session: Session, me: Principal, project_id: int, *, error: str = "",
                  values: dict | None = None, status: int = 200):
    project = projects.get_project(session, me, project_id)
    managing = me.can(Permission.COGOVERNANCE_MANAGE) and me.covers(project.area_code)
    may_report = me.role == Role.SOCIAL_ORG or (managing and me.can(Permission.COGOVERNANCE_TAKE_PART))
    return _render(request, "cogovernance/teams_project.html", {
        "project": project, "reports": projects.list_reports(session, me, project_id),
        "can_report": may_report and project.status in ("running", "finished"), "may_mark": may_report,
        "error": error,
        "values": values or {}}, status=status)


@router.get("/cogovernance/projects/{project_id}")
def project_page(request: Request, project_id: IdPath, me: CogovernanceViewer, session: SessionDep):
    return _project_page(request, session, me, project_id)


@router.post("/cogovernance/projects/{project_id}/reports")
def submit_report(request: Request, project_id: IdPath, me: CogovernancePartner, session: SessionDep,
                  fields: FormDep):
    values = _values(fields)
    try:
        data = ReportCreate(period=_text(values, "period"), text=_text(values, "text"))
        projects.submit_report(session, me, project_id, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        error, status = _refused(session, exc, ReportCreate)
        return _project_page(request, session, me, project_id, error=error, values=values, status=status)
    return RedirectResponse(f"/cogovernance/projects/{project_id}?done=report", status_code=303)


@router.post("/cogovernance/projects/{project_id}/milestones/{milestone_id}/done")
def milestone_done(request: Request, project_id: IdPath, milestone_id: IdPath, me: CogovernancePartner,
                   session: SessionDep):
    try:
        projects.milestone_done(session, me, project_id, milestone_id, MilestoneDone(), now=utc_now())
    except DomainError as exc:
        error, status = _refused(session, exc, MilestoneDone)
        return _project_page(request, session, me, project_id, error=error, status=status)
    return RedirectResponse(f"/cogovernance/projects/{project_id}?done=milestone", status_code=303)
