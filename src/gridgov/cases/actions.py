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

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.calendar import load_work_calendar
from gridgov.cases import clocks
from gridgov.cases import repository as repo
from gridgov.cases.deadlines import CLOCK_STARTS, CLOCK_STOPS
from gridgov.cases.payload import validate_payload
from gridgov.cases.service import (
    access_case,
    add_photos,
    busy_is_conflict,
    known_photos,
    log_action,
)
from gridgov.cases.workflow import (
    ACTION_LABELS,
    Actor,
    AgencyRelation,
    CaseAction,
    CaseState,
    DepartmentPart,
    available_actions,
    transition,
)
from gridgov.errors import Invalid
from gridgov.models import Case, CaseDepartment, SupervisionOrder
from gridgov.models.accounts import Role
from gridgov.notify import Notice, notify
from gridgov.territory import rules

REOPEN_WINDOW = timedelta(days=30)
"""How long after closing an unsatisfied case may be reopened. No regulation sets it; a local
setting until the profile carries one."""

AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_DISPATCHER})


# ---------------------------------------------------------------------------------------------
# Facts for the table


def agency_chain(profile, area_code: str) -> list[str]:
    """The areas above ``area_code`` that have an agency under the profile, nearest first."""
    levels = set(profile.territory.agency_levels)
    above = rules.ancestor_codes(area_code)[:-1]
    return [code for code in reversed(above) if str(rules.area_level(code)) in levels]


def _relation(principal: Principal, case: Case, profile) -> AgencyRelation:
    if principal.role not in AGENCY_ROLES:
        return AgencyRelation.NONE
    if principal.scope_code == case.handling_area_code:
        return AgencyRelation.SAME
    chain = agency_chain(profile, case.handling_area_code)
    if chain and principal.scope_code == chain[0]:
        return AgencyRelation.PARENT
    if principal.scope_code in chain[1:]:
        return AgencyRelation.HIGHER
    return AgencyRelation.NONE


def _department_part(session: Session, principal: Principal, case: Case, depts=None) -> DepartmentPart:
    if not principal.department_code:
        return DepartmentPart.NONE
    if principal.department_code == case.lead_department_code:
        return DepartmentPart.LEAD
    for cd, _dept in depts if depts is not None else repo.departments_of(session, case.id):
        if cd.department_code == principal.department_code and cd.part == "assisting":
            return DepartmentPart.ASSISTING
    return DepartmentPart.NONE


def actor_of(session: Session, principal: Principal, case: Case, profile, depts=None) -> Actor:
    """The facts about ``principal`` the lifecycle table needs. ``depts``: the case's active
    departments when the caller has them already (saves a query)."""
    return Actor(
        role=principal.role,
        serves_case_grid=case.grid_code.startswith(principal.scope_code) and len(principal.scope_code) >= 15,
        agency_relation=_relation(principal, case, profile),
        department=_department_part(session, principal, case, depts),
        can_see=True,
        is_reporter=case.reporter_user_id == principal.user_id,
    )


def facts_of(case: Case, profile, now: datetime, payload: dict[str, Any] | None = None, *,
             limits=None) -> dict[str, Any]:
    """``limits``: the case's own (its matter's over the profile's, see :func:`clocks.limits_of_case`);
    the profile's when not given."""
    limits = limits or profile.cases.limits
    return {
        "has_level_above": bool(agency_chain(profile, case.handling_area_code)),
        "has_lead_department": case.lead_department_code is not None,
        "extension_pending": case.extension_request_days is not None,
        "extensions_used": case.extensions_used,
        "max_extensions": limits.max_extensions,
        "evaluation": case.evaluation,
        "closed_at": case.closed_at,
        "now": now,
        "reopen_window": REOPEN_WINDOW,
        "dispute_settled_by": profile.cases.dispute_settled_by,
        "to": (payload or {}).get("to"),
    }


def actions_for(session: Session, principal: Principal, case: Case, *, now: datetime, profile, depts=None,
                limits=None) -> list[CaseAction]:
    """``depts``, ``limits``: the case's when the caller has them (saves the queries)."""
    actor = actor_of(session, principal, case, profile, depts)
    limits = limits or clocks.limits_of_case(session, case.category, profile, strict=False)
    return available_actions(case.state, actor, **facts_of(case, profile, now, limits=limits))


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
    return data


def _department(session: Session, case: Case, code: str, label: str):
    dept = repo.get_department(session, code)
    if dept is None or not dept.is_active or not case.grid_code.startswith(rules.area_prefix(dept.area_code)):
        raise Invalid(f"{label} {code} 不存在，或不负责该事项所在区域")
    return dept


# ---------------------------------------------------------------------------------------------
# Acting


