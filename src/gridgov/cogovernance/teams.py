"""Special service teams and people's organisations (专项服务队 QZ§16; 工会、共青团、妇联 JS§23; F5).

The agency of an area (``cogovernance.manage``) registers a team serving the area and the grids it covers,
its members (phones encrypted, masked in lists, every reveal audited; a member may be linked to a
``team_member`` account) and assigns it tasks, each in one grid of its jurisdiction. A member of the team
(``cogovernance.take_part``: its account sees its own teams' tasks only, another team's is missing) or the
agency records the result; the task is then done and counts once in the activity ledger (``team_task``, the
task's grid, the day it was done). A task still assigned may be cancelled by the agency; a done one may not
(409: it is counted). Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible
from gridgov.cases.service import known_photos
from gridgov.cogovernance import ledger
from gridgov.cogovernance import teams_repository as repo
from gridgov.cogovernance import teams_rules as rules
from gridgov.cogovernance.teams_schemas import (
    MemberCreate,
    MemberRead,
    MemberRevealed,
    TaskCancel,
    TaskCreate,
    TaskRead,
    TaskResult,
    TeamCreate,
    TeamRead,
)
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_phone
from gridgov.kit.spreadsheet import csv_text
from gridgov.models import Area, Grid, ServiceTeam, TeamGrid, TeamMember, TeamTask
from gridgov.models.accounts import Role
from gridgov.models.cogovernance import ActivityKind
from gridgov.models.territory import GridStatus

register_labels({
    "team_created": "登记专项服务队",
    "team_member_added": "登记服务队队员",
    "team_member_revealed": "查看服务队队员电话",
    "team_task_assigned": "向服务队派任务",
    "team_task_done": "记录服务队任务结果",
    "team_task_cancelled": "撤销服务队任务",
})

TEAM_MISSING = "服务队 {} 不存在"
TASK_MISSING = "任务 {} 不存在"
NO_VIEW = "没有查看共建共治的权限"


def may_view(me: Principal) -> None:
    """Who may read teams and projects at all: grid staff and agencies (``cogovernance.read``) and the
    partners (``cogovernance.take_part``, narrowed to their own rows by the scope)."""
    if not (me.can(Permission.COGOVERNANCE_READ) or me.can(Permission.COGOVERNANCE_TAKE_PART)):
        raise Forbidden(NO_VIEW)


def check_area(session: Session, me: Principal, code: str) -> Area:
    area = get_visible(session, me, Area, code)
    if area is None:
        raise NotFound(f"区域 {code} 不存在")
    return area


def check_grids(session: Session, me: Principal, area_code: str, codes: list[str]) -> list[str]:
    """The grids (each once, in the order given) must be active grids of the jurisdiction inside the area."""
    prefix = areas.area_prefix(area_code)
    out = list(dict.fromkeys(codes))
    for code in out:
        grid = get_visible(session, me, Grid, code)
        if grid is None:
            raise NotFound(f"网格 {code} 不存在")
        if grid.status != GridStatus.ACTIVE:
            raise Invalid(f"网格 {code} 已停用")
        if not code.startswith(prefix):
            raise Invalid(f"网格 {code} 不在所服务的区域 {area_code} 内")
    return out


# ---------------------------------------------------------------- teams and members


def _team(session: Session, me: Principal, team_id: int, *, for_update: bool = False) -> ServiceTeam:
    team = get_visible(session, me, ServiceTeam, team_id, for_update=for_update)
    if team is None:
        raise NotFound(TEAM_MISSING.format(team_id))
    return team


def _managing(me: Principal, team: ServiceTeam) -> None:
    """Only the agency whose jurisdiction holds the team's area changes it (a town sees a county's team
    covering its grids, but does not run it)."""
    if not me.can(Permission.COGOVERNANCE_MANAGE) or not me.covers(team.area_code):
        raise Forbidden("只有服务队所在区域的网格化治理机构才能管理该服务队")


def team_reads(session: Session, teams: list[ServiceTeam]) -> list[TeamRead]:
    ids = [t.id for t in teams]
    grids, counts, open_ = (repo.team_grids(session, ids), repo.member_counts(session, ids),
                            repo.open_task_counts(session, ids))
    return [TeamRead(id=t.id, name=t.name, kind=t.kind, kind_label=rules.TEAM_KINDS.get(t.kind, t.kind),
                     area_code=t.area_code, grid_codes=grids[t.id], contact=t.contact, active=t.active,
                     member_count=counts.get(t.id, 0), open_tasks=open_.get(t.id, 0)) for t in teams]


def list_teams(session: Session, me: Principal, *, kind: str | None = None) -> list[TeamRead]:
    may_view(me)
    if kind and kind not in rules.TEAM_KINDS:
        raise Invalid("类别应为：" + "、".join(f"{k}（{v}）" for k, v in rules.TEAM_KINDS.items()))
    return team_reads(session, repo.list_teams(session, me, kind=kind))


def get_team(session: Session, me: Principal, team_id: int) -> TeamRead:
    may_view(me)
    return team_reads(session, [_team(session, me, team_id)])[0]


def create_team(session: Session, me: Principal, data: TeamCreate, *, now: datetime) -> ServiceTeam:
    check_area(session, me, data.area_code)
    grids = check_grids(session, me, data.area_code, data.grid_codes)
    team = ServiceTeam(name=data.name, kind=data.kind, area_code=data.area_code, contact=data.contact,
                       active=data.active, created_at=now)
    session.add(team)
    session.flush()
    repo.add_grids(session, TeamGrid, "team_id", team.id, grids)
    record(session, actor=me, action="team_created", now=now, object_type="team", object_id=team.id,
           area_code=team.area_code, detail=f"{rules.TEAM_KINDS[team.kind]}：{team.name}")
    session.flush()
    return team


def _member_read(m: TeamMember) -> MemberRead:
    return MemberRead(id=m.id, team_id=m.team_id, name=m.name, duty=m.duty, phone_masked=mask_phone(m.phone_mask),
                      user_id=m.user_id)


def list_members(session: Session, me: Principal, team_id: int) -> list[MemberRead]:
    may_view(me)
    _team(session, me, team_id)
    return [_member_read(m) for m in repo.members(session, me, team_id)]


def add_member(session: Session, me: Principal, team_id: int, data: MemberCreate, *, cipher: FieldCipher,
               now: datetime) -> MemberRead:
    team = _team(session, me, team_id)
    _managing(me, team)
    if data.user_id is not None:
        user = repo.user_row(session, me, data.user_id)
        if user is None:
            raise NotFound(f"账号 {data.user_id} 不存在")
        if user.role != Role.TEAM_MEMBER:
            raise Invalid(f"账号 {user.username} 不是专项服务队队员账号")
        if repo.member_of(session, team.id, user.id):
            raise Conflict(f"账号 {user.username} 已是本队队员")
    phone = (data.phone or "").strip()
    member = TeamMember(team_id=team.id, name=data.name, duty=data.duty, user_id=data.user_id, created_at=now,
                        phone_enc=cipher.encrypt(phone) if phone else None,
                        phone_mask=mask_phone(phone) if phone else "")
    session.add(member)
    session.flush()
    record(session, actor=me, action="team_member_added", now=now, object_type="team", object_id=team.id,
           area_code=team.area_code, detail=f"{team.name}：{member.name}", after={"phone": member.phone_mask})
    return _member_read(member)


def reveal_member(session: Session, me: Principal, team_id: int, member_id: int, *, cipher: FieldCipher,
                  now: datetime, ip: str = "") -> MemberRevealed:
    """A member's full phone for the agency; every call leaves an audit entry (with the mask only)."""
    team = _team(session, me, team_id)
    _managing(me, team)
    member = repo.member(session, me, team_id, member_id)
    if member is None:
        raise NotFound(f"队员 {member_id} 不存在")
    record(session, actor=me, action="team_member_revealed", now=now, object_type="team_member", object_id=member.id,
           area_code=team.area_code, detail=f"查看 {team.name} 队员 {member.name} 的电话", ip=ip,
           after={"phone": mask_phone(member.phone_mask)})
    return MemberRevealed(id=member.id, name=member.name,
                          phone=cipher.decrypt(member.phone_enc) if member.phone_enc else None)


