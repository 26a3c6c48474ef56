"""Acting on a case: every action goes through the lifecycle table, then its side effects here.

``act()`` reads the case (404 if hidden), validates the payload (422), asks
:func:`gridgov.cases.workflow.transition` (409 for the state, 403 for the actor), applies what the
action implies (clocks, departments, extensions, results, supervision orders), appends the file
entry and says who must act next. A refused action raises before anything is written, and the edge
rolls back whatever a failure leaves, so a refused action changes nothing.

Concurrency: ``cases.version`` is SQLAlchemy's version counter, so two people acting on one case at
once cannot both win: the second UPDATE finds the version moved and gets 409 (on PostgreSQL the row
is also locked while the first acts, so the second usually sees the new state and gets 409 from the
table itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.calendar import load_work_calendar
from gridgov.cases import casetypes, clocks, facts_store, legal, mediation, unstaffed
from gridgov.cases import repository as repo
from gridgov.cases.actors import actor_of, agency_chain, facts_of, may_alert, pass_up_target
from gridgov.cases.deadlines import CLOCK_STARTS, CLOCK_STOPS, ClockKind
from gridgov.cases.payload import validate_payload
from gridgov.cases.resident_messages import tell_resident
from gridgov.cases.schemas import CaseRead
from gridgov.cases.service import (
    access_case,
    add_photos,
    busy_is_conflict,
    case_read,
    check_category,
    known_photos,
    log_action,
    matter_of_type,
)
from gridgov.cases.workflow import (
    ACTION_LABELS,
    OPEN_STATES,
    PUBLIC_ROLE,
    CaseAction,
    CaseState,
    dispatchable_level,
    transition,
)
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import local
from gridgov.models import Case, CaseDepartment, SupervisionOrder
from gridgov.models.accounts import DEPARTMENT_ROLES, Role
from gridgov.notify import Notice, notify, settle
from gridgov.notify.department import notify_department_at_once
from gridgov.territory import rules
from gridgov.territory.service import area_chain

# ---------------------------------------------------------------------------------------------
# The payload


def _normalise(action: CaseAction, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    if isinstance(data.get("due_at"), str):
        try:
            data["due_at"] = datetime.fromisoformat(data["due_at"])
        except ValueError as exc:
            raise Invalid("督办期限应为 ISO 8601 时间，例如 2026-11-30T17:00:00+08:00") from exc
    if isinstance(data.get("days"), str) and data["days"].strip().isdigit():
        data["days"] = int(data["days"])
    if action is CaseAction.REOPEN and data.get("to") not in (None, "", *CaseState):
        raise Invalid("重新办理只能转为“处置中”或“已受理”")
    if data.get("to") == "":
        data["to"] = None
    for key in ("worker", "body"):
        if isinstance(data.get(key), str) and data[key].strip().isdigit():
            data[key] = int(data[key])
    return data


def _department(session: Session, case: Case, code: str, label: str):
    dept = repo.get_department(session, code)
    if dept is None or not dept.is_active or not case.grid_code.startswith(rules.area_prefix(dept.area_code)):
        raise Invalid(f"{label} {code} 不存在，或不负责该事件所在区域")
    return dept


def _within_reach(case: Case, departments) -> None:
    """A dispatch goes to departments of the case's handling level, below it, or the county's
    (:func:`gridgov.cases.workflow.dispatchable_level`): 422 otherwise, as the form never offers them."""
    far = [d for d in departments if not dispatchable_level(d.level, case.handling_level)]
    if far:
        names = "、".join(d.name for d in far)
        raise Invalid(f"{names}的层级高于本事件的承办层级，不能分派；请先提交上级网格化机构",
                      details=[{"field": "lead_department", "error": "层级过高"}])


# ---------------------------------------------------------------------------------------------
# Acting

_DISPATCHES = (CaseAction.DISPATCH, CaseAction.DECIDE)


@dataclass(frozen=True)
class Acted:
    """A case just acted on, with what the action read that answering needs again (read once):
    the limits it ran on, and the case's departments when it read them and did not change them."""

    case: Case
    limits: Any
    depts: list | None = None