def act(session: Session, principal: Principal, case_no: str, action: str, payload: dict[str, Any], *,
        now: datetime, profile, media_root: Path) -> Case:
    try:
        action = CaseAction(action)
    except ValueError as exc:
        raise Invalid(f"未知的操作 {action}") from exc
    case = access_case(session, principal, case_no, for_update=True)
    data = _normalise(action, payload)
    limits = clocks.limits_of_case(session, case.category, profile)
    problems = validate_payload(action, data, max_extension_days=limits.extension_working_days, now=now)
    if problems:
        raise Invalid("；".join(problems), details=[{"field": "", "error": p} for p in problems])
    outcome = transition(case.state, action, actor_of(session, principal, case, profile),
                         **facts_of(case, profile, now, data, limits=limits))
    photos = known_photos(media_root, list(data.get("photos") or []) + list(data.get("attachments") or []))
    if action in (CaseAction.DISPATCH, CaseAction.DECIDE):
        lead = _department(session, case, data["lead_department"], "牵头部门")
        assisting = [_department(session, case, c, "协办部门") for c in data.get("assisting_departments") or []]

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
    if action is CaseAction.REOPEN and outcome.to_state is CaseState.IN_PROGRESS:
        clocks.start(session, case.id, "handling", now, limits, calendar, case.urgency)

    if action in (CaseAction.SOLVE_ON_SITE, CaseAction.SOLVE, CaseAction.HANDLE):
        case.result = data["result"]
    elif action is CaseAction.PASS_UP:
        above = agency_chain(profile, case.handling_area_code)[0]
        logged["from_area"], logged["to_area"] = case.handling_area_code, above
        case.handling_area_code, case.handling_level = above, str(rules.area_level(above))
    elif action in (CaseAction.DISPATCH, CaseAction.DECIDE):
        for cd, _dept in repo.departments_of(session, case.id):
            cd.ended_at = now
        session.add(CaseDepartment(case_id=case.id, department_code=lead.code, part="lead", dispatched_at=now))
        for dept in assisting:
            session.add(CaseDepartment(case_id=case.id, department_code=dept.code, part="assisting", dispatched_at=now))
        case.lead_department_code = lead.code
        logged["lead_department"] = lead.code
        logged["assisting_departments"] = [d.code for d in assisting]
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
    elif action is CaseAction.REOPEN:
        logged["previous_evaluation"] = case.evaluation
        case.closed_at = None
        case.evaluation = None
    elif action is CaseAction.SUPERVISE:
        order = _supervise(session, principal, case, data, now)
        logged["supervision_order"] = order.id
        logged["due_at"] = order.due_at.isoformat()
    add_photos(session, case, photos, str(action), principal.user_id, now)

    note = str(data.get("reason") or data.get("result") or data.get("instruction") or data.get("note") or "")
    case.state = str(outcome.to_state)
    case.updated_at = now
    entry = log_action(session, case, principal, str(action), now=now, from_state=str(outcome.from_state),
                       to_state=str(outcome.to_state), note=note, data=logged, attachments=list(photos))
    with busy_is_conflict():
        session.flush()
    _tell_next(session, case, action, entry.seq, now, profile)
    return case


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
                  CaseAction.HANDLE, CaseAction.SOLVE_ON_SITE):
        return agency()
    if action in (CaseAction.DISPATCH, CaseAction.DECIDE):
        users = lead([Role.DEPT_RECEIVER])
        for cd, _d in repo.departments_of(session, case.id):
            if cd.part == "assisting":
                users += repo.department_users(session, cd.department_code, [Role.DEPT_RECEIVER, Role.DEPT_HANDLER])
        return users
    if action in (CaseAction.GRANT_EXTENSION, CaseAction.REFUSE_EXTENSION, CaseAction.REWORK):
        return lead([Role.DEPT_RECEIVER, Role.DEPT_HANDLER])
    if action is CaseAction.RAISE_DISPUTE:
        chain = agency_chain(profile, case.handling_area_code)
        decider = chain[0] if profile.cases.dispute_settled_by == "agency_above" and chain else case.handling_area_code
        return repo.agency_users(session, decider)
    if action is CaseAction.SUPERVISE:
        if case.state in (CaseState.DISPATCHED, CaseState.IN_PROGRESS):
            return lead([Role.DEPT_RECEIVER, Role.DEPT_HANDLER])
        return agency()
    if action in (CaseAction.SOLVE, CaseAction.CHECK) and case.reporter_user_id:
        return [case.reporter_user_id]
    if action is CaseAction.REOPEN:
        return lead([Role.DEPT_RECEIVER, Role.DEPT_HANDLER]) if case.state == CaseState.IN_PROGRESS else agency()
    return []


def _tell_next(session: Session, case: Case, action: CaseAction, seq: int, now: datetime, profile) -> None:
    users = sorted(set(_next_users(session, case, action, profile)))
    message = f"事项 {case.case_no}「{case.title}」已{ACTION_LABELS[action]}，请及时处理"
    notify(session, [Notice(uid, str(action), message, f"case:{case.case_no}:{seq}:{uid}", case.id,
                            f"/cases/{case.case_no}") for uid in users], now=now)
