"""Posts (a person serving in a role at a grid, micro-grid or area) and staffing gaps.

A post is created ``pending``; it becomes ``active`` only when the person is eligible on its start
date (B3), pre-job training is recorded as passed on or before that date where the profile asks
for it (B4), and one more active post of that role keeps the staffing caps (B2, A6); it ends with
an end date. ``active`` means serving today: that is what the public board lists. The rules
themselves are in :mod:`gridgov.staff.rules`; this module loads the facts and records the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, covers, get_visible
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.spreadsheet import csv_text
from gridgov.models import Area, Department, MicroGrid
from gridgov.models.staff import Post, StaffMember
from gridgov.models.territory import GRID_KIND_LABELS, AreaLevel, GridStatus
from gridgov.staff import repository as repo
from gridgov.staff import rules
from gridgov.staff.schemas import GapRead, GapReport, PostActivate, PostCreate, PostEnd
from gridgov.staff.service import access_staff, today
from gridgov.territory import dedicated
from gridgov.territory import lookup as territory_lookup
from gridgov.territory import rules as code_rules
from gridgov.territory.service import access_area, access_grid

_POST_MISSING = "岗位不存在"


def access_post(session: Session, principal: Principal, post_id: int) -> Post:
    post = repo.get_post(session, principal, post_id)
    if post is None:
        raise NotFound(_POST_MISSING)
    return post


def _snapshot(post: Post) -> dict:
    return {"staff_id": post.staff_id, "role": post.role, "scope_code": post.scope_code, "status": post.status,
            "leader_basis": post.leader_basis,
            "start_date": post.start_date.isoformat(),
            "end_date": post.end_date.isoformat() if post.end_date else None}


def _place(session: Session, principal: Principal, data: PostCreate) -> tuple[str, str | None, str | None]:
    """(scope code, grid code, micro-grid code) of a new post, checked against its role."""
    kind = rules.scope_kind_for(data.role)
    label = rules.role_label(data.role)
    if kind == "micro_grid":
        if not data.micro_grid_code:
            raise Invalid(f"{label}应配备到微网格：请填写微网格编码")
        micro = get_visible(session, principal, MicroGrid, data.micro_grid_code)
        if micro is None or micro.status != GridStatus.ACTIVE:
            raise NotFound(f"微网格 {data.micro_grid_code} 不存在")
        return micro.code, micro.grid_code, micro.code
    if kind == "area":
        if not data.area_code:
            raise Invalid(f"{label}应配备到村（社区）或镇（街道）：请填写区划代码")
        area = access_area(session, principal, data.area_code)
        if not covers(principal, area.code):
            raise NotFound(f"区域 {data.area_code} 不存在")
        wanted = (AreaLevel.VILLAGE,) if data.role == "chief_leader" else (AreaLevel.TOWN, AreaLevel.VILLAGE)
        if area.level not in wanted:
            raise Invalid(f"{label}应配备到{'村（社区）' if data.role == 'chief_leader' else '镇（街道）或村（社区）'}")
        return area.code, None, None
    if not data.grid_code:
        raise Invalid(f"{label}应配备到网格：请填写网格编码")
    grid = access_grid(session, principal, data.grid_code)
    if grid.status != GridStatus.ACTIVE:
        raise Invalid(f"网格 {grid.code} 已撤销，不能配备人员")
    return grid.code, grid.code, None


def _eligibility(session: Session, staff: StaffMember, role: str, on, profile) -> None:
    exclusions = [rules.ExclusionFact(e.kind, e.lifted_on) for e in repo.exclusions_of(session, staff.id)]
    problems = rules.eligibility_problems(profile.staff, role=role, on=on, birth_date=staff.birth_date,
                                          has_id_number=staff.id_number_index is not None, exclusions=exclusions)
    if problems:
        raise Conflict(f"{staff.name}不符合专职网格员任职条件：" + "；".join(problems))


def _leader_basis(session: Session, staff: StaffMember, data: PostCreate, grid_code: str | None, profile) -> None:
    """A leader of a comprehensive grid must be one the profile's text lets serve (JS§12, QZ§11,
    JM§10: ``staff.leader_eligible_from``); only a leader post states a basis (任职身份)."""
    if data.role != "leader":
        if data.leader_basis:
            raise Invalid("只有网格长填写任职身份")
        return
    if grid_code is None or territory_lookup.get_grid(session, grid_code).kind not in rules.COMPREHENSIVE_KINDS:
        return  # a dedicated grid's leader is its unit's head (QZ§13), not this list
    holds = any(p.role == "fulltime" and p.status == rules.ACTIVE for p in repo.posts_of(session, SYSTEM, [staff.id]))
    req = profile.requirement("staff.leader_eligible_from")
    problem = rules.leader_basis_problem(profile.staff, data.leader_basis, holds_fulltime=holds,
                                         cite=req.cite() if req.legal else "")
    if problem:
        raise Invalid(problem, details=[{"field": "leader_basis", "error": problem}])


def new_post(session: Session, principal: Principal, data: PostCreate, *, profile, now: datetime) -> Post:
    """Checks and adds a pending post, without an audit entry (the import audits in bulk)."""
    staff = access_staff(session, principal, data.staff_id)
    problem = rules.role_problem(profile.staff, data.role)
    if problem:
        raise Invalid(problem)
    scope, grid_code, micro_code = _place(session, principal, data)
    if grid_code and data.role == "leader":  # QZ§13: a dedicated grid's leader is its unit's head
        problem = dedicated.leader_problem(profile.staff, territory_lookup.get_grid(session, grid_code), staff.name)
        if problem:
            raise Conflict(problem)
    if data.department_code:
        if data.role != "professional":
            raise Invalid("只有专业网格员填写派出部门")
        if get_visible(session, SYSTEM, Department, data.department_code) is None:
            raise Invalid(f"部门 {data.department_code} 不存在")
    _eligibility(session, staff, data.role, data.start_date, profile)
    _leader_basis(session, staff, data, grid_code, profile)
    for other in repo.posts_of(session, SYSTEM, [staff.id]):
        if other.status != rules.ENDED and other.role == data.role and other.scope_code == scope:
            raise Conflict(f"{staff.name}已有该岗位（{rules.POST_STATUS_LABELS[other.status]}），不能重复设置")
    post = Post(staff_id=staff.id, role=data.role, scope_code=scope, grid_code=grid_code, micro_grid_code=micro_code,
                department_code=data.department_code or None, start_date=data.start_date, status=rules.PENDING,
                created_at=now, leader_basis=data.leader_basis if data.role == "leader" else None)
    session.add(post)
    session.flush()
    return post


def create_post(session: Session, principal: Principal, data: PostCreate, *, profile, now: datetime) -> Post:
    post = new_post(session, principal, data, profile=profile, now=now)
    record(session, actor=principal, action="post_created", now=now, object_type="post", object_id=post.id,
           area_code=post.scope_code, after=_snapshot(post))
    return post


def start_post(session: Session, principal: Principal, post: Post, *, profile, now: datetime,
               start_date=None) -> Post:
    """Makes a pending post active if every rule allows it (no audit entry: callers write it)."""
    if post.status != rules.PENDING:
        raise Conflict(f"岗位状态为“{rules.POST_STATUS_LABELS[post.status]}”，只有待上岗的岗位可以生效")
    on = today(now)
    start = start_date or post.start_date
    if start > on:
        raise Conflict(f"上岗日期 {start.isoformat()} 未到，请到期后再办理生效")
    staff = get_visible(session, SYSTEM, StaffMember, post.staff_id)  # the post's own holder
    _eligibility(session, staff, post.role, start, profile)
    trainings = [rules.TrainingFact(t.kind, t.held_on, t.passed) for t in repo.trainings_of(session, staff.id)]
    problem = rules.training_problem(profile.staff, trainings, start)
    if problem:
        raise Conflict(f"{staff.name}：{problem}")
    grid_kind = None
    active: list[rules.PostFact] = []
    if post.grid_code:
        grid_kind = territory_lookup.get_grid(session, post.grid_code).kind
        others = [p for p in repo.active_posts_under(session, SYSTEM, post.grid_code) if p.id != post.id]
        active = _with_register(session, SYSTEM, post.grid_code, others, starting=post)
    conflict = rules.activation_conflict(profile.staff, role=post.role, grid_code=post.grid_code,
                                         micro_grid_code=post.micro_grid_code, grid_kind=grid_kind, active=active,
                                         requirement=profile.requirement)
    if conflict:
        raise Conflict(conflict)
    post.start_date = start
    post.status = rules.ACTIVE
    post.activated_at = now
    session.flush()
    return post


def activate_post(session: Session, principal: Principal, post_id: int, data: PostActivate, *, profile,
                  now: datetime) -> Post:
    post = access_post(session, principal, post_id)
    before = _snapshot(post)
    start_post(session, principal, post, profile=profile, now=now, start_date=data.start_date)
    record(session, actor=principal, action="post_activated", now=now, object_type="post", object_id=post.id,
           area_code=post.scope_code, before=before, after=_snapshot(post))
    return post


def end_post(session: Session, principal: Principal, post_id: int, data: PostEnd, *, now: datetime) -> Post:
    """Ends a post (a pending one is withdrawn); the end date is today unless given."""
    post = access_post(session, principal, post_id)
    if post.status == rules.ENDED:
        raise Conflict("岗位已结束")
    end = data.end_date or today(now)
    if end < post.start_date:
        raise Invalid(f"离岗日期不能早于上岗日期 {post.start_date.isoformat()}")
    if end > today(now):
        raise Invalid("离岗日期不能晚于今天")
    before = _snapshot(post)
    post.status, post.end_date, post.ended_at = rules.ENDED, end, now
    record(session, actor=principal, action="post_ended", now=now, object_type="post", object_id=post.id,
           area_code=post.scope_code, before=before, after=_snapshot(post))
    return post


def end_posts_on_grids(session: Session, grid_codes: Sequence[str], *, reason: str, now: datetime,
                       actor: Principal | None = None) -> list[int]:
    """Ends every post still pending or active on these grids and their micro-grids: THE way a grid
    leaving service takes its posts with it (called when a grid is retired, see
    :func:`gridgov.territory.events.grids_retired`). Each post ends today (a pending one is
    withdrawn on the day it would have started, if that is later) with an audit entry naming the
    reason; what the post allowed its holder's account ends with it (the door's ``off_post``).
    Returns the ids of the posts ended."""
    ended = []
    day = today(now)
    for post in repo.open_posts_on_grids(session, grid_codes):
        before = _snapshot(post)
        post.status, post.end_date, post.ended_at = rules.ENDED, max(day, post.start_date), now
        record(session, actor=actor, action="post_ended", now=now, object_type="post", object_id=post.id,
               area_code=post.scope_code, before=before, after=_snapshot(post), detail=reason[:500])
        ended.append(post.id)
    session.flush()
    return ended


# ---------------------------------------------------------------- staffing gaps


def _with_register(session: Session, principal: Principal, prefix: str, posts,
                   starting: Post | None = None) -> list[rules.PostFact]:
    """The active posts as facts, with the micro-grid liaisons and volunteers of the volunteer register
    (issue 18: ZJ§9's liaison and volunteers of a micro-grid ARE those records too). A register record
    whose account belongs to a staff member already on that post of that micro-grid is the same person
    and counts once (``starting``: the post being activated, whose holder's own record is not another)."""
    facts = [rules.PostFact(p.role, p.grid_code, p.micro_grid_code) for p in posts]
    held = {(p.staff_id, p.role, p.micro_grid_code) for p in [*posts, *([starting] if starting else [])]}
    for kind, grid, micro, staff_id in repo.register_roster_under(session, principal, prefix,
                                                                   rules.REGISTER_ROLES):
        role = rules.REGISTER_ROLES[kind]
        if staff_id is None or (staff_id, role, micro) not in held:
            facts.append(rules.PostFact(role, grid, micro))
    return facts


def gaps_page(report: GapReport, page: int, page_size: int) -> GapReport:
    """The report with one page of its gaps (the counts and ``total`` stay those of all of them)."""
    start = (page - 1) * page_size
    return report.model_copy(update={"gaps": report.gaps[start:start + page_size], "total": len(report.gaps),
                                     "page": page, "page_size": page_size})


def staffing_gaps(session: Session, principal: Principal, area_code: str | None, *, profile) -> GapReport:
    """What the profile's staffing rules find missing under an area (default: the principal's own)."""
    code = area_code or (principal.scope_code[:12] if principal else None)
    if not code:
        raise Invalid("请指定区域")
    area: Area = access_area(session, principal, code)
    prefix = code_rules.area_prefix(area.code)
    grids = repo.active_grids_under(session, principal, prefix)
    micros = repo.active_micro_grids_under(session, principal, prefix)
    posts = repo.active_posts_under(session, principal, prefix)
    gaps = rules.staffing_gaps(
        profile.staff,
        [rules.GridFact(g.code, g.name, g.kind, g.area_code) for g in grids],
        [rules.MicroGridFact(m.code, m.name, m.grid_code) for m in micros],
        _with_register(session, principal, prefix, posts),
        requirement=profile.requirement,
    )
    names = {c: a.name for c, a in territory_lookup.get_areas(session, {g.area_code for g in gaps}).items()}
    counts: dict[str, int] = {}
    for g in gaps:
        counts[g.kind] = counts.get(g.kind, 0) + 1
    return GapReport(
        area_code=area.code,
        area_name=area.name,
        grids_checked=len(grids),
        counts=counts,
        policy=rules.policy_lines(profile.staff, profile.requirement),
        gaps=[GapRead(kind=g.kind, label=g.label, severity=g.severity, severity_label=g.severity_label, basis=g.basis,
                      grid_code=g.grid_code, grid_name=g.grid_name, grid_kind=g.grid_kind,
                      micro_grid_code=g.micro_grid_code, area_code=g.area_code, area_name=names.get(g.area_code, ""),
                      detail=g.detail) for g in gaps],
    )


GAP_CSV_HEADER = ["村（社区）代码", "村（社区）", "网格编码", "网格名称", "网格类别", "微网格编码", "缺口", "要求",
                  "说明"]


def gaps_csv(report: GapReport) -> str:
    """The gaps as CSV, with a BOM so that Excel opens the Chinese text correctly."""
    return csv_text(GAP_CSV_HEADER, ([g.area_code, g.area_name, g.grid_code, g.grid_name,
                                      GRID_KIND_LABELS.get(g.grid_kind, g.grid_kind), g.micro_grid_code, g.label,
                                      f"{g.severity_label}（{g.basis}）" if g.basis else g.severity_label, g.detail]
                                     for g in report.gaps))