def act(session: Session, principal: Principal, case_no: str, action: str, payload: dict[str, Any], *,
        now: datetime, profile, media_root: Path, case_types: casetypes.CaseTypes | None = None,
        cipher=None) -> Case:
    return take_action(session, principal, case_no, action, payload, now=now, profile=profile,
                       media_root=media_root, case_types=case_types, cipher=cipher).case


def act_and_read(session: Session, principal: Principal, case_no: str, action: str, payload: dict[str, Any], *,
                 now: datetime, profile, media_root: Path, case_types=None, cipher=None) -> CaseRead:
    """:func:`act`, then the case as the API answers it, on the limits the action read."""
    acted = take_action(session, principal, case_no, action, payload, now=now, profile=profile, media_root=media_root,
                        case_types=case_types, cipher=cipher)
    return case_read(session, principal, acted.case, now=now, profile=profile, limits=acted.limits,
                     depts=acted.depts, case_types=case_types)


def take_action(session: Session, principal: Principal, case_no: str, action: str, payload: dict[str, Any], *,
                now: datetime, profile, media_root: Path, case_types: casetypes.CaseTypes | None = None,
                cipher=None) -> Acted:
    """``case_types``: the types in use (the app's, GRIDGOV_CASE_TYPES), else the shipped ones (``classify``).
    ``cipher``: the app's field cipher (``mediate`` seals the parties with it)."""
    try:
        action = CaseAction(action)
    except ValueError as exc:
        raise Invalid(f"未知的操作 {action}") from exc
    case = access_case(session, principal, case_no, for_update=True)
    data = _normalise(action, payload)
    # Read once, used throughout: the matter's limits (payload bounds, the table's facts, the clocks,
    # the answer) and the case's departments (the actor's part, and the ones a dispatch ends).
    limits = clocks.limits_of_case(session, case.category, profile)
    needs_depts = case.lead_department_code and (principal.department_code or action in _DISPATCHES)
    depts = repo.departments_of(session, case.id) if needs_depts else []
    problems = validate_payload(action, data, max_extension_days=limits.extension_working_days, now=now)
    if problems:
        raise Invalid("；".join(problems), details=[{"field": "", "error": p} for p in problems])
    above = pass_up_target(profile, case, data) if action is CaseAction.PASS_UP else None
    outcome = transition(case.state, action, actor_of(session, principal, case, profile, depts),
                         **facts_of(case, profile, now, data, limits=limits, alert=may_alert(session, case, profile)))
    photos = known_photos(media_root, list(data.get("photos") or []) + list(data.get("attachments") or []))
    if action is CaseAction.MERGE:
        target = _merge_target(session, principal, case, data["into"])
    if action is CaseAction.DECIDE:
        decision = _decision(session, principal, data, profile)
    if action is CaseAction.REFER_LEGAL:
        professional = legal.professional_to_refer(session, case, data, now)
    if action is CaseAction.CLASSIFY:
        kind, category = _classification(session, case, data, case_types or casetypes.load(None, profile), now, profile)
    alerted = _emergency_department(session, case, action, data, profile)
    if action in _DISPATCHES:
        lead = _department(session, case, data["lead_department"], "牵头部门")
        assisting = [_department(session, case, c, "协办部门") for c in data.get("assisting_departments") or []]
        _within_reach(case, [lead, *assisting])

    calendar = load_work_calendar(session)
    logged: dict[str, Any] = {}
    for kind in CLOCK_STOPS.get(action, ()):
        final = clocks.stop(session, case.id, kind, now)
        if final:
            logged[f"{kind}_clock"] = final
    for kind in CLOCK_STARTS.get(action, ()):
        replaced = clocks.start(session, case.id, kind, now, limits, calendar, case.urgency)
        if replaced:
            logged[f"previous_{kind}_clock"] = replaced
    if action is CaseAction.REOPEN:
        # Back to the department: a fresh handling period; back to the agency: it dispatches again.
        again = "handling" if outcome.to_state is CaseState.IN_PROGRESS else "dispatch"
        clocks.start(session, case.id, again, now, limits, calendar, case.urgency)
    if alerted is not None:
        session.add(CaseDepartment(case_id=case.id, department_code=alerted.code, part=repo.ALERTED,
                                   dispatched_at=now))
        clocks.start(session, case.id, ClockKind.EMERGENCY, now, limits, calendar, case.urgency)
        logged["emergency_department"] = alerted.code

    if action in (CaseAction.SOLVE_ON_SITE, CaseAction.SOLVE, CaseAction.HANDLE):
        case.result = data["result"]
    elif action is CaseAction.PASS_UP:
        logged["from_area"], logged["to_area"] = case.handling_area_code, above
        case.handling_area_code, case.handling_level = above, str(rules.area_level(above))
    elif action in _DISPATCHES:
        for cd, _dept in depts:
            if cd.part != repo.ALERTED:  # an emergency report stays until its department acknowledges it
                cd.ended_at = now
        session.add(CaseDepartment(case_id=case.id, department_code=lead.code, part="lead", dispatched_at=now))
        for dept in assisting:
            session.add(CaseDepartment(case_id=case.id, department_code=dept.code, part="assisting", dispatched_at=now))
        case.lead_department_code = lead.code
        logged["lead_department"] = lead.code
        logged["assisting_departments"] = [d.code for d in assisting]
        if action is CaseAction.DECIDE:
            logged.update(decision)
    elif action is CaseAction.REQUEST_EXTENSION:
        case.extension_request_days = data["days"]
        logged["days"] = data["days"]
    elif action is CaseAction.GRANT_EXTENSION:
        moved = clocks.extend(session, case.id, case.extension_request_days, calendar, limits)
        logged["days"], logged["handling_due_at"] = case.extension_request_days, moved.due_at.isoformat()
        case.extensions_used += 1
        case.extension_request_days = None
    elif action is CaseAction.REFUSE_EXTENSION:
        case.extension_request_days = None
    elif action is CaseAction.REWORK:
        case.rework_count += 1
    elif action is CaseAction.FEEDBACK:
        case.evaluation = data["evaluation"]
        case.closed_at = now
        logged["evaluation"] = data["evaluation"]
    elif action is CaseAction.EVALUATE:  # the reporter's own word on a closed case; the closure stands
        logged["previous_evaluation"] = case.evaluation
        case.evaluation = data["evaluation"]
        logged["evaluation"] = data["evaluation"]
    elif action is CaseAction.REOPEN:
        logged["previous_evaluation"] = case.evaluation
        case.closed_at = None
        case.evaluation = None
    elif action is CaseAction.ASSIST_REPORT:
        logged["department"] = principal.department_code
    elif action is CaseAction.ACKNOWLEDGE:
        for cd in repo.alerts_of(session, case.id, principal.department_code):
            cd.ended_at = now
        logged["department"] = principal.department_code
    elif action is CaseAction.ASSIGN:
        assigned, previous = unstaffed.assign(session, principal, case, data["worker"], profile=profile, now=now)
        logged["worker"], logged["worker_grid"] = assigned.user_id, assigned.grid_code
        if previous is not None:
            logged["previous_worker"] = previous.user_id
    elif action is CaseAction.SUPERVISE:
        order = _supervise(session, principal, case, data, now)
        logged["supervision_order"] = order.id
        logged["due_at"] = order.due_at.isoformat()
    elif action is CaseAction.CLASSIFY:
        logged.update(type=kind.code, category=category, previous_type=case.type_code,
                      previous_category=case.category)
        case.type_code, case.category = kind.code, category
    elif action is CaseAction.REFER_LEGAL:
        logged.update(legal.refer(session, principal, case, professional, data, now))
    elif action is CaseAction.LEGAL_OPINION:
        logged.update(legal.answer(session, principal, case, data, now))
        settle(session, case_id=case.id, now=now, kinds=[str(CaseAction.REFER_LEGAL)])
    elif action is CaseAction.MERGE:
        case.merged_into_id, case.closed_at = target.id, now
        logged["into"] = target.case_no
        data["note"] = "；".join(filter(None, [f"与事件 {target.case_no} 重复，已并入该事件", data.get("note")]))
    elif action in mediation.ACTIONS:  # issue 18: the mediation's rows, the parties masked in the file
        logged.update(mediation.apply(session, principal, case, action, data, now=now, cipher=cipher))
    add_photos(session, case, photos, str(action), principal.user_id, now)

    note = str(data.get("reason") or data.get("result") or data.get("instruction") or data.get("note") or "")
    case.state = str(outcome.to_state)
    case.updated_at = now
    entry = log_action(session, case, principal, str(action), now=now, from_state=str(outcome.from_state),
                       to_state=str(outcome.to_state), note=note, data=logged, attachments=list(photos))
    if action is CaseAction.MERGE:  # the other end of the link, in the other case's file
        target.updated_at = now
        log_action(session, target, principal, MERGED_IN, now=now, from_state=target.state, to_state=target.state,
                   note=f"事件 {case.case_no} 与本事件重复，已并入", data={"from": case.case_no})
    with busy_is_conflict():
        session.flush()
    facts_store.save_facts(session, [case.id, target.id if action is CaseAction.MERGE else None], now,
                           calendar=calendar)
    # The step the case's open to-dos asked for is taken, whoever took it (an assisting department's
    # report is not the lead's step: the lead's to-do stays open).
    if action not in _SIDE and action is not CaseAction.ASSIST_REPORT:
        settle(session, case_id=case.id, now=now)
    _tell_next(session, case, action, entry.seq, now, profile)
    if alerted is not None:
        notify_department_at_once(session, alerted.code, kind="case_emergency", now=now, case_id=case.id,
                                  dedupe_key=f"case:{case.case_no}:emergency:{entry.seq}:",
                                  link=f"/cases/{case.case_no}",
                                  message=f"紧急事件 {case.case_no}「{case.title}」已直报你部门，请立即处置并确认接报")
    _tell_reporter(session, principal, case, action, entry.seq, now, lead if action in _DISPATCHES else None)
    if principal.role != PUBLIC_ROLE:  # the resident's own evaluation tells it nothing by SMS
        tell_resident(session, case, action, seq=entry.seq, reason=note, now=now, profile=profile)
    return Acted(case, limits, depts if needs_depts and action not in _DISPATCHES else None)


