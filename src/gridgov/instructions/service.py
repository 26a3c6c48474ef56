"""Instructions (统一交办; D9, ZJ§10, JM§23): work the agency sends to the workers of a grid.

An agency whose jurisdiction holds the grid sends a clue to verify (``clue``) or a work order
(``work_order``) with a due time; the grid's workers are told; one of them completes it with a
result and may open a case from it. Departments may not assign work to grid staff (JM§23): a
department's *request* is stored as ``requested`` and reaches the grid only when an agency approves
it (``sent``), or it is refused with a reason (``refused``).

Listed work only (C2, D9; ZJ§8, JS§16, QZ§14): an instruction names a matter, and
:func:`check_instruction_matter` lets it reach grid staff only when the matter is in force at the
grid that day, is not on a negative list and holds no power the profile keeps off the list; before
any list governs the grid, the profile's initial categories stand in. It is checked when an agency
sends, when a department asks and again when the agency approves. A worker may then ``refuse``
(:func:`refuse_work`) sent work for a reason the profile's ``staff.may_refuse`` allows: mostly a
matter that left the list after sending (an exit, or a temporary item past its end date), work
that needs administrative powers, or unlawful work; the status becomes ``declined`` (the column
holds 12 characters) with the reason in ``result``, an audit entry, and the sending agency told.

Statuses: requested → sent | refused; sent → completed | declined. Each change is a conditional
UPDATE on the status it expects, so two people deciding at once cannot both win (409).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible
from gridgov.cases import recipients
from gridgov.cases.deadlines import Urgency
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.service import category_choices, choices_text, create_case
from gridgov.catalogue import lookup
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.instructions import repository as instructions_repo
from gridgov.kit.clock import local
from gridgov.models import Department, Grid, Instruction, Matter
from gridgov.models.accounts import AGENCY_ROLES, DEPARTMENT_ROLES, GRID_WORKER_ROLES
from gridgov.models.territory import GridStatus
from gridgov.notify import Notice, notify, settle
from gridgov.policy.schema import VALUE_LABELS, Refusable
from gridgov.territory import rules

KIND_LABELS = {"clue": "待核查线索", "work_order": "工作指令"}
STATUS_LABELS = {"requested": "待机构审核", "sent": "已交办", "completed": "已完成", "refused": "未同意",
                 "declined": "网格员已拒绝"}
NOT_FOUND = "交办事项 {} 不存在"
DEPARTMENTS_MUST_ASK = ("联动部门不能直接向网格员交办工作：请向网格化治理机构提出交办申请，"
                        "经机构审核同意后由机构统一交办")


# ---------------------------------------------------------------------------------------------
# Shapes


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("时间须带时区，例如 2026-11-30T17:00:00+08:00")
    return value


class InstructionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["clue", "work_order"] = Field(title="类型")
    grid_code: str = Field(pattern=r"^\d{15}$", title="网格编码")
    title: str = Field(min_length=2, max_length=100, title="标题")
    content: str = Field(min_length=1, max_length=4000, title="内容")
    category: str = Field(min_length=1, max_length=32, title="类别")
    due_at: datetime = Field(title="完成期限")

    check_due = field_validator("due_at")(_aware)


class InstructionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field("", max_length=2000, title="意见或理由")
    due_at: datetime | None = Field(None, title="完成期限（同意时可改）")

    check_due = field_validator("due_at")(_aware)


class InstructionResult(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    result: str = Field("", max_length=4000, title="完成情况")


class InstructionCase(BaseModel):
    """Opening a case from an instruction: what the case needs beyond what the instruction says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(None, min_length=2, max_length=100, title="标题（默认取交办标题）")
    description: str = Field("", max_length=4000, title="描述")
    category: str | None = Field(None, max_length=32, title="类别（默认取交办类别）")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    discovered_at: datetime | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    address: str = Field("", max_length=200, title="地址")
    photos: list[str] = Field(default_factory=list, max_length=9)