# ---------------------------------------------------------------- tasks


def task_reads(session: Session, tasks: list[TeamTask]) -> list[TaskRead]:
    names = repo.team_names(session, {t.team_id for t in tasks})
    return [TaskRead(id=t.id, team_id=t.team_id, team_name=names.get(t.team_id, ""), title=t.title,
                     description=t.description, grid_code=t.grid_code, due_on=t.due_on, status=t.status,
                     status_label=rules.TASK_STATUSES.get(t.status, t.status), created_at=t.created_at,
                     result=t.result, done_on=t.done_on, photos=list(t.photos or []),
                     cancel_reason=t.cancel_reason) for t in tasks]


def list_tasks(session: Session, me: Principal, *, team: int | None = None, status: str | None = None,
               grid: str | None = None) -> list[TaskRead]:
    may_view(me)
    if status and status not in rules.TASK_STATUSES:
        raise Invalid("状态应为：" + "、".join(f"{k}（{v}）" for k, v in rules.TASK_STATUSES.items()))
    if grid and not grid.isdigit():
        raise Invalid("网格编码应为数字")
    return task_reads(session, repo.list_tasks(session, me, team=team, status=status, grid=grid))


TASK_COLUMNS = ("编号", "服务队", "标题", "网格", "完成期限", "状态", "完成日期", "完成情况", "撤销理由")


