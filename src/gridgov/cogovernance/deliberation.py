"""Deliberation (议事协商: ZJ§20, JS§9 item 8): grid workers help the residents of a grid or a community
talk a common matter over and decide it; the decision may set a case or a task going, and the community
may have its outcome posted on the public board.

Who: ``deliberation.write`` (the grid's workers, leaders, chief leaders, instructors, agencies) records and
changes a topic inside its jurisdiction; ``cogovernance.read`` (the same holders) reads. A topic outside the
jurisdiction answers 404 like a missing one (the door's rule for :class:`Deliberation`).

- Participants are residents, representatives and officials, by name or only by a count, never by an ID
  number. Names are personal data: lists mask them; the topic's own read shows them, and that view is
  audited (``deliberation_viewed``).
- Meetings carry minutes and attachments: images stored in the case photo store (uploaded through
  ``POST /api/v1/case-photos`` or the page's form, named by SHA-256), served to whoever may see the topic.
- A follow-up case goes through the case intake (:func:`gridgov.cases.report.report_case`) with the
  source ``deliberation`` (议事协商) and a description that opens with the topic (its first file entry
  carries both); a follow-up task is a work order of :mod:`gridgov.instructions` (agencies only, as
  sending work is theirs). Each is linked back to the topic.
- The ledger counts one deliberation per topic, on the day it was RAISED (always known, unlike a first
  meeting that may never be held), in its grid or community; a withdrawn topic takes its line back.
- ``publish`` (the community's decision, given with the decision or later) puts the topic, the decision and
  its date on the board of the grid, or of every grid of the community: never a name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.cases import report
from gridgov.cases import service as case_service
from gridgov.cases.schemas import FollowUpCaseCreate
from gridgov.cases.workflow import STATE_LABELS, CaseState
from gridgov.cogovernance import deliberation_repository as repo
from gridgov.cogovernance import deliberation_rules as rules
from gridgov.cogovernance import ledger
from gridgov.cogovernance.deliberation_schemas import (
    DeliberationCreate,
    DeliberationListItem,
    DeliberationRead,
    DeliberationUpdate,
    FollowUpCreate,
    FollowUpRead,
    MeetingCreate,
    MeetingRead,
    ParticipantIn,
    ParticipantRead,
)
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.instructions import service as instructions
from gridgov.instructions.service import STATUS_LABELS as TASK_STATUS_LABELS
from gridgov.instructions.service import InstructionCreate
from gridgov.kit.clock import local
from gridgov.kit.pagination import PAGE_SIZE, Page
from gridgov.models.cogovernance import ActivityKind
from gridgov.models.deliberation import (
    Deliberation,
    DeliberationFollowUp,
    DeliberationMeeting,
    DeliberationParticipant,
)

register_labels({
    "deliberation_created": "登记议事协商",
    "deliberation_updated": "更新议事协商",
    "deliberation_meeting_added": "记录协商会议",
    "deliberation_participant_added": "添加协商参与人",
    "deliberation_follow_up": "议事协商跟进",
    "deliberation_published": "公开协商结果",
    "deliberation_viewed": "查看议事协商（含姓名）",
})

NOT_FOUND = "议事协商 {} 不存在"
REF = "deliberation"


# ---------------------------------------------------------------------------------------------- reading


def access(session: Session, principal: Principal, deliberation_id: int, *, for_update: bool = False) -> Deliberation:
    found = repo.get(session, principal, deliberation_id, for_update=for_update)
    if found is None:
        raise NotFound(NOT_FOUND.format(deliberation_id))
    return found


def _items(session: Session, principal: Principal, rows: list[Deliberation]) -> list[DeliberationListItem]:
    ids = [r.id for r in rows]
    people = repo.participants(session, ids)
    meetings = repo.meetings(session, ids)
    follow = repo.follow_ups(session, ids)
    names = {code: repo.place_name(session, principal, code) or code for code in {r.area_code for r in rows}}
    return [
        DeliberationListItem(
            id=r.id, area_code=r.area_code, area_name=names[r.area_code],
            level_label=rules.AREA_LEVELS.get(len(r.area_code), ""), topic=r.topic, status=r.status,
            status_label=rules.STATUS_LABELS.get(r.status, r.status), raised_by=rules.mask_name(r.raised_by),
            raised_on=r.raised_on, decided_on=r.decided_on, publish=r.publish,
            headcount=sum(p.headcount for p in people if p.deliberation_id == r.id),
            participant_names=[rules.mask_name(p.name) for p in people if p.deliberation_id == r.id and p.name],
            meetings=sum(1 for m in meetings if m.deliberation_id == r.id),
            follow_ups=sum(1 for f in follow if f.deliberation_id == r.id),
        )
        for r in rows
    ]


def list_deliberations(session: Session, principal: Principal, *, area: str | None = None, status: str | None = None,
                       page: int = 1, page_size: int = PAGE_SIZE) -> Page[DeliberationListItem]:
    if status and status not in rules.STATUS_LABELS:
        raise Invalid(f"状态 {status} 无效，可选：" + "、".join(f"{k}（{v}）" for k, v in rules.STATUS_LABELS.items()),
                      details=[{"field": "status", "error": "取值无效"}])
    if area and (not area.isdigit() or len(area) > 17):
        raise Invalid("区域应为区划代码或网格编码（数字）", details=[{"field": "area", "error": "格式不对"}])
    rows, total = repo.listing(session, principal, area=area or None, status=status or None, limit=page_size,
                               offset=(page - 1) * page_size)
    return Page[DeliberationListItem](items=_items(session, principal, rows), total=total, page=page,
                                      page_size=page_size)


def _follow_up_reads(session: Session, rows: list[DeliberationFollowUp]) -> list[FollowUpRead]:
    cases = repo.case_rows(session, [f.case_id for f in rows if f.case_id])
    tasks = repo.instruction_rows(session, [f.instruction_id for f in rows if f.instruction_id])
    out = []
    for f in rows:
        if f.case_id is not None and f.case_id in cases:
            case_no, title, state = cases[f.case_id]
            out.append(FollowUpRead(id=f.id, kind="case", kind_label=rules.FOLLOW_UP_LABELS["case"], case_no=case_no,
                                    instruction_id=None, title=title,
                                    status_label=STATE_LABELS.get(CaseState(state), state), link=f"/cases/{case_no}"))
        elif f.instruction_id is not None and f.instruction_id in tasks:
            title, status = tasks[f.instruction_id]
            out.append(FollowUpRead(id=f.id, kind="task", kind_label=rules.FOLLOW_UP_LABELS["task"], case_no=None,
                                    instruction_id=f.instruction_id, title=title,
                                    status_label=TASK_STATUS_LABELS.get(status, status),
                                    link=f"/instructions/{f.instruction_id}"))
    return out


def deliberation_read(session: Session, principal: Principal, deliberation_id: int, *, now: datetime,
                      audit: bool = True) -> DeliberationRead:
    """The whole topic with its participants' names in full; the view is audited when it shows a name."""
    row = access(session, principal, deliberation_id)
    item = _items(session, principal, [row])[0]
    people = repo.participants(session, [row.id])
    if audit and (row.raised_by or any(p.name for p in people)):
        record(session, actor=principal, action="deliberation_viewed", now=now, object_type=REF, object_id=row.id,
               area_code=row.area_code[:12])
    return DeliberationRead(
        **{**item.model_dump(), "raised_by": row.raised_by}, description=row.description, decision=row.decision,
        decision_method=row.decision_method, votes_for=row.votes_for, votes_against=row.votes_against,
        votes_abstain=row.votes_abstain, published_at=local(row.published_at) if row.published_at else None,
        participants=[ParticipantRead(id=p.id, kind=p.kind, kind_label=rules.KIND_LABELS.get(p.kind, p.kind),
                                      name=p.name, headcount=p.headcount, organisation=p.organisation)
                      for p in people],
        meeting_list=[MeetingRead(id=m.id, held_on=m.held_on, place=m.place, attendance=m.attendance,
                                  minutes=m.minutes, attachments=list(m.attachments or []))
                      for m in repo.meetings(session, [row.id])],
        follow_up_list=_follow_up_reads(session, repo.follow_ups(session, [row.id])),
    )


