"""The lifecycle of a case as a pure state machine.

``TRANSITIONS[(state, action)]`` says where an action leads and which kinds of actor may take it:
the one place where a transition is allowed or refused (payloads: :mod:`.payload`). The service
computes the facts about the actor (:class:`Actor`) and the case (the keyword context of
:func:`transition`) and applies the side effects; it never holds a second rule set. Refusals: the
state (or a condition such as "no extension left") → :class:`StateRefused`, 409; the actor → :class:`ActorRefused`, 403.

Decisions where the spec leaves room:

- A grid leader (网格长) counts as a grid worker of its grid (verify, solve on the spot, escalate,
  reject). A worker may reject a case only while it is still the worker's (reported, verified).
- A department's receiver (受理员) may also handle; handling, notes and extension requests belong to
  the lead department; assisting departments add notes with ``comment``.
- ``decide`` follows ``dispute_settled_by``: ``agency_above`` → the agency of the level above;
  ``same_level_agency`` and ``party_committee_or_government`` → the agency of the same level, which
  records the party committee's or government's decision (ZJ§14) or settles it itself (JM§24).
- ``pass_up`` needs a level above (``has_level_above``) and goes to the next level with an agency
  unless the agency names a higher one (``to_area``); under ``level_by_level`` (QZ§17 逐级受理、办理)
  skipping a level is the actor's refusal (403). Only the agency holding the case acts as the agency
  (``Who.AGENCY`` is the same level): a higher one cannot act on what has not reached it.
- ``reopen`` leads back to the lead department (in_progress) if any, else to the agency (accepted);
  the agency may choose with ``to=``.
- ``alert``/``acknowledge`` (LZ§16): an urgent case escalated goes to its competent department too (when
  known, :mod:`.actions`; else the agency's ``alert``), which acknowledges it: its ``emergency`` clock stops.
- A resident who reported through the public channel (:data:`PUBLIC_ROLE`, no account) is the
  case's reporter: it gives the feedback that closes a resolved case, or evaluates a case closed
  without its word (``evaluate``: the state stays), and may reopen it after its own unsatisfied
  evaluation within the reopen window (``Who.EVALUATING_REPORTER``; the agency may reopen too).
- The auditor and the system administrator are not parties to a case: they never act on it.
- A grid with no worker on post: the agency verifies and accepts, or assigns (:mod:`.unstaffed`).
- Working with others (issue 18): the agency holding a case, or a worker of its grid, refers it to a
  legal professional (``refer_legal``: the state stays), who answers with ``legal_opinion``. The agency
  passes an accepted dispute (矛盾纠纷, ``is_dispute``) to a mediation body (``mediate`` → mediating, ZJ§17);
  that body's mediator records each session (``record_mediation``) and the outcome: an agreement closes
  the case (``settle``), a failure returns it to the agency (``mediation_failed`` → accepted) with where
  it went next (litigation, arbitration, petition…).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from gridgov.cases.vocabulary import (  # noqa: F401 (re-exported: the lifecycle's words are read from here)
    ACTION_LABELS,
    EVALUATION_LABELS,
    OPEN_STATES,
    STATE_LABELS,
    TERMINAL_STATES,
    CaseAction,
    CaseState,
    Evaluation,
)
from gridgov.errors import Conflict, Forbidden
from gridgov.models.accounts import (
    AGENCY_ROLES,
    DEPARTMENT_ROLES,
    GRID_WORKER_ROLES,
    NON_PARTY_ROLES,
    RECEIVER_ROLES,
    Role,
)

# ---------------------------------------------------------------------------------------------
# Who is acting: facts the service computes about the user and this case.


class AgencyRelation(enum.StrEnum):
    """Where an agency user stands relative to the level that holds the case now.

    ``parent`` is the next level *with an agency* above the holding level (the service knows the
    profile's agency levels); ``higher`` is any level above that.
    """

    SAME = "same"
    PARENT = "parent"
    HIGHER = "higher"
    NONE = "none"


class DepartmentPart(enum.StrEnum):
    """The part the user's department plays in the case: the lead, an assisting one, or none."""

    LEAD = "lead"
    ASSISTING = "assisting"
    NONE = "none"


PUBLIC_ROLE = "public"
"""The role string of a resident acting through the public portal (not a :class:`Role`)."""


@dataclass(frozen=True)
class Actor:
    """The facts about the acting user that the table needs, computed by the service.

    ``serves_case_grid``: the user's scope is the case's grid (or one of its micro-grids).
    ``agency_relation``: see :class:`AgencyRelation` (only meaningful for agency roles).
    ``department``: the part of the user's department in the case's current dispatch.
    ``can_see``: the case lies in the user's jurisdiction or the user is a party to it.
    ``is_reporter``: the user (or resident) raised the case.
    ``gave_evaluation``: the user (or resident) gave the case's current evaluation itself.
    ``alerted``: the user's department was sent the case as urgent (LZ§16), not yet acknowledged.
    ``stands_in`` / ``may_assign``: for a grid with no worker on post (:mod:`.unstaffed`).
    ``referred``: the user is a legal professional this case was referred to (``refer_legal``).
    ``mediating``: the user is a mediator of the mediation body the case is passed to now (``mediate``).
    """

    role: str
    serves_case_grid: bool = False
    agency_relation: AgencyRelation = AgencyRelation.NONE
    department: DepartmentPart = DepartmentPart.NONE
    can_see: bool = False
    is_reporter: bool = False
    gave_evaluation: bool = False
    alerted: bool = False
    stands_in: bool = False
    may_assign: bool = False
    referred: bool = False
    mediating: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """Facts about the case that some actions depend on (keyword context of :func:`transition`).

    Defaults are the safe side: an action whose condition is not stated is refused.
    """

    has_level_above: bool = False
    has_lead_department: bool = False
    extension_pending: bool = False
    extensions_used: int = 0
    max_extensions: int = 0
    evaluation: str | None = None
    closed_at: datetime | None = None
    now: datetime | None = None
    reopen_window: timedelta | None = None
    dispute_settled_by: str = "agency_above"
    to: CaseState | str | None = None
    level_by_level: bool = False
    skips_level: bool = False
    may_alert: bool = False
    is_dispute: bool = False


class Who(enum.StrEnum):
    """Named kinds of actor, so that the table reads aloud."""

    GRID_WORKER = "grid_worker"
    AGENCY = "agency"
    SUPERVISING_AGENCY = "supervising_agency"
    DISPUTE_DECIDER = "dispute_decider"
    LEAD_RECEIVER = "lead_receiver"
    LEAD_DEPARTMENT = "lead_department"
    REPORTER = "reporter"
    EVALUATING_REPORTER = "evaluating_reporter"
    VIEWER = "viewer"
    ALERTED_DEPARTMENT = "alerted_department"
    STAND_IN_AGENCY = "stand_in_agency"
    ASSIGNING_AGENCY = "assigning_agency"
    ASSISTING_DEPARTMENT = "assisting_department"
    REFERRED_PROFESSIONAL = "referred_professional"
    MEDIATOR = "mediator"


WHO_LABELS = {
    Who.GRID_WORKER: "本网格的网格员",
    Who.AGENCY: "当前承办层级的网格化机构",
    Who.SUPERVISING_AGENCY: "同级或上级网格化机构",
    Who.DISPUTE_DECIDER: "有权裁定职责争议的网格化机构",
    Who.LEAD_RECEIVER: "牵头部门的受理员",
    Who.LEAD_DEPARTMENT: "牵头部门",
    Who.REPORTER: "事件提出人",
    Who.EVALUATING_REPORTER: "作出该评价的事件提出人",
    Who.VIEWER: "能查看该事件的人员",
    Who.ALERTED_DEPARTMENT: "收到紧急直报的主管部门",
    Who.STAND_IN_AGENCY: "网格无在岗网格员时承办的网格化机构",
    Who.ASSIGNING_AGENCY: "网格无在岗网格员时可指派相邻网格网格员的网格化机构",
    Who.ASSISTING_DEPARTMENT: "协办部门",
    Who.REFERRED_PROFESSIONAL: "受请的法律服务人员",
    Who.MEDIATOR: "受理调解的调解组织的调解员",
}


def _decider_relation(facts: CaseFacts) -> AgencyRelation:
    return AgencyRelation.PARENT if facts.dispute_settled_by == "agency_above" else AgencyRelation.SAME


def is_who(who: Who, actor: Actor, facts: CaseFacts) -> bool:
    """Whether ``actor`` is of kind ``who`` for this case."""
    role = actor.role
    if who is Who.GRID_WORKER:
        return role in GRID_WORKER_ROLES and actor.serves_case_grid
    if who is Who.AGENCY:
        return role in AGENCY_ROLES and actor.agency_relation is AgencyRelation.SAME
    if who is Who.SUPERVISING_AGENCY:
        return role in AGENCY_ROLES and actor.agency_relation is not AgencyRelation.NONE
    if who is Who.DISPUTE_DECIDER:
        return role in AGENCY_ROLES and actor.agency_relation is _decider_relation(facts)
    if who is Who.LEAD_RECEIVER:
        return role in RECEIVER_ROLES and actor.department is DepartmentPart.LEAD
    if who is Who.LEAD_DEPARTMENT:
        return role in DEPARTMENT_ROLES and actor.department is DepartmentPart.LEAD
    if who is Who.REPORTER:
        return actor.is_reporter and role not in NON_PARTY_ROLES
    if who is Who.EVALUATING_REPORTER:
        return actor.is_reporter and actor.gave_evaluation and role not in NON_PARTY_ROLES
    if who is Who.VIEWER:
        return actor.can_see and role not in NON_PARTY_ROLES
    if who is Who.ALERTED_DEPARTMENT:
        return role in DEPARTMENT_ROLES and actor.alerted
    if who is Who.STAND_IN_AGENCY:
        return role in AGENCY_ROLES and actor.agency_relation is AgencyRelation.SAME and actor.stands_in
    if who is Who.ASSIGNING_AGENCY:
        return role in AGENCY_ROLES and actor.agency_relation is AgencyRelation.SAME and actor.may_assign
    if who is Who.ASSISTING_DEPARTMENT:
        return role in DEPARTMENT_ROLES and actor.department is DepartmentPart.ASSISTING
    if who is Who.REFERRED_PROFESSIONAL:
        return role == Role.LEGAL_PROFESSIONAL and actor.referred
    if who is Who.MEDIATOR:
        return role == Role.MEDIATOR and actor.mediating
    raise ValueError(who)


# ---------------------------------------------------------------------------------------------
# The table.


@dataclass(frozen=True)
class Step:
    """Where an action leads from one state, and who may take it.

    ``targets`` empty: the state stays (pass_up, extensions, supervise, comment, attach). More than
    one target: the context chooses (reopen).
    """

    targets: tuple[CaseState, ...]
    who: frozenset[Who]


S, A, W = CaseState, CaseAction, Who
_STAY: tuple[CaseState, ...] = ()

_RULES: list[tuple[CaseAction, frozenset[CaseState], tuple[CaseState, ...], frozenset[Who]]] = [
    (A.VERIFY, frozenset({S.REPORTED}), (S.VERIFIED,), frozenset({W.GRID_WORKER, W.STAND_IN_AGENCY})),
    (A.ASSIGN, frozenset({S.REPORTED}), _STAY, frozenset({W.ASSIGNING_AGENCY})),
    (A.REJECT, frozenset({S.REPORTED, S.VERIFIED}), (S.REJECTED,), frozenset({W.GRID_WORKER, W.AGENCY})),
    (A.REJECT, frozenset({S.ESCALATED}), (S.REJECTED,), frozenset({W.AGENCY})),
    (A.SOLVE_ON_SITE, frozenset({S.VERIFIED}), (S.RESOLVED,), frozenset({W.GRID_WORKER})),
    (A.ESCALATE, frozenset({S.VERIFIED}), (S.ESCALATED,), frozenset({W.GRID_WORKER})),
    (A.ACCEPT, frozenset({S.ESCALATED}), (S.ACCEPTED,), frozenset({W.AGENCY})),
    (A.ACCEPT, frozenset({S.VERIFIED}), (S.ACCEPTED,), frozenset({W.STAND_IN_AGENCY})),
    (A.PASS_UP, frozenset({S.ACCEPTED}), _STAY, frozenset({W.AGENCY})),
    (A.SOLVE, frozenset({S.ACCEPTED}), (S.RESOLVED,), frozenset({W.AGENCY})),
    (A.DISPATCH, frozenset({S.ACCEPTED, S.RETURNED}), (S.DISPATCHED,), frozenset({W.AGENCY})),
    (A.SIGN, frozenset({S.DISPATCHED}), (S.IN_PROGRESS,), frozenset({W.LEAD_RECEIVER})),
    (A.RETURN, frozenset({S.DISPATCHED}), (S.RETURNED,), frozenset({W.LEAD_RECEIVER})),
    (A.RAISE_DISPUTE, frozenset({S.RETURNED}), (S.DISPUTED,), frozenset({W.AGENCY})),
    (A.DECIDE, frozenset({S.DISPUTED}), (S.DISPATCHED,), frozenset({W.DISPUTE_DECIDER})),
    (A.REQUEST_EXTENSION, frozenset({S.IN_PROGRESS}), _STAY, frozenset({W.LEAD_DEPARTMENT})),
    (A.GRANT_EXTENSION, frozenset({S.IN_PROGRESS}), _STAY, frozenset({W.AGENCY})),
    (A.REFUSE_EXTENSION, frozenset({S.IN_PROGRESS}), _STAY, frozenset({W.AGENCY})),
    (A.HANDLE, frozenset({S.IN_PROGRESS}), (S.HANDLED,), frozenset({W.LEAD_DEPARTMENT})),
    (A.CHECK, frozenset({S.HANDLED}), (S.RESOLVED,), frozenset({W.AGENCY})),
    (A.REWORK, frozenset({S.HANDLED}), (S.IN_PROGRESS,), frozenset({W.AGENCY})),
    (A.FEEDBACK, frozenset({S.RESOLVED}), (S.CLOSED,), frozenset({W.AGENCY, W.REPORTER})),
    (A.REOPEN, frozenset({S.CLOSED}), (S.IN_PROGRESS, S.ACCEPTED), frozenset({W.AGENCY, W.EVALUATING_REPORTER})),
    # The reporter's word on a case closed without it (a resident's evaluation, issue 17): once.
    (A.EVALUATE, frozenset({S.CLOSED}), _STAY, frozenset({W.REPORTER})),
    (A.SUPERVISE, OPEN_STATES, _STAY, frozenset({W.SUPERVISING_AGENCY})),
    (A.COMMENT, OPEN_STATES, _STAY, frozenset({W.VIEWER})),
    (A.ATTACH, OPEN_STATES, _STAY, frozenset({W.VIEWER})),
    (A.ACKNOWLEDGE, OPEN_STATES, _STAY, frozenset({W.ALERTED_DEPARTMENT})),
    (A.ALERT, frozenset({S.ESCALATED, S.ACCEPTED}), _STAY, frozenset({W.AGENCY})),
    # A duplicate closes into the case it repeats, before anyone was sent to it (issue 14).
    (A.MERGE, frozenset({S.REPORTED, S.VERIFIED, S.ESCALATED, S.ACCEPTED}), (S.CLOSED,), frozenset({W.AGENCY})),
    # An assisting department reports its part to the lead while the case is with the departments (issue 14).
    (A.ASSIST_REPORT, frozenset({S.DISPATCHED, S.IN_PROGRESS}), _STAY, frozenset({W.ASSISTING_DEPARTMENT})),
    # A case registered without a type (a hotline category mapped to none, issue 17) gets one from the agency
    # holding it or above, before a department has signed for it; a type set wrongly is corrected the same way.
    (A.CLASSIFY, frozenset({S.REPORTED, S.VERIFIED, S.ESCALATED, S.ACCEPTED, S.RETURNED}), _STAY,
     frozenset({W.SUPERVISING_AGENCY})),
    # Working with others (issue 18): legal professionals in the grids (ZJ§23, JS§22, QZ§17) and mediation (ZJ§17).
    (A.REFER_LEGAL, OPEN_STATES, _STAY, frozenset({W.AGENCY, W.GRID_WORKER})),
    (A.LEGAL_OPINION, OPEN_STATES, _STAY, frozenset({W.REFERRED_PROFESSIONAL})),
    (A.MEDIATE, frozenset({S.ACCEPTED}), (S.MEDIATING,), frozenset({W.AGENCY})),
    (A.RECORD_MEDIATION, frozenset({S.MEDIATING}), _STAY, frozenset({W.MEDIATOR})),
    (A.SETTLE, frozenset({S.MEDIATING}), (S.CLOSED,), frozenset({W.MEDIATOR})),
    (A.MEDIATION_FAILED, frozenset({S.MEDIATING}), (S.ACCEPTED,), frozenset({W.MEDIATOR})),
]


def _build() -> dict[tuple[CaseState, CaseAction], Step]:
    table: dict[tuple[CaseState, CaseAction], Step] = {}
    for action, states, targets, who in _RULES:
        for state in states:
            if (state, action) in table:
                raise RuntimeError(f"duplicate rule {state}/{action}")
            table[(state, action)] = Step(targets, who)
    return table


TRANSITIONS: Mapping[tuple[CaseState, CaseAction], Step] = _build()
"""(state, action) → :class:`Step`. A pair that is missing is not allowed in that state."""

LEVELS = ("province", "city", "county", "town", "village")


def level_rank(level: str) -> int:
    """A level's place from the top (province 0 … village 4); unknown levels rank below all."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def dispatchable_level(department_level: str, handling_level: str) -> bool:
    """Whether a case held at ``handling_level`` may be dispatched to a department of
    ``department_level``: that level and those below, and where the case is held below the county,
    the county's departments too (they work in every town and village: a village agency under LZ
    dispatches to them), never higher (issue 14: a town is not offered the city's)."""
    return level_rank(department_level) >= min(level_rank(handling_level), level_rank("county"))


COUNTS_AS_REWORK = frozenset({CaseAction.REWORK})
RAISES_LEVEL = frozenset({CaseAction.PASS_UP})


# ---------------------------------------------------------------------------------------------
# Conditions of the case beyond its state (refused as 409 like a state refusal).


def _guard(action: CaseAction, facts: CaseFacts) -> str | None:
    if action is CaseAction.ALERT and not facts.may_alert:
        return "只有尚未直报主管部门的紧急事件才需直报（本地政策规定紧急情况立即报告相关主管部门时）"
    if action is CaseAction.MEDIATE and not facts.is_dispute:
        return "只有矛盾纠纷类事件才能移交调解"
    if action is CaseAction.PASS_UP and not facts.has_level_above:
        return "该事件已在最高一级网格化机构，无法再提交上级"
    if action is CaseAction.REQUEST_EXTENSION:
        if facts.extension_pending:
            return "已有延期申请待审批，请等待审批结果"
        if facts.extensions_used >= facts.max_extensions:
            return f"延期次数已用完（最多 {facts.max_extensions} 次）"
    if action in (CaseAction.GRANT_EXTENSION, CaseAction.REFUSE_EXTENSION) and not facts.extension_pending:
        return "没有待审批的延期申请"
    if action is CaseAction.REOPEN:
        if facts.evaluation != Evaluation.UNSATISFIED:
            return "只有评价为“不满意”的事件才能重新办理"
        if facts.closed_at is None or facts.now is None or facts.reopen_window is None:
            return "已超过重新办理的期限"
        if facts.now > facts.closed_at + facts.reopen_window:
            return "已超过重新办理的期限"
        if _reopen_target(facts) is CaseState.IN_PROGRESS and not facts.has_lead_department:
            return "该事件没有牵头部门，只能退回网格化机构重新受理"
    return None


def _reopen_target(facts: CaseFacts) -> CaseState:
    if facts.to is not None:
        return CaseState(facts.to)
    return CaseState.IN_PROGRESS if facts.has_lead_department else CaseState.ACCEPTED


# ---------------------------------------------------------------------------------------------
# Answers.


class StateRefused(Conflict):
    """The case's state (or a condition of the case) does not allow the action: HTTP 409."""


class ActorRefused(Forbidden):
    """The state allows the action but this actor may not take it: HTTP 403."""


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: ``kind`` is ``"state"`` (409) or ``"actor"`` (403)."""

    kind: str
    message: str

    @property
    def status(self) -> int:
        return 409 if self.kind == "state" else 403

    def error(self) -> StateRefused | ActorRefused:
        return StateRefused(self.message) if self.kind == "state" else ActorRefused(self.message)


@dataclass(frozen=True)
class Outcome:
    """An allowed transition: the state before and after, and what the service must also do."""

    action: CaseAction
    from_state: CaseState
    to_state: CaseState

    @property
    def changes_state(self) -> bool:
        return self.from_state is not self.to_state

    @property
    def raises_level(self) -> bool:
        return self.action in RAISES_LEVEL

    @property
    def counts_as_rework(self) -> bool:
        return self.action in COUNTS_AS_REWORK


_FACT_NAMES = frozenset(f.name for f in fields(CaseFacts))


def _facts(context: Mapping[str, Any]) -> CaseFacts:
    unknown = sorted(set(context) - _FACT_NAMES)
    if unknown:
        raise TypeError(f"unknown case facts: {', '.join(unknown)}")
    return CaseFacts(**context)


def check(state: CaseState | str, action: CaseAction | str, actor: Actor, **context: Any) -> Outcome | Refusal:
    """The answer for one (state, action, actor): an :class:`Outcome` or a :class:`Refusal`.

    Order: the state first (409), then the actor (403), then the case's conditions (409), so that
    an actor who could never take the action hears "not you" rather than "not now".
    """
    return _check(CaseState(state), CaseAction(action), actor, _facts(context))


def _check(state: CaseState, action: CaseAction, actor: Actor, facts: CaseFacts) -> Outcome | Refusal:
    step = TRANSITIONS.get((state, action))
    if step is None:
        return Refusal("state", f"事件当前状态为“{STATE_LABELS[state]}”，不能{ACTION_LABELS[action]}")
    if not any(is_who(who, actor, facts) for who in step.who):
        names = "或".join(WHO_LABELS[w] for w in sorted(step.who))
        return Refusal("actor", f"只有{names}可以{ACTION_LABELS[action]}该事件")
    if action is CaseAction.PASS_UP and facts.level_by_level and facts.skips_level:
        return Refusal("actor", "本地实行逐级受理、办理，事件只能提交上一级网格化机构，不得越级提交")
    if action is CaseAction.EVALUATE and actor.gave_evaluation:
        return Refusal("state", "你已评价过该事件，不能重复评价")
    problem = _guard(action, facts)
    if problem:
        return Refusal("state", problem)
    if not step.targets:
        target = state
    elif len(step.targets) == 1:
        target = step.targets[0]
    else:
        target = _reopen_target(facts)
        if target not in step.targets:
            names = "或".join(STATE_LABELS[t] for t in step.targets)
            return Refusal("state", f"{ACTION_LABELS[action]}只能转为“{names}”")
    return Outcome(action, state, target)


def transition(state: CaseState | str, action: CaseAction | str, actor: Actor, **context: Any) -> Outcome:
    """The next state of a case, or :class:`StateRefused` (409) / :class:`ActorRefused` (403).

    ``context`` holds the :class:`CaseFacts` the action needs (unknown names → TypeError, so that a
    typo never silently takes a default).
    """
    answer = check(state, action, actor, **context)
    if isinstance(answer, Refusal):
        raise answer.error()
    return answer


def available_actions(state: CaseState | str, actor: Actor, **context: Any) -> list[CaseAction]:
    """The actions this actor may take now, in the table's order: what the page offers as buttons."""
    state, facts = CaseState(state), _facts(context)
    return [a for a in CaseAction
            if (state, a) in TRANSITIONS and isinstance(_check(state, a, actor, facts), Outcome)]


def actions_from(state: CaseState | str) -> list[CaseAction]:
    """The actions the state allows to somebody (whatever the actor)."""
    state = CaseState(state)
    return [a for a in CaseAction if (state, a) in TRANSITIONS]