def _classification(session: Session, case: Case, data: dict[str, Any], types: casetypes.CaseTypes, now: datetime,
                    profile) -> tuple[casetypes.CaseType, str]:
    """The type (a 小类) and the matter a ``classify`` gives the case: the matter named, or the type's matter
    that may be named at the case's grid today; 422 in Chinese for a type or matter that cannot be."""
    kind = types.subtype(str(data["type"]).strip())
    named = str(data.get("category") or "").strip()
    if not named:
        return kind, matter_of_type(session, case.grid_code, kind, now, profile)
    check_category(session, case.grid_code, named, local(now).date(), profile)
    return kind, named


MERGED_IN = "merged_in"
"""The file entry of a case another one was merged into (the merge itself is in the duplicate's file)."""


def _merge_target(session: Session, principal: Principal, case: Case, into: str) -> Case:
    """The open case a duplicate is merged into: one the principal sees, not the duplicate itself."""
    into = into.strip()
    if into == case.case_no:
        raise Invalid("不能把事件合并到它自己")
    target = repo.get_case(session, principal, into, for_update=True)
    if target is None:
        raise Invalid(f"事件 {into} 不存在或不在你的辖区内", details=[{"field": "into", "error": "取值无效"}])
    if CaseState(target.state) not in OPEN_STATES or target.merged_into_id is not None:
        raise Conflict(f"事件 {into} 已办结或已被合并，不能并入")
    return target