def attachment_for(session: Session, principal: Principal, deliberation_id: int, sha256: str) -> str:
    """An attachment may be seen by whoever may see the topic whose meeting carries it; 404 otherwise."""
    access(session, principal, deliberation_id)
    for meeting in repo.meetings(session, [deliberation_id]):
        if sha256 in (meeting.attachments or []):
            return sha256
    raise NotFound("附件不存在")


# ---------------------------------------------------------------------------------------------- writing


def _may_write(principal: Principal) -> None:
    if not principal.can(Permission.DELIBERATION_WRITE):
        raise Forbidden("只有网格员、网格长、总网格长、网格指导员和网格化机构可以组织议事协商")


def _audit(session: Session, principal: Principal, action: str, row: Deliberation, now: datetime, **after) -> None:
    record(session, actor=principal, action=action, now=now, object_type=REF, object_id=row.id,
           area_code=row.area_code[:12], after={"status": row.status, **after})


def _participant(row_id: int, data: ParticipantIn, now: datetime) -> DeliberationParticipant:
    if data.name and data.headcount != 1:
        raise Invalid("填写姓名的参与人人数应为 1；只记人数时不填姓名",
                      details=[{"field": "headcount", "error": "取值无效"}])
    return DeliberationParticipant(deliberation_id=row_id, kind=data.kind, name=data.name, headcount=data.headcount,
                                   organisation=data.organisation, created_at=now)