def export_tasks_csv(session: Session, me: Principal, *, team: int | None = None, status: str | None = None,
                     grid: str | None = None) -> str:
    """The tasks of the list (same filters, same scope) as CSV for a spreadsheet; every text cell is written
    as text (:mod:`gridgov.kit.spreadsheet`), never as a formula."""
    rows = [(t.id, t.team_name, t.title, t.grid_code, t.due_on.isoformat(), t.status_label,
             t.done_on.isoformat() if t.done_on else "", t.result, t.cancel_reason)
            for t in list_tasks(session, me, team=team, status=status, grid=grid)]
    return csv_text(TASK_COLUMNS, rows)


def _task(session: Session, me: Principal, task_id: int, *, for_update: bool = False) -> TeamTask:
    task = get_visible(session, me, TeamTask, task_id, for_update=for_update)
    if task is None:
        raise NotFound(TASK_MISSING.format(task_id))
    return task


def get_task(session: Session, me: Principal, task_id: int) -> TaskRead:
    may_view(me)
    return task_reads(session, [_task(session, me, task_id)])[0]


def assign_task(session: Session, me: Principal, data: TaskCreate, *, now: datetime) -> TeamTask:
    """A task for a team in one grid of the jurisdiction that the team covers (or of its area, when it names
    no grid)."""
    team = _team(session, me, data.team_id)
    if not team.active:
        raise Conflict(f"服务队 {team.name} 已停止服务，不能派任务")
    grid = get_visible(session, me, Grid, data.grid_code)
    if grid is None:
        raise NotFound(f"网格 {data.grid_code} 不存在")
    covered = repo.team_grids(session, [team.id])[team.id]
    if (covered and grid.code not in covered) or (not covered and not grid.code.startswith(
            areas.area_prefix(team.area_code))):
        raise Invalid(f"服务队 {team.name} 不覆盖网格 {grid.code}")
    if data.due_on < local(now).date():
        raise Invalid("完成期限不能早于今天")
    task = TeamTask(team_id=team.id, title=data.title, description=data.description, grid_code=grid.code,
                    due_on=data.due_on, status="assigned", assigned_by=me.user_id or None, created_at=now)
    session.add(task)
    session.flush()
    record(session, actor=me, action="team_task_assigned", now=now, object_type="team_task", object_id=task.id,
           area_code=grid.code, detail=f"{team.name}：{task.title}")
    return task


def record_result(session: Session, me: Principal, task_id: int, data: TaskResult, *, now: datetime,
                  media_root: Path | None = None) -> TeamTask:
    """A member of the task's team (its account) or the agency holding the grid records what was done, with
    photos uploaded first to the media store (``POST /api/v1/cogovernance/task-photos``)."""
    task = _task(session, me, task_id, for_update=True)
    if me.role == Role.TEAM_MEMBER:
        if not repo.member_of(session, task.team_id, me.user_id):  # the scope already says so; said twice
            raise NotFound(TASK_MISSING.format(task_id))
    elif not me.can(Permission.COGOVERNANCE_MANAGE):
        raise Forbidden("只有本队队员或网格化治理机构才能记录任务结果")
    refusal = rules.result_refusal(task.status)
    if refusal:
        raise Conflict(refusal)
    today = local(now).date()
    done_on = data.done_on or today
    problem = rules.done_on_problem(done_on, today, local(task.created_at).date())
    if problem:
        raise Invalid(problem)
    if data.photos:
        if media_root is None:
            raise Invalid("此处不能附照片")
        known_photos(media_root, data.photos)
    task.status, task.result, task.done_on = "done", data.result, done_on
    task.photos = list(dict.fromkeys(data.photos)) or None
    task.recorded_by, task.recorded_at = me.user_id or None, now
    session.flush()
    ledger.record(session, kind=ActivityKind.TEAM_TASK, area_code=task.grid_code, occurred_on=done_on,
                  ref_type="team_task", ref_id=task.id, now=now)
    record(session, actor=me, action="team_task_done", now=now, object_type="team_task", object_id=task.id,
           area_code=task.grid_code, detail=task.title)
    session.flush()
    return task


def task_photo(session: Session, me: Principal, sha256: str) -> str:
    """The photo's hash if a task the principal may read carries it (else 404, like a missing one)."""
    may_view(me)
    if not repo.task_with_photo(session, me, sha256):
        raise NotFound("照片不存在")
    return sha256


def cancel_task(session: Session, me: Principal, task_id: int, data: TaskCancel, *, now: datetime) -> TeamTask:
    task = _task(session, me, task_id, for_update=True)
    refusal = rules.cancel_refusal(task.status)
    if refusal:
        raise Conflict(refusal)
    task.status, task.cancel_reason, task.cancelled_at = "cancelled", data.reason, now
    record(session, actor=me, action="team_task_cancelled", now=now, object_type="team_task", object_id=task.id,
           area_code=task.grid_code, detail=f"{task.title}：{data.reason}")
    session.flush()
    return task