DECISION_ABOVE = "party_committee_or_government"


def _decision(session: Session, principal: Principal, data: dict[str, Any], profile) -> dict[str, str]:
    """Who decided a responsibility dispute and by which document, for the file (ZJ§14: 协调不成的，
    报同级党委或者政府研究决定). Where the profile sends disputes to the party committee or government,
    the agency records their decision: body and document reference are required. Where an agency
    settles it (QZ, JM§24 …), the body is that agency unless named, and a reference is optional."""
    body = str(data.get("deciding_body") or "").strip()
    document = str(data.get("decision_document") or "").strip()
    if profile.cases.dispute_settled_by == DECISION_ABOVE:
        missing = [label for value, label in ((body, "决定机关"), (document, "决定文号")) if not value]
        if missing:
            text = f"职责争议协调不成的，由同级党委或者政府研究决定（ZJ§14）：请填写{'和'.join(missing)}"
            raise Invalid(text, details=[{"field": f, "error": "必填"} for f, v in
                                         (("deciding_body", body), ("decision_document", document)) if not v])
    elif not body:
        chain = area_chain(session, principal.scope_code)
        body = f"{chain[-1].name}网格化机构" if chain else "网格化机构"
    return {"deciding_body": body, "decision_document": document}


def _emergency_department(session: Session, case: Case, action: CaseAction, data: dict[str, Any], profile):
    """The competent department an urgent case goes to at once as well (LZ§16, where the profile's
    ``cases.emergency_to_department`` says so), or None. ``alert``: the one the agency names (the
    table allowed it). ``escalate``: the one the worker names (``department``), else the nearest
    department of the kind of the matter the case names, else none yet (the agency alerts it then).
    422 when a department is named where nothing is sent to one."""
    named = data.get("department") or None
    if action is CaseAction.ALERT:
        return _department(session, case, named, "相关主管部门")
    if action is not CaseAction.ESCALATE:
        return None
    if not profile.cases.emergency_to_department:
        if named:
            raise Invalid("本地政策未规定上报时同时直报主管部门，请不要指定相关主管部门")
        return None
    if case.urgency == "normal":
        if named:
            raise Invalid("只有紧急事件才同时直报相关主管部门")
        return None
    if named:
        return _department(session, case, named, "相关主管部门")
    kind = repo.matter_department_kind(session, case.category)
    return repo.nearest_department(session, case.grid_code, kind) if kind else None


