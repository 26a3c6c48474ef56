"""Teams, tasks, social organisations and projects in JSON (``/api/v1/cogovernance/…``; issue 18, F5): thin
over :mod:`.teams` and :mod:`.projects`, which check the jurisdiction (outside = 404) and who may act."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from gridgov.authz.principals import CogovernanceManager, CogovernancePartner, CogovernanceViewer
from gridgov.cases import service as case_service
from gridgov.cogovernance import projects, teams
from gridgov.cogovernance.teams_schemas import (
    MemberCreate,
    MemberRead,
    MemberRevealed,
    MilestoneCreate,
    MilestoneDone,
    ProjectCreate,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
    ReportCreate,
    ReportRead,
    SocialOrgCreate,
    SocialOrgRead,
    TaskCancel,
    TaskCreate,
    TaskRead,
    TaskResult,
    TeamCreate,
    TeamKind,
    TeamRead,
)
from gridgov.deps import CipherDep, ReplicaSessionDep, SessionDep, client_ip
from gridgov.errors import NotFound
from gridgov.kit.clock import utc_now
from gridgov.kit.media import MAX_BYTES, image_path
from gridgov.kit.params import MAX_ID, IdPath
from gridgov.openapi import CSV, IMAGES, file_answer

router = APIRouter(prefix="/cogovernance", tags=["cogovernance"])

TaskStatus = Annotated[str | None, Query(pattern="^(assigned|done|cancelled)$", description="状态")]
GridFilter = Annotated[str | None, Query(pattern=r"^\d{6,15}$", description="网格（或区域）编码前缀")]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
SHA = re.compile(r"^[0-9a-f]{64}$")


# ---------------------------------------------------------------- teams


@router.get("/teams", response_model=list[TeamRead], summary="专项服务队与群团组织列表")
def list_teams(session: SessionDep, me: CogovernanceViewer, kind: TeamKind | None = None) -> list[TeamRead]:
    return teams.list_teams(session, me, kind=kind)


@router.post("/teams", status_code=201, response_model=TeamRead, summary="登记服务队")
def create_team(data: TeamCreate, session: SessionDep, me: CogovernanceManager) -> TeamRead:
    team = teams.create_team(session, me, data, now=utc_now())
    return teams.team_reads(session, [team])[0]


@router.get("/teams/{team_id}", response_model=TeamRead, summary="服务队详情")
def get_team(team_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> TeamRead:
    return teams.get_team(session, me, team_id)


@router.get("/teams/{team_id}/members", response_model=list[MemberRead], summary="服务队队员（电话已遮蔽）")
def list_members(team_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> list[MemberRead]:
    return teams.list_members(session, me, team_id)


@router.post("/teams/{team_id}/members", status_code=201, response_model=MemberRead, summary="登记队员")
def add_member(team_id: IdPath, data: MemberCreate, session: SessionDep, me: CogovernanceManager,
               cipher: CipherDep) -> MemberRead:
    return teams.add_member(session, me, team_id, data, cipher=cipher, now=utc_now())


@router.post("/teams/{team_id}/members/{member_id}/reveal", response_model=MemberRevealed,
             summary="查看队员完整电话（记入审计日志）")
def reveal_member(team_id: IdPath, member_id: IdPath, request: Request, session: SessionDep,
                  me: CogovernanceManager, cipher: CipherDep) -> MemberRevealed:
    return teams.reveal_member(session, me, team_id, member_id, cipher=cipher, now=utc_now(), ip=client_ip(request))


# ---------------------------------------------------------------- tasks


@router.get("/tasks", response_model=list[TaskRead], summary="服务队任务列表")
def list_tasks(session: SessionDep, me: CogovernanceViewer, team: IdFilter = None, status: TaskStatus = None,
               grid: GridFilter = None) -> list[TaskRead]:
    return teams.list_tasks(session, me, team=team, status=status, grid=grid)


@router.get("/tasks.csv", summary="导出服务队任务（CSV）", **file_answer(CSV))
def export_tasks(session: ReplicaSessionDep, me: CogovernanceViewer, team: IdFilter = None, status: TaskStatus = None,
                 grid: GridFilter = None) -> Response:
    content = teams.export_tasks_csv(session, me, team=team, status=status, grid=grid)
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="team-tasks.csv"'})


@router.post("/tasks", status_code=201, response_model=TaskRead, summary="向服务队派任务")
def assign_task(data: TaskCreate, session: SessionDep, me: CogovernanceManager) -> TaskRead:
    return teams.task_reads(session, [teams.assign_task(session, me, data, now=utc_now())])[0]


@router.get("/tasks/{task_id}", response_model=TaskRead, summary="任务详情")
def get_task(task_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> TaskRead:
    return teams.get_task(session, me, task_id)


@router.post("/tasks/{task_id}/result", response_model=TaskRead, summary="记录任务完成结果")
def record_result(task_id: IdPath, data: TaskResult, request: Request, session: SessionDep,
                  me: CogovernancePartner) -> TaskRead:
    task = teams.record_result(session, me, task_id, data, now=utc_now(),
                               media_root=request.app.state.settings.media_path)
    return teams.task_reads(session, [task])[0]


@router.post("/task-photos", status_code=201, summary="上传任务结果照片（JPEG/PNG/WebP，≤10 MB，去除位置信息）")
def upload_photo(request: Request, me: CogovernancePartner, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    stored = case_service.upload_photo(request.app.state.settings.media_path, file.file.read(MAX_BYTES + 1))
    return {"sha256": stored.sha256, "content_type": stored.content_type, "size": stored.size}


@router.get("/task-photos/{sha256}", summary="任务结果照片", **file_answer(*IMAGES, description="照片"))
def get_photo(sha256: Annotated[str, Path(max_length=64)], request: Request, session: SessionDep,
              me: CogovernanceViewer, thumbnail: bool = False):
    if not SHA.match(sha256):
        raise NotFound("照片不存在")
    teams.task_photo(session, me, sha256)
    stored = image_path(case_service.photo_root(request.app.state.settings.media_path), sha256, thumbnail=thumbnail)
    if stored is None:
        raise NotFound("照片不存在")
    return FileResponse(stored[0], media_type=stored[1], headers={"Cache-Control": "private, max-age=86400"})


@router.post("/tasks/{task_id}/cancel", response_model=TaskRead, summary="撤销任务（已完成的不能撤销）")
def cancel_task(task_id: IdPath, data: TaskCancel, session: SessionDep, me: CogovernanceManager) -> TaskRead:
    return teams.task_reads(session, [teams.cancel_task(session, me, task_id, data, now=utc_now())])[0]


# ---------------------------------------------------------------- social organisations and projects


@router.get("/social-orgs", response_model=list[SocialOrgRead], summary="社会组织列表")
def list_orgs(session: SessionDep, me: CogovernanceViewer) -> list[SocialOrgRead]:
    return projects.list_orgs(session, me)


@router.post("/social-orgs", status_code=201, response_model=SocialOrgRead, summary="登记社会组织")
def create_org(data: SocialOrgCreate, session: SessionDep, me: CogovernanceManager) -> SocialOrgRead:
    return projects.org_reads(session, me, [projects.create_org(session, me, data, now=utc_now())])[0]


@router.get("/social-orgs/{org_id}", response_model=SocialOrgRead, summary="社会组织详情")
def get_org(org_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> SocialOrgRead:
    return projects.get_org(session, me, org_id)


@router.get("/projects", response_model=list[ProjectRead], summary="服务项目列表")
def list_projects(session: SessionDep, me: CogovernanceViewer, status: ProjectStatus | None = None,
                  org: IdFilter = None, grid: GridFilter = None) -> list[ProjectRead]:
    return projects.list_projects(session, me, status=status, org=org, grid=grid)


@router.post("/projects", status_code=201, response_model=ProjectRead, summary="登记购买的服务项目")
def create_project(data: ProjectCreate, session: SessionDep, me: CogovernanceManager) -> ProjectRead:
    return projects.project_reads(session, [projects.create_project(session, me, data, now=utc_now())])[0]


@router.get("/projects/{project_id}", response_model=ProjectRead, summary="服务项目详情（含节点）")
def get_project(project_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> ProjectRead:
    return projects.get_project(session, me, project_id)


@router.patch("/projects/{project_id}", response_model=ProjectRead, summary="变更项目状态")
def update_project(project_id: IdPath, data: ProjectUpdate, session: SessionDep,
                   me: CogovernanceManager) -> ProjectRead:
    return projects.project_reads(session, [projects.update_project(session, me, project_id, data, now=utc_now())])[0]


@router.post("/projects/{project_id}/milestones", status_code=201, response_model=ProjectRead, summary="新增项目节点")
def add_milestone(project_id: IdPath, data: MilestoneCreate, session: SessionDep,
                  me: CogovernanceManager) -> ProjectRead:
    return projects.project_reads(session, [projects.add_milestone(session, me, project_id, data, now=utc_now())])[0]


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", response_model=ProjectRead,
             summary="项目节点完成")
def milestone_done(project_id: IdPath, milestone_id: IdPath, session: SessionDep, me: CogovernancePartner,
                   data: MilestoneDone | None = None) -> ProjectRead:
    project = projects.milestone_done(session, me, project_id, milestone_id, data or MilestoneDone(), now=utc_now())
    return projects.project_reads(session, [project])[0]


@router.get("/projects/{project_id}/reports", response_model=list[ReportRead], summary="项目报告")
def list_reports(project_id: IdPath, session: SessionDep, me: CogovernanceViewer) -> list[ReportRead]:
    return projects.list_reports(session, me, project_id)


@router.post("/projects/{project_id}/reports", status_code=201, response_model=ReportRead, summary="提交项目报告")
def submit_report(project_id: IdPath, data: ReportCreate, session: SessionDep, me: CogovernancePartner) -> ReportRead:
    return projects.report_reads(session, [projects.submit_report(session, me, project_id, data, now=utc_now())])[0]
