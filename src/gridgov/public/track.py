"""What a resident may learn of its report, and its evaluation (issue 17; D6, QZ§17, LZ§16).

The door is the tracking code (or a pass for a phone proven by an SMS code, :meth:`Guard.issue_pass`):
a wrong code answers exactly like an unknown case (404, one message), and every wrong code counts
against the case number (``track_case``) and every lookup against the IP (``track_ip``), so codes
cannot be guessed. Once through, the case is opened as the resident principal bound to its grid.

The public timeline holds the public steps only (:data:`PUBLIC_STEPS`), with their dates and state
labels, the reason of a refusal, the result once the case is resolved and the photos of the result.
Never a staff name, a phone, a department's internal note or a step between staff (returns,
disputes, extensions, supervision, comments).

Evaluation (满意/基本满意/不满意 + comment): a ``resolved`` case takes it as the reporter's
``feedback`` (which closes it); a case ``closed`` without the resident's word takes it as
``evaluate`` (the state stays). An unsatisfied evaluation within the reopen window
(``cases.limits.reopen_days`` of the case's matter) reopens the case through the state machine, as
the reporter; past the window it is recorded and the answer says so. Every step is a file entry.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.cases import casetypes
from gridgov.cases.actions import take_action
from gridgov.cases.service import access_case
from gridgov.cases.workflow import EVALUATION_LABELS, PUBLIC_ROLE, STATE_LABELS, CaseState, StateRefused
from gridgov.errors import Conflict, NotFound
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case
from gridgov.models.resident import ResidentReport
from gridgov.public import guard as guards
from gridgov.public import report_repository as repo
from gridgov.public.report import check_code, check_mobile, normalise_code, phone_index, resident_in, tracking_hash
from gridgov.public.report_schemas import (
    EvaluationAnswer,
    EvaluationCreate,
    PhoneCases,
    PhoneLookup,
    PublicCase,
    PublicPhoto,
    TimelineStep,
)

NOT_FOUND = "没有找到该事件：请核对事件编号和查询码"

PUBLIC_STEPS = {
    "create": "已收到上报",
    "verify": "网格员已核实",
    "reject": "不予受理",
    "escalate": "已上报网格化机构",
    "accept": "网格化机构已受理",
    "dispatch": "已分派职能部门办理",
    "sign": "职能部门已签收办理",
    "handle": "职能部门已办结",
    "check": "办理结果已核查",
    "solve": "网格化机构已协调解决",
    "solve_on_site": "网格员已现场处置",
    "feedback": "已评价，事件已结案",
    "evaluate": "提出人已评价",
    "reopen": "已重新办理",
    "merge": "与同一问题的事件合并办理",
    "mediate": "已移交调解组织调解",
    "settle": "调解达成协议，事件已结案",
    "mediation_failed": "调解未达成协议，由网格化机构继续办理",
}
"""The steps a resident is shown, and how they read."""

RESULT_STAGES = ("handle", "solve", "solve_on_site")
SHOWS_RESULT = frozenset({CaseState.RESOLVED, CaseState.CLOSED})


def open_report(session: Session, case_no: str, code: str, *, cipher: FieldCipher, guard: guards.Guard, ip: str,
                now: datetime, for_update: bool = False) -> tuple[ResidentReport, Case]:
    """The report and its case for whoever holds its tracking code (or a pass for its phone); 404
    like an unknown case otherwise. Limited per IP and, for wrong codes, per case number."""
    guard.hit("track_ip", ip, now, session=session)
    case_no = (case_no or "").strip()[:32]
    guard.check("track_case", case_no, now)
    report = repo.report_of(session, case_no, for_update=for_update)
    if report is None or not _holds(report, code, cipher, guard, now):
        guard.hit("track_case", case_no, now, session=session)
        raise NotFound(NOT_FOUND)
    return report, access_case(session, resident_in(report.grid_code), case_no, for_update=for_update)


def _holds(report: ResidentReport, code: str, cipher: FieldCipher, guard: guards.Guard, now: datetime) -> bool:
    if (code or "").startswith("p."):
        return guard.pass_phone(code, now) == report.phone_index
    return bool(normalise_code(code)) and tracking_hash(cipher, report.case_no, code) == report.tracking_hash


def public_case(session: Session, report: ResidentReport, case: Case, *, case_types: casetypes.CaseTypes,
                photo_url: str = "/api/v1/public/cases/{case_no}/photos/{sha256}") -> PublicCase:
    entries = repo.public_log(session, case.id, tuple(PUBLIC_STEPS))
    steps = [TimelineStep(at=e.at, label=PUBLIC_STEPS[e.action], state=e.to_state,
                          state_label=STATE_LABELS.get(e.to_state, e.to_state), text=_text(e))
             for e in entries]
    shows = case.state in SHOWS_RESULT
    photos = repo.result_photos(session, case.id, RESULT_STAGES) if shows else []
    merged = None
    if case.merged_into_id is not None:
        merged = next((e.data or {}).get("into") for e in reversed(entries) if e.action == "merge")
    kind = case_types.get(case.type_code)
    last = next((e for e in reversed(entries) if e.action in ("feedback", "evaluate")), None)
    return PublicCase(
        case_no=case.case_no, type_name=kind.name if kind else "", state=case.state,
        state_label=STATE_LABELS.get(case.state, case.state), reported_at=case.created_at, closed_at=case.closed_at,
        result=case.result if shows else "",
        result_photos=[PublicPhoto(sha256=h, url=photo_url.format(case_no=case.case_no, sha256=h)) for h in photos],
        timeline=steps, evaluation=case.evaluation if case.state == CaseState.CLOSED else None,
        evaluation_label=EVALUATION_LABELS.get(case.evaluation, "") if case.state == CaseState.CLOSED else "",
        may_evaluate=merged is None and (case.state == CaseState.RESOLVED or (
            case.state == CaseState.CLOSED and (last is None or last.role != PUBLIC_ROLE))),
        merged_into=merged)


def _text(entry) -> str:
    """What a step says to the public: the reason of a refusal, the evaluation, a merge's case;
    nothing else a member of staff wrote."""
    data = entry.data or {}
    if entry.action == "reject":
        return entry.note
    if entry.action in ("feedback", "evaluate"):
        return EVALUATION_LABELS.get(data.get("evaluation"), "")
    if entry.action == "merge":
        return f"已并入事件 {data.get('into', '')}"
    return ""


def photo_of(session: Session, case: Case, sha256: str) -> str:
    """A photo of the result of a case the resident opened (404 for any other)."""
    if case.state not in SHOWS_RESULT or sha256 not in repo.result_photos(session, case.id, RESULT_STAGES):
        raise NotFound("照片不存在")
    return sha256


def lookup_phone(session: Session, data: PhoneLookup, *, cipher: FieldCipher, guard: guards.Guard, ip: str,
                 now: datetime, case_types: casetypes.CaseTypes) -> PhoneCases:
    """The reports of a phone proven by an SMS code (purpose ``track``), newest first, and a pass
    that stands for the phone for 30 minutes (in place of the tracking codes)."""
    guard.hit("track_ip", ip, now, session=session)
    phone = check_mobile(data.phone)
    index = phone_index(cipher, phone)
    check_code(session, cipher, guard, index, "track", data.sms_code, now)
    cases = []
    for report in repo.reports_of_phone(session, index):
        case = access_case(session, resident_in(report.grid_code), report.case_no)
        cases.append(public_case(session, report, case, case_types=case_types))
    return PhoneCases(access=guard.issue_pass(index, now), cases=cases)


def evaluate(session: Session, case_no: str, data: EvaluationCreate, *, profile, cipher: FieldCipher,
             guard: guards.Guard, ip: str, now: datetime, media_root: Path) -> EvaluationAnswer:
    report, case = open_report(session, case_no, data.code, cipher=cipher, guard=guard, ip=ip, now=now,
                               for_update=True)
    if case.merged_into_id is not None:
        raise Conflict("该事件已与同一问题的事件合并办理，请对合并后的事件评价")
    resident = resident_in(report.grid_code)
    payload = {"evaluation": str(data.evaluation), "note": data.comment}
    if case.state == CaseState.RESOLVED:
        take_action(session, resident, case.case_no, "feedback", payload, now=now, profile=profile,
                    media_root=media_root)
    elif case.state == CaseState.CLOSED:
        take_action(session, resident, case.case_no, "evaluate", payload, now=now, profile=profile,
                    media_root=media_root)
    else:
        raise Conflict(f"事件当前状态为“{STATE_LABELS.get(case.state, case.state)}”，办结后才能评价")
    report.evaluation, report.evaluation_comment, report.evaluated_at = str(data.evaluation), data.comment, now
    label = EVALUATION_LABELS[data.evaluation]
    reopened, message = False, f"感谢评价（{label}），事件已结案"
    if data.evaluation == "unsatisfied":
        reason = "群众评价不满意" + (f"：{data.comment}" if data.comment else "")
        try:
            take_action(session, resident, case.case_no, "reopen", {"reason": reason}, now=now, profile=profile,
                        media_root=media_root)
        except StateRefused as exc:
            message = f"评价已记录（不满意）；{exc.message}，事件不再重新办理。如有需要请重新上报或拨打 12345 热线"
        else:
            reopened, message = True, "评价已记录（不满意），事件已重新办理，办理结果将再次告知您"
    return EvaluationAnswer(case_no=case.case_no, evaluation=str(data.evaluation), evaluation_label=label,
                            reopened=reopened, state=case.state, state_label=STATE_LABELS.get(case.state, case.state),
                            message=message)