def _supervise(session: Session, principal: Principal, case: Case, data: dict[str, Any],
               now: datetime) -> SupervisionOrder:
    dispatched = case.state in (CaseState.DISPATCHED, CaseState.IN_PROGRESS) and case.lead_department_code
    order = SupervisionOrder(
        case_id=case.id, issued_by=principal.user_id, issuer_area_code=principal.scope_code,
        target_department_code=case.lead_department_code if dispatched else None,
        target_area_code=None if dispatched else case.handling_area_code,
        instruction=data["instruction"], due_at=data["due_at"], issued_at=now,
    )
    session.add(order)
    session.flush()
    return order


# ---------------------------------------------------------------------------------------------
# Who acts next


def _next_users(session: Session, case: Case, action: CaseAction, profile) -> list[int]:
    def agency() -> list[int]:
        return repo.agency_users(session, case.handling_area_code)

    def lead(roles: list[Role]) -> list[int]:
        return repo.department_users(session, case.lead_department_code, roles) if case.lead_department_code else []

    if action in (CaseAction.ESCALATE, CaseAction.PASS_UP, CaseAction.RETURN, CaseAction.REQUEST_EXTENSION,
                  CaseAction.HANDLE, CaseAction.SOLVE_ON_SITE, CaseAction.ACKNOWLEDGE):
        return agency()
    if action in (CaseAction.DISPATCH, CaseAction.DECIDE):
        users = lead([Role.DEPT_RECEIVER])
        for cd, _d in repo.departments_of(session, case.id):
            if cd.part == "assisting":
                users += repo.department_users(session, cd.department_code, DEPARTMENT_ROLES)
        return users
    if action in (CaseAction.GRANT_EXTENSION, CaseAction.REFUSE_EXTENSION, CaseAction.REWORK,
                  CaseAction.ASSIST_REPORT):
        return lead(DEPARTMENT_ROLES)
    if action is CaseAction.RAISE_DISPUTE:
        chain = agency_chain(profile, case.handling_area_code)
        decider = chain[0] if profile.cases.dispute_settled_by == "agency_above" and chain else case.handling_area_code
        return repo.agency_users(session, decider)
    if action is CaseAction.SUPERVISE:
        if case.state in (CaseState.DISPATCHED, CaseState.IN_PROGRESS):
            return lead(DEPARTMENT_ROLES)
        return agency()
    if action in (CaseAction.SOLVE, CaseAction.CHECK, CaseAction.MERGE) and case.reporter_user_id:
        return [case.reporter_user_id]
    if action is CaseAction.REOPEN:
        return lead(DEPARTMENT_ROLES) if case.state == CaseState.IN_PROGRESS else agency()
    if action is CaseAction.REFER_LEGAL:
        return legal.referred_users(session, case)
    if action is CaseAction.ASSIGN:
        assigned = repo.active_assignment(session, case.id)
        return [assigned.user_id] if assigned else []
    if action is CaseAction.MEDIATE:
        return mediation.mediators_of_case(session, case)
    if action is CaseAction.MEDIATION_FAILED:
        return agency()
    return []


