"""Who may act on a case: the facts about the actor and the case that the lifecycle table needs.

:func:`gridgov.cases.workflow.transition` decides from facts alone; this module works them out from
the rows (the principal's role and place, the case's handling area and departments, its matter's
limits), so :mod:`.actions` (acting) and :mod:`.service` (the actions a reader is offered) ask the
same questions the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import clocks, legal, mediation, unstaffed
from gridgov.cases import repository as repo
from gridgov.cases.workflow import (
    PUBLIC_ROLE,
    Actor,
    AgencyRelation,
    CaseAction,
    CaseState,
    DepartmentPart,
    available_actions,
)
from gridgov.errors import Invalid
from gridgov.models import Case
from gridgov.models.accounts import AGENCY_ROLES, GRID_WORKER_ROLES
from gridgov.territory import rules
from gridgov.territory.service import area_chain


def agency_chain(profile, area_code: str) -> list[str]:
    """The areas above ``area_code`` that have an agency under the profile, nearest first."""
    levels = set(profile.territory.agency_levels)
    above = rules.ancestor_codes(area_code)[:-1]
    return [code for code in reversed(above) if str(rules.area_level(code)) in levels]


def pass_up_target(profile, case: Case, payload: dict[str, Any] | None) -> str:
    """The agency a case is passed up to: the one named (``to_area``) or the next level up; 422 when
    the named area has no agency above the case. Whether a named level beyond the next may be
    reached is the lifecycle table's question (``skips_level`` under ``level_by_level``)."""
    chain = agency_chain(profile, case.handling_area_code)
    named = (payload or {}).get("to_area")
    if named in (None, ""):
        return chain[0] if chain else ""
    if not isinstance(named, str) or named not in chain:
        levels = "、".join(chain) or "无"
        raise Invalid(f"提交至的区域 {named} 不是该事件的上级网格化机构（可选：{levels}）")
    return named


def pass_up_areas(session: Session, profile, case: Case) -> list[dict[str, str]]:
    """The agencies a pass-up may reach, nearest first, with their names (the page's choice): the
    next level only under ``level_by_level`` (QZ§17), every level above otherwise."""
    chain = agency_chain(profile, case.handling_area_code)
    reachable = chain[:1] if profile.cases.level_by_level else chain
    names = {a.code: a.name for a in area_chain(session, case.handling_area_code)}
    return [{"code": code, "name": names.get(code, code)} for code in reachable]


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


_WORKERS_STATES = frozenset({CaseState.REPORTED, CaseState.VERIFIED})
"""Where a case is still its grid's workers' (verify, solve on site, escalate, reject): the only
states where a grid with no worker on post asks for someone else (:mod:`.unstaffed`)."""


def actor_of(session: Session, principal: Principal, case: Case, profile, depts=None) -> Actor:
    """The facts about ``principal`` the lifecycle table needs. ``depts``: the case's active
    departments when the caller has them already (saves a query).

    A worker of a neighbouring grid the case is assigned to serves the case's grid; the agency
    holding a case whose grid has no worker on post stands in as the profile allows
    (:mod:`.unstaffed`). Both are asked only while the case is still its grid's workers'."""
    relation = _relation(principal, case, profile)
    serves = case.grid_code.startswith(principal.scope_code) and len(principal.scope_code) >= 15
    if not serves and principal.role in GRID_WORKER_ROLES and case.state in _WORKERS_STATES:
        serves = unstaffed.assigned_to(session, case, principal.user_id)
    ways: frozenset[str] = frozenset()
    reporter = is_reporter(principal, case)
    if relation is AgencyRelation.SAME and case.state in _WORKERS_STATES:
        ways = unstaffed.ways(session, case, profile)
    return Actor(
        role=principal.role,
        serves_case_grid=serves,
        agency_relation=relation,
        department=_department_part(session, principal, case, depts),
        can_see=True,
        is_reporter=reporter,
        gave_evaluation=reporter and case.state == CaseState.CLOSED and _gave_evaluation(session, principal, case),
        alerted=bool(principal.department_code) and case.urgency != "normal"
        and repo.is_alerted(session, case.id, principal.department_code),
        stands_in=unstaffed.AGENCY_VERIFIES in ways,
        may_assign=unstaffed.NEIGHBOUR_WORKER in ways and case.state == CaseState.REPORTED,
        referred=legal.is_referred(session, principal, case),
        mediating=case.state == CaseState.MEDIATING and mediation.is_mediating(session, principal, case),
    )


def is_reporter(principal: Principal, case: Case) -> bool:
    """Whether the principal raised the case. A resident (:data:`PUBLIC_ROLE`, no account: its user
    id is None) is let in by :mod:`gridgov.public.report` with the case's tracking code or its phone,
    as a principal bound to the case's grid; it is the reporter of a resident report only."""
    if principal.role == PUBLIC_ROLE:
        return case.source == "resident" and case.reporter_user_id is None and principal.covers(case.grid_code)
    return principal.user_id is not None and case.reporter_user_id == principal.user_id


def _gave_evaluation(session: Session, principal: Principal, case: Case) -> bool:
    """Whether the case's current evaluation is the reporter's own: the last feedback or evaluation
    in its file was the principal's (for a resident, one taken in the public role)."""
    last = repo.last_evaluation_entry(session, case.id)
    if last is None:
        return False
    if principal.role == PUBLIC_ROLE:
        return last.role == PUBLIC_ROLE
    return last.actor_id == principal.user_id


def may_alert(session: Session, case: Case, profile) -> bool:
    """Whether the case still has to go straight to its competent department (LZ§16): the profile
    says urgent cases do, this one is urgent, and no department was sent it yet."""
    return (profile.cases.emergency_to_department and case.urgency != "normal"
            and not repo.alerted_departments(session, case.id))


def facts_of(case: Case, profile, now: datetime, payload: dict[str, Any] | None = None, *,
             limits=None, alert: bool = False) -> dict[str, Any]:
    """``limits``: the case's own (its matter's over the profile's, see :func:`clocks.limits_of_case`);
    the profile's when not given. ``alert``: :func:`may_alert`'s answer."""
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
        "reopen_window": timedelta(days=limits.reopen_days),
        "level_by_level": profile.cases.level_by_level,
        "skips_level": _skips_level(profile, case, payload),
        "dispute_settled_by": profile.cases.dispute_settled_by,
        "to": (payload or {}).get("to"),
        "may_alert": alert,
        "is_dispute": mediation.is_dispute(case),
    }


def _skips_level(profile, case: Case, payload: dict[str, Any] | None) -> bool:
    """Whether a pass-up names an agency beyond the next level up (QZ§17 逐级: not allowed there)."""
    named = (payload or {}).get("to_area")
    if not named:
        return False
    chain = agency_chain(profile, case.handling_area_code)
    return bool(chain) and named != chain[0]


def actions_for(session: Session, principal: Principal, case: Case, *, now: datetime, profile, depts=None,
                limits=None) -> list[CaseAction]:
    """``depts``, ``limits``: the case's when the caller has them (saves the queries)."""
    actor = actor_of(session, principal, case, profile, depts)
    limits = limits or clocks.limits_of_case(session, case.category, profile, strict=False)
    return available_actions(case.state, actor, **facts_of(case, profile, now, limits=limits,
                                                           alert=may_alert(session, case, profile)))