class InstructionRefusal(BaseModel):
    """``POST /instructions/{id}/refuse``: an agency refusing a department's request gives a
    ``reason``; a grid worker refusing sent work also gives ``reason_kind`` (staff.may_refuse)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field("", max_length=2000, title="理由")
    reason_kind: Refusable | None = Field(None, title="拒绝理由类别（网格员）")


class InstructionRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    grid_code: str
    title: str
    content: str
    category: str
    status: str
    status_label: str
    due_at: datetime
    overdue: bool
    requested_by_department: str | None
    requested_by_department_name: str | None
    sent_at: datetime | None
    decision_note: str
    completed_at: datetime | None
    result: str
    created_at: datetime
    case_no: str | None


# ---------------------------------------------------------------------------------------------
# Checks


def _basis(profile, path: str = "staff.may_refuse") -> str:
    """The articles a refusal rests on, as the profile cites them (e.g. "（ZJ§8）"); empty when the
    setting is a plain local default."""
    if profile is None:
        return ""
    req = profile.requirement(path)  # a local default cites no article: it is not the law's refusal
    return f"（{req.basis}）" if req.legal else ""


def check_instruction_matter(session: Session, profile, grid_code: str, category: str, day: date) -> Matter | None:
    """May this work be sent to the grid's staff on ``day``? The matter it names, or None while no
    list governs the grid (then the profile's categories stand in; ``profile`` None skips that).

    422: not a matter in force there (the message names the choices); 409: on a negative list, or a
    matter holding a power the profile keeps off the list (LZ§15, JS§16). Each cites the articles
    of the profile's ``staff.may_refuse`` (ZJ§8, JS§16, QZ§14)."""
    basis = _basis(profile)
    if not lookup.has_catalogue(session, grid_code):
        if profile is not None and profile.cases.category(category) is None:
            raise Invalid(f"类别 {category} 不在可选范围内："
                          f"{choices_text(category_choices(session, grid_code, day, profile))}",
                          details=[{"field": "category", "error": "取值无效"}])
        return None
    if lookup.on_negative_list(session, grid_code, category, day):
        raise Conflict(f"事项 {category} 列入负面清单，不得交由网格员承担{basis}")
    matter = lookup.matter_in_force(session, grid_code, category, day)
    if matter is None:
        choices = choices_text(category_choices(session, grid_code, day, profile)) if profile is not None else ""
        raise Invalid(f"事项 {category} 不在该网格适用的事项清单内（或已退出清单），不得交办网格员{basis}"
                      + (f"。可选事项：{choices}" if choices else ""),
                      details=[{"field": "category", "error": "取值无效"}])
    forbidden = (profile.catalogue.forbidden_power_types if profile is not None
                 else ["licensing", "penalty", "compulsion"])
    if matter.power_type in forbidden:
        raise Conflict(f"事项 {matter.code}（{matter.name}）"
                       f"属于{VALUE_LABELS.get(matter.power_type, matter.power_type)}，"
                       "应由行政机关工作人员实施，"
                       f"不得交办网格员{_basis(profile, 'catalogue.forbidden_power_types') or basis}")
    return matter


def _check_due(due_at: datetime, now: datetime) -> None:
    if due_at <= now:
        raise Invalid("完成期限应晚于现在", details=[{"field": "due_at", "error": "取值无效"}])


def _grid(session: Session, principal: Principal, code: str) -> Grid:
    grid = get_visible(session, principal, Grid, code)
    if grid is None or grid.status != GridStatus.ACTIVE:
        raise NotFound(f"网格 {code} 不存在")
    return grid


def _is_agency_over(principal: Principal, grid_code: str) -> bool:
    return principal.role in AGENCY_ROLES and principal.can(Permission.CASES_CREATE) and principal.covers(grid_code)


def _is_worker_of(principal: Principal, grid_code: str) -> bool:
    return principal.role in GRID_WORKER_ROLES and principal.scope_code == grid_code


# ---------------------------------------------------------------------------------------------
# Reading


def access_instruction(session: Session, principal: Principal, instruction_id: int, *,
                       for_update: bool = False) -> Instruction:
    """An instruction the principal may see (the door's rule for ``Instruction``: departments their
    own requests, agencies by grid, grid staff only what was sent to them); 404 otherwise."""
    found = instructions_repo.get_instruction(session, principal, instruction_id, for_update=for_update)
    if found is None:
        raise NotFound(NOT_FOUND.format(instruction_id))
    return found


def reads(session: Session, rows: list[Instruction], now: datetime) -> list[InstructionRead]:
    cases = instructions_repo.case_numbers(session, [r.id for r in rows])
    depts = instructions_repo.department_names(session, {r.requested_by_department for r in rows
                                                         if r.requested_by_department})
    return [
        InstructionRead(
            id=r.id, kind=r.kind, kind_label=KIND_LABELS.get(r.kind, r.kind), grid_code=r.grid_code, title=r.title,
            content=r.content, category=r.category, status=r.status, status_label=STATUS_LABELS.get(r.status, r.status),
            due_at=local(r.due_at), overdue=r.status in ("requested", "sent") and r.due_at < now,
            requested_by_department=r.requested_by_department,
            requested_by_department_name=depts.get(r.requested_by_department),
            sent_at=local(r.sent_at) if r.sent_at else None, decision_note=r.decision_note,
            completed_at=local(r.completed_at) if r.completed_at else None, result=r.result,
            created_at=local(r.created_at), case_no=cases.get(r.id),
        )
        for r in rows
    ]


def list_instructions(session: Session, principal: Principal, *, now: datetime, status: str | None = None,
                      grid: str | None = None, limit: int = 200) -> list[InstructionRead]:
    rows = instructions_repo.list_instructions(session, principal, status=status, grid=grid, limit=limit)
    return reads(session, rows, now)


def instruction_read(session: Session, principal: Principal, instruction_id: int, *, now: datetime) -> InstructionRead:
    return reads(session, [access_instruction(session, principal, instruction_id)], now)[0]


# ---------------------------------------------------------------------------------------------
# Sending, requesting, deciding


def _tell_workers(session: Session, inst: Instruction, now: datetime) -> None:
    message = f"收到{KIND_LABELS[inst.kind]}：{inst.title}（期限 {local(inst.due_at):%m-%d %H:%M}）"
    workers = recipients.grid_worker_users(session, inst.grid_code)
    notify(session, [Notice(uid, "instruction_sent", message, f"instruction:{inst.id}:sent:{uid}", None,
                            f"/instructions/{inst.id}") for uid in workers],
           now=now)


def _audit(session: Session, principal: Principal, action: str, inst: Instruction, now: datetime, **after) -> None:
    record(session, actor=principal, action=action, now=now, object_type="instruction", object_id=inst.id,
           area_code=inst.grid_code, after={"status": inst.status, **after})


def send_instruction(session: Session, principal: Principal, data: InstructionCreate, *, now: datetime,
                     profile) -> Instruction:
    """An agency sends work to the workers of a grid in its jurisdiction."""
    if principal.role in DEPARTMENT_ROLES:
        raise Forbidden(DEPARTMENTS_MUST_ASK)
    if principal.role not in AGENCY_ROLES or not principal.can(Permission.CASES_CREATE):
        raise Forbidden("只有网格化治理机构可以向网格交办工作")
    grid = _grid(session, principal, data.grid_code)
    check_instruction_matter(session, profile, grid.code, data.category, local(now).date())
    _check_due(data.due_at, now)
    inst = Instruction(kind=data.kind, grid_code=grid.code, title=data.title, content=data.content,
                       category=data.category, status="sent", due_at=data.due_at, sent_by=principal.user_id,
                       sent_at=now, created_at=now, decision_note="", result="")
    session.add(inst)
    session.flush()
    _audit(session, principal, "instruction_sent", inst, now, kind=inst.kind, title=inst.title)
    _tell_workers(session, inst, now)
    return inst


def request_instruction(session: Session, principal: Principal, data: InstructionCreate, *, now: datetime,
                        profile) -> Instruction:
    """A department asks the agency to send work to a grid; nothing reaches the grid until approved."""
    if principal.role not in DEPARTMENT_ROLES or not principal.department_code:
        raise Forbidden("交办申请由联动部门提出；网格化治理机构可直接交办")
    grid = _grid(session, principal, data.grid_code)
    check_instruction_matter(session, profile, grid.code, data.category, local(now).date())
    _check_due(data.due_at, now)
    inst = Instruction(kind=data.kind, grid_code=grid.code, title=data.title, content=data.content,
                       category=data.category, status="requested", due_at=data.due_at,
                       requested_by_department=principal.department_code, requested_by=principal.user_id,
                       created_at=now, decision_note="", result="")
    session.add(inst)
    session.flush()
    _audit(session, principal, "instruction_requested", inst, now, kind=inst.kind, title=inst.title)
    dept = get_visible(session, SYSTEM, Department, principal.department_code)
    agencies = {*recipients.agency_users(session, rules.parent_area_code(grid.area_code))}
    if dept is not None:
        agencies |= set(recipients.agency_users(session, dept.area_code))
    name = dept.name if dept else principal.department_code
    notify(session, [Notice(uid, "instruction_requested", f"{name}申请向网格交办：{inst.title}，请审核",
                            f"instruction:{inst.id}:requested:{uid}", None, f"/instructions/{inst.id}")
                     for uid in sorted(agencies)], now=now)
    return inst


def _move(session: Session, inst: Instruction, expected: str, *, now: datetime, **values) -> None:
    """The conditional status change: 409 when someone else moved it first."""
    if not instructions_repo.move(session, inst.id, expected, **values):
        raise Conflict("该交办事项刚被他人处理，请刷新后重试")
    settle(session, dedupe_prefix=f"instruction:{inst.id}:", now=now)  # its to-dos: the step is taken


def decide_request(session: Session, principal: Principal, instruction_id: int, *, approve: bool,
                   data: InstructionDecision, now: datetime, profile=None) -> Instruction:
    """An agency approves a department's request (it is sent to the grid) or refuses it with a reason.
    Approving checks the matter again: it may have left the list since the department asked."""
    inst = access_instruction(session, principal, instruction_id)
    if not _is_agency_over(principal, inst.grid_code):
        raise Forbidden("只有网格化治理机构可以审核交办申请")
    if inst.status != "requested":
        raise Conflict(f"该交办事项{STATUS_LABELS.get(inst.status, inst.status)}，不能再审核")
    if approve:
        check_instruction_matter(session, profile, inst.grid_code, inst.category, local(now).date())
        due = data.due_at or inst.due_at
        _check_due(due, now)
        _move(session, inst, "requested", now=now, status="sent", due_at=due, sent_by=principal.user_id, sent_at=now,
              decision_note=data.reason)
        _audit(session, principal, "instruction_approved", inst, now, due_at=due.isoformat())
        _tell_workers(session, inst, now)
        told = f"交办申请「{inst.title}」已同意并交办网格"
    else:
        if not data.reason:
            raise Invalid("不同意交办申请须说明理由", details=[{"field": "reason", "error": "缺少必填项"}])
        _move(session, inst, "requested", now=now, status="refused", decision_note=data.reason)
        _audit(session, principal, "instruction_refused", inst, now, reason=data.reason)
        told = f"交办申请「{inst.title}」未获同意：{data.reason[:60]}"
    if inst.requested_by:
        notify(session, [Notice(inst.requested_by, "instruction_approved" if approve else "instruction_refused", told,
                                f"instruction:{inst.id}:{inst.status}:{inst.requested_by}", None,
                                f"/instructions/{inst.id}")], now=now)
    return inst


# ---------------------------------------------------------------------------------------------
# Completing, and opening a case


def complete_instruction(session: Session, principal: Principal, instruction_id: int, result: str, *,
                         now: datetime) -> Instruction:
    """A worker of the grid reports the work done; the agency that sent it (and the requesting
    department) are told."""
    inst = access_instruction(session, principal, instruction_id)
    if not _is_worker_of(principal, inst.grid_code):
        raise Forbidden("只有该网格的网格员可以办结交办事项")
    result = (result or "").strip()
    if not result:
        raise Invalid("请填写完成情况", details=[{"field": "result", "error": "缺少必填项"}])
    if inst.status != "sent":
        raise Conflict(f"该交办事项{STATUS_LABELS.get(inst.status, inst.status)}，不能再办结")
    _move(session, inst, "sent", now=now, status="completed", completed_by=principal.user_id, completed_at=now,
          result=result)
    _audit(session, principal, "instruction_completed", inst, now)
    told = {inst.sent_by} | ({inst.requested_by} if inst.requested_by else set())
    notify(session, [Notice(uid, "instruction_completed", f"交办事项「{inst.title}」已完成：{result[:60]}",
                            f"instruction:{inst.id}:completed:{uid}", None, f"/instructions/{inst.id}")
                     for uid in sorted(u for u in told if u)], now=now)
    return inst


def refusal_choices(profile) -> list[tuple[str, str]]:
    """The reasons a worker may give under the profile (staff.may_refuse), with their labels: what
    the refuse form offers (empty: the form is not shown)."""
    return [(k, VALUE_LABELS[k]) for k in profile.staff.may_refuse]


def _still_listed(session: Session, profile, inst: Instruction, day: date) -> bool:
    try:
        check_instruction_matter(session, profile, inst.grid_code, inst.category, day)
    except (Invalid, Conflict):
        return False
    return True


def refuse_work(session: Session, principal: Principal, instruction_id: int, data: InstructionRefusal, *,
                now: datetime, profile) -> Instruction:
    """A worker of the grid refuses sent work for a reason the profile allows (ZJ§8: off the list;
    JS§16, QZ§14: also administrative powers and unlawful work). ``off_list`` is checked against the
    list in force today, so it cannot be claimed for listed work; the other reasons are the worker's
    judgement of what is asked and need an explanation. The agency that sent it (and a requesting
    department) are told; the refusal is audited."""
    inst = access_instruction(session, principal, instruction_id)
    if not _is_worker_of(principal, inst.grid_code):
        raise Forbidden("只有该网格的网格员可以拒绝交办事项")
    allowed = list(profile.staff.may_refuse)
    basis = _basis(profile)
    if not allowed:
        raise Forbidden("本地规定未列明网格员可以拒绝的事项：对交办有异议的，请向网格化治理机构反映")
    kinds = "、".join(f"{k}（{label}）" for k, label in refusal_choices(profile))
    if data.reason_kind is None:
        raise Invalid(f"请选择拒绝理由{basis}：{kinds}", details=[{"field": "reason_kind", "error": "缺少必填项"}])
    if data.reason_kind not in allowed:
        raise Invalid(f"“{VALUE_LABELS[data.reason_kind]}”不是本地规定{basis}网格员可以拒绝的理由；可选：{kinds}",
                      details=[{"field": "reason_kind", "error": "取值无效"}])
    if inst.status != "sent":
        raise Conflict(f"该交办事项{STATUS_LABELS.get(inst.status, inst.status)}，不能再拒绝")
    reason = data.reason
    day = local(now).date()
    if data.reason_kind == "off_list":
        if _still_listed(session, profile, inst, day):
            others = "；如认为交办内容违法或须行使行政职权，请选择相应理由" if len(allowed) > 1 else ""
            raise Conflict(f"事项 {inst.category} 仍在该网格适用的事项清单内，不能以“超出事项清单”为由拒绝{others}")
        reason = reason or f"事项 {inst.category} 已不在该网格适用的事项清单内（{day:%Y-%m-%d}）"
    elif not reason:
        raise Invalid("请说明拒绝的具体理由", details=[{"field": "reason", "error": "缺少必填项"}])
    text = f"网格员拒绝：{VALUE_LABELS[data.reason_kind]}{basis}。理由：{reason}"
    _move(session, inst, "sent", now=now, status="declined", result=text)
    power = instructions_repo.power_type(session, inst.category)
    record(session, actor=principal, action="instruction_declined", now=now, object_type="instruction",
           object_id=inst.id, area_code=inst.grid_code, before={"status": "sent"},
           after={"status": "declined", "reason_kind": data.reason_kind, "reason": reason,
                  "basis": basis.strip("（）"), "matter": inst.category, "power_type": power})
    sender_area = instructions_repo.user_area(session, inst.sent_by) if inst.sent_by else None
    told = set(recipients.agency_users(session, sender_area)) if sender_area else set()
    told |= {u for u in (inst.sent_by, inst.requested_by) if u}
    notify(session, [Notice(uid, "instruction_declined", f"网格员拒绝了交办事项「{inst.title}」：{text[:80]}",
                            f"instruction:{inst.id}:declined:{uid}", None, f"/instructions/{inst.id}")
                     for uid in sorted(told)], now=now)
    return inst


def open_case(session: Session, principal: Principal, instruction_id: int, data: InstructionCase, *, now: datetime,
              profile, cipher, media_root: Path):
    """A worker of the grid registers a case found while working on the instruction (one per
    instruction). It is the worker's own finding, so it starts verified; ``instruction_id`` ties it
    back; its source is ``instruction``. Returns the :class:`gridgov.cases.service.NewCase`."""
    inst = access_instruction(session, principal, instruction_id, for_update=True)
    if not _is_worker_of(principal, inst.grid_code):
        raise Forbidden("只有该网格的网格员可以由交办事项上报事件")
    if inst.status not in ("sent", "completed"):
        raise Conflict(f"该交办事项{STATUS_LABELS.get(inst.status, inst.status)}，不能上报事件")
    existing = instructions_repo.case_of(session, inst.id)
    if existing:
        raise Conflict(f"该交办事项已登记为事项 {existing}")
    has_point = data.lon is not None and data.lat is not None
    try:
        case_data = CaseCreate(
            title=data.title or inst.title, description=data.description or inst.content,
            category=data.category or inst.category, urgency=data.urgency, source="instruction",
            discovered_at=data.discovered_at, lon=data.lon, lat=data.lat, crs=data.crs,
            grid_code=None if has_point else inst.grid_code, address=data.address or "（见交办事项）",
            photos=data.photos, instruction_id=inst.id,
        )
    except ValueError as exc:
        raise Invalid(f"上报事件的内容有误：{exc}") from exc
    return create_case(session, principal, case_data, now=now, profile=profile, cipher=cipher, media_root=media_root)