_SIDE = frozenset({CaseAction.COMMENT, CaseAction.ATTACH, CaseAction.SUPERVISE, CaseAction.CLASSIFY,
                   CaseAction.REFER_LEGAL, CaseAction.LEGAL_OPINION})
"""Actions beside the lifecycle: they settle no to-do (a supervision order's is settled by its answer; giving
a case its type leaves the step its workers or agency owe still open; a legal opinion settles only the
referral's to-do)."""


def _tell_reporter(session: Session, principal: Principal, case: Case, action: CaseAction, seq: int,
                   now: datetime, lead) -> None:
    """The worker who reported the case is told (information, not a to-do) when it is dispatched and
    when it ends, unless it took that step itself (D6: the result goes back to whoever raised it)."""
    uid = case.reporter_user_id
    if uid is None or uid == principal.user_id:
        return
    if lead is not None:
        kind, message = "case_dispatched", f"你上报的事件 {case.case_no}「{case.title}」已分派至{lead.name}办理"
    elif (case.state in (CaseState.CLOSED, CaseState.REJECTED)
          and action not in (CaseAction.REOPEN, CaseAction.MERGE)):  # a merge tells the reporter itself
        ended = "已结案" if case.state == CaseState.CLOSED else "不予受理"
        kind, message = "case_closed", f"你上报的事件 {case.case_no}「{case.title}」{ended}"
    else:
        return
    notify(session, [Notice(uid, kind, message, f"case:{case.case_no}:{seq}:r{uid}", case.id,
                            f"/cases/{case.case_no}")], now=now)


def _tell_next(session: Session, case: Case, action: CaseAction, seq: int, now: datetime, profile) -> None:
    users = sorted(set(_next_users(session, case, action, profile)))
    message = f"事件 {case.case_no}「{case.title}」已{ACTION_LABELS[action]}，请及时处理"
    if action is CaseAction.MERGE:
        into = repo.case_no_by_id(session, case.merged_into_id)
        message = f"你上报的事件 {case.case_no}「{case.title}」与事件 {into} 重复，已并入该事件，请在该事件中跟进"
    elif action is CaseAction.ASSIST_REPORT:  # information for the lead: the assisting part is reported
        message = f"协办部门已报送事件 {case.case_no}「{case.title}」的协办情况，请查看"
    notify(session, [Notice(uid, str(action), message, f"case:{case.case_no}:{seq}:{uid}", case.id,
                            f"/cases/{case.case_no}") for uid in users], now=now)