def create_deliberation(session: Session, principal: Principal, data: DeliberationCreate, *,
                        now: datetime) -> Deliberation:
    _may_write(principal)
    rules.check_area_code(data.area_code)
    if repo.place_name(session, principal, data.area_code) is None:
        raise NotFound(f"网格或村（社区）{data.area_code} 不存在")
    today = local(now).date()
    raised_on = data.raised_on or today
    if raised_on > today:
        raise Invalid("提出日期不能晚于今天", details=[{"field": "raised_on", "error": "取值无效"}])
    row = Deliberation(area_code=data.area_code, topic=data.topic, description=data.description,
                       raised_by=data.raised_by, raised_on=raised_on, status="open", decision="", decision_method="",
                       publish=False, created_by=principal.user_id or None, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    for p in data.participants:
        session.add(_participant(row.id, p, now))
    ledger.record(session, kind=ActivityKind.DELIBERATION, area_code=row.area_code, occurred_on=raised_on,
                  ref_type=REF, ref_id=row.id, now=now)
    _audit(session, principal, "deliberation_created", row, now, topic=row.topic)
    return row


def _set_publish(row: Deliberation, publish: bool, now: datetime) -> None:
    if publish and (row.status not in ("decided", "closed") or not row.decision):
        raise Conflict("只有已形成决定的议题才能公开结果")
    if publish and not row.publish:
        row.published_at = now
    if not publish:
        row.published_at = None
    row.publish = publish


def update_deliberation(session: Session, principal: Principal, deliberation_id: int, data: DeliberationUpdate, *,
                        now: datetime) -> Deliberation:
    """Moves the status (the decision comes with ``decided``) and sets the decision's details."""
    _may_write(principal)
    row = access(session, principal, deliberation_id, for_update=True)
    before = row.status
    target = data.status or row.status
    rules.check_move(row.status, target)
    fields = data.model_dump(exclude_unset=True, exclude={"status", "publish"})
    if fields and target != "decided" and before != "decided":
        raise Conflict("只有形成决定时才能填写决定内容")
    for key, value in fields.items():
        setattr(row, key, "" if value is None and key in ("decision", "decision_method") else value)
    if target == "decided":
        rules.check_decision(row.decision or "", row.decided_on)
        if row.decided_on and row.decided_on < row.raised_on:
            raise Invalid("决定日期不能早于提出日期", details=[{"field": "decided_on", "error": "取值无效"}])
        if row.decided_on and row.decided_on > local(now).date():
            raise Invalid("决定日期不能晚于今天", details=[{"field": "decided_on", "error": "取值无效"}])
    row.status = target
    if data.publish is not None:
        _set_publish(row, data.publish, now)
    if target == "withdrawn":
        row.publish, row.published_at = False, None
        ledger.withdraw(session, ref_type=REF, ref_id=row.id, kind=ActivityKind.DELIBERATION)
    row.updated_at = now
    _audit(session, principal, "deliberation_updated", row, now, before=before, publish=row.publish)
    return row


def publish(session: Session, principal: Principal, deliberation_id: int, value: bool, *,
            now: datetime) -> Deliberation:
    _may_write(principal)
    row = access(session, principal, deliberation_id, for_update=True)
    _set_publish(row, value, now)
    row.updated_at = now
    _audit(session, principal, "deliberation_published", row, now, publish=value)
    return row


def _active(row: Deliberation, what: str) -> None:
    if row.status not in rules.ACTIVE:
        raise Conflict(f"议题{rules.STATUS_LABELS.get(row.status, row.status)}，不能再{what}")


def add_participant(session: Session, principal: Principal, deliberation_id: int, data: ParticipantIn, *,
                    now: datetime) -> DeliberationParticipant:
    _may_write(principal)
    row = access(session, principal, deliberation_id, for_update=True)
    _active(row, "添加参与人")
    person = _participant(row.id, data, now)
    session.add(person)
    row.updated_at = now
    _audit(session, principal, "deliberation_participant_added", row, now, kind=data.kind,
           named=bool(data.name), headcount=data.headcount)
    return person


def add_meeting(session: Session, principal: Principal, deliberation_id: int, data: MeetingCreate, *,
                now: datetime, media_root: Path) -> DeliberationMeeting:
    _may_write(principal)
    row = access(session, principal, deliberation_id, for_update=True)
    _active(row, "记录会议")
    if data.held_on > local(now).date():
        raise Invalid("会议日期不能晚于今天", details=[{"field": "held_on", "error": "取值无效"}])
    if data.held_on < row.raised_on:
        raise Invalid("会议日期不能早于议题提出日期", details=[{"field": "held_on", "error": "取值无效"}])
    case_service.known_photos(media_root, data.attachments)  # 422 for one never uploaded
    meeting = DeliberationMeeting(deliberation_id=row.id, held_on=data.held_on, place=data.place,
                                  attendance=data.attendance, minutes=data.minutes, attachments=data.attachments,
                                  created_by=principal.user_id or None, created_at=now)
    session.add(meeting)
    row.updated_at = now
    _audit(session, principal, "deliberation_meeting_added", row, now, held_on=data.held_on.isoformat())
    return meeting


def _follow_up_grid(session: Session, principal: Principal, row: Deliberation, grid_code: str | None) -> str:
    if len(row.area_code) == 15:
        if grid_code and grid_code != row.area_code:
            raise Invalid("网格议题的跟进只能在本网格", details=[{"field": "grid_code", "error": "取值无效"}])
        return row.area_code
    if not grid_code:
        raise Invalid("社区议题的跟进须选择社区内的一个网格", details=[{"field": "grid_code", "error": "缺少必填项"}])
    if not grid_code.startswith(row.area_code) or repo.place_name(session, principal, grid_code) is None:
        raise NotFound(f"网格 {grid_code} 不存在或不在该社区")
    return grid_code


def add_follow_up(session: Session, principal: Principal, deliberation_id: int, data: FollowUpCreate, *,
                  now: datetime, profile, cipher, media_root: Path, case_types=None) -> DeliberationFollowUp:
    """The decision's follow-up: a case registered through the case intake (grid workers and agencies, as
    anyone registering a case), or a work order sent to the grid (agencies, as sending work is theirs)."""
    _may_write(principal)
    row = access(session, principal, deliberation_id, for_update=True)
    if row.status != "decided":
        raise Conflict("只有已形成决定的议题才能创建跟进事件或工作指令")
    grid = _follow_up_grid(session, principal, row, data.grid_code)
    origin = rules.origin_line(row.id, row.topic)
    text = f"{origin}{data.description or row.decision}"[:4000]
    link = DeliberationFollowUp(deliberation_id=row.id, kind=data.kind, created_by=principal.user_id or None,
                                created_at=now)
    if data.kind == "case":
        try:
            create = FollowUpCaseCreate(title=data.title, description=text, category=data.category,
                                        urgency=data.urgency, source="deliberation", grid_code=grid,
                                        address=data.address or f"（见议事协商 #{row.id}）")
        except ValueError as exc:
            raise Invalid(f"跟进事件的内容有误：{exc}") from exc
        made = report.report_case(session, principal, create, now=now, profile=profile, cipher=cipher,
                                  media_root=media_root, case_types=case_types)
        link.case_id = repo.case_id_of(session, principal, made.case_no)
        detail = made.case_no
    else:
        if data.due_at is None:
            raise Invalid("工作指令须填写完成期限", details=[{"field": "due_at", "error": "缺少必填项"}])
        inst = instructions.send_instruction(
            session, principal, InstructionCreate(kind="work_order", grid_code=grid, title=data.title, content=text,
                                                  category=data.category, due_at=data.due_at),
            now=now, profile=profile)
        link.instruction_id = inst.id
        detail = f"instruction:{inst.id}"
    session.add(link)
    session.flush()
    row.updated_at = now
    _audit(session, principal, "deliberation_follow_up", row, now, kind=data.kind, ref=detail)
    return link
