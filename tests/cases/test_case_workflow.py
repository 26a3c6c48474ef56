"""The lifecycle of a case: every (state, action, role) against the table of case-lifecycle.md.

The expectation below is written by hand from the spec's action table (plain strings, not the
module's enums or table), so a wrong entry in ``workflow.TRANSITIONS`` fails here.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from gridgov.cases.workflow import (
    ACTION_LABELS,
    OPEN_STATES,
    STATE_LABELS,
    TERMINAL_STATES,
    Actor,
    ActorRefused,
    AgencyRelation,
    CaseAction,
    CaseState,
    DepartmentPart,
    Outcome,
    Refusal,
    StateRefused,
    available_actions,
    check,
    transition,
)
from gridgov.errors import Conflict, Forbidden
from gridgov.models.accounts import Role

CJK = re.compile(r"[\u4e00-\u9fff]")

STATES = [
    "reported", "verified", "rejected", "escalated", "accepted", "dispatched",
    "returned", "disputed", "in_progress", "handled", "resolved", "closed", "mediating",
]  # fmt: skip
OPEN = set(STATES) - {"rejected", "closed"}
ROLES = [r.value for r in Role] + ["public"]

WORKERS = {"leader", "fulltime", "parttime", "professional"}
AGENCIES = {"agency_admin", "agency_dispatcher"}
NOT_PARTIES = {"auditor", "sysadmin"}


def grid_worker(a, f):
    return a.role in WORKERS and a.serves_case_grid


def agency(a, f):
    return a.role in AGENCIES and a.agency_relation == "same"


def agency_same_or_above(a, f):
    return a.role in AGENCIES and a.agency_relation in {"same", "parent", "higher"}


def dispute_decider(a, f):
    wanted = "parent" if f["dispute_settled_by"] == "agency_above" else "same"
    return a.role in AGENCIES and a.agency_relation == wanted


def lead_receiver(a, f):
    return a.role in {"dept_receiver", "department_client"} and a.department == "lead"


def lead_department(a, f):
    return a.role in {"dept_receiver", "dept_handler", "department_client"} and a.department == "lead"


def agency_or_reporter(a, f):
    return agency(a, f) or (a.is_reporter and a.role not in NOT_PARTIES)


def worker_or_agency(a, f):
    return grid_worker(a, f) or agency(a, f)


def agency_or_evaluating_reporter(a, f):
    """The reporter reopens only after its own unsatisfied evaluation (issue 17: a resident)."""
    return agency(a, f) or (a.is_reporter and a.gave_evaluation and a.role not in NOT_PARTIES)


def reporter(a, f):
    return a.is_reporter and a.role not in NOT_PARTIES


def viewer(a, f):
    return a.can_see and a.role not in NOT_PARTIES


def alerted_department(a, f):
    return a.role in {"dept_receiver", "dept_handler", "department_client"} and a.alerted


def stand_in(a, f):
    """The agency holding a case of a grid with no worker on post, allowed to verify it itself."""
    return agency(a, f) and a.stands_in


def assigning(a, f):
    """… allowed to assign it to a worker of a neighbouring grid."""
    return agency(a, f) and a.may_assign


def assisting_department(a, f):
    """A department sent the case to assist the lead (not the lead itself)."""
    return a.role in {"dept_receiver", "dept_handler", "department_client"} and a.department == "assisting"


def worker_or_stand_in(a, f):
    return grid_worker(a, f) or stand_in(a, f)


def referred_professional(a, f):
    """Issue 18: the legal professional the case was referred to."""
    return a.role == "legal_professional" and a.referred


def mediator(a, f):
    """Issue 18: a mediator of the mediation body holding the dispute now."""
    return a.role == "mediator" and a.mediating


STAY = None
SPEC = {
    # action: [(from states, to state (None: stays), who may)]
    "verify": [({"reported"}, "verified", worker_or_stand_in)],
    "assign": [({"reported"}, STAY, assigning)],
    "reject": [({"reported", "verified"}, "rejected", worker_or_agency), ({"escalated"}, "rejected", agency)],
    "solve_on_site": [({"verified"}, "resolved", grid_worker)],
    "escalate": [({"verified"}, "escalated", grid_worker)],
    "accept": [({"escalated"}, "accepted", agency), ({"verified"}, "accepted", stand_in)],
    "pass_up": [({"accepted"}, STAY, agency)],
    "solve": [({"accepted"}, "resolved", agency)],
    "dispatch": [({"accepted", "returned"}, "dispatched", agency)],
    "sign": [({"dispatched"}, "in_progress", lead_receiver)],
    "return": [({"dispatched"}, "returned", lead_receiver)],
    "raise_dispute": [({"returned"}, "disputed", agency)],
    "decide": [({"disputed"}, "dispatched", dispute_decider)],
    "request_extension": [({"in_progress"}, STAY, lead_department)],
    "grant_extension": [({"in_progress"}, STAY, agency)],
    "refuse_extension": [({"in_progress"}, STAY, agency)],
    "handle": [({"in_progress"}, "handled", lead_department)],
    "check": [({"handled"}, "resolved", agency)],
    "rework": [({"handled"}, "in_progress", agency)],
    "feedback": [({"resolved"}, "closed", agency_or_reporter)],
    "reopen": [({"closed"}, "in_progress", agency_or_evaluating_reporter)],  # with a lead department (see below)
    "evaluate": [({"closed"}, STAY, reporter)],  # once: a second evaluation is refused (see below)
    "supervise": [(OPEN, STAY, agency_same_or_above)],
    "comment": [(OPEN, STAY, viewer)],
    "attach": [(OPEN, STAY, viewer)],
    "acknowledge": [(OPEN, STAY, alerted_department)],  # LZ§16: the department an urgent case was sent to
    "alert": [({"escalated", "accepted"}, STAY, agency)],  # LZ§16: the agency sends it there when not yet sent
    "merge": [({"reported", "verified", "escalated", "accepted"}, "closed", agency)],
    "assist_report": [({"dispatched", "in_progress"}, STAY, assisting_department)],  # issue 14: its part to the lead
    # issue 17: the type of a case registered without one (a hotline category mapped to none), before a department signs
    "classify": [({"reported", "verified", "escalated", "accepted", "returned"}, STAY, agency_same_or_above)],
    # issue 18: legal professionals in the grids (ZJ§23, JS§22, QZ§17) and mediation of disputes (ZJ§17)
    "refer_legal": [(OPEN, STAY, worker_or_agency)],
    "legal_opinion": [(OPEN, STAY, referred_professional)],
    "mediate": [({"accepted"}, "mediating", agency)],  # a dispute only (see below)
    "record_mediation": [({"mediating"}, STAY, mediator)],
    "settle": [({"mediating"}, "closed", mediator)],
    "mediation_failed": [({"mediating"}, "accepted", mediator)],
}

T0 = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)


def context_where_conditions_hold(action: str, settled_by: str = "agency_above") -> dict:
    """Case facts under which the action's own conditions (beyond state and actor) are met."""
    return {
        "has_level_above": True,
        "has_lead_department": True,
        "extension_pending": action in {"grant_extension", "refuse_extension"},
        "extensions_used": 0,
        "max_extensions": 1,
        "evaluation": "unsatisfied",
        "closed_at": T0,
        "now": T0 + timedelta(days=1),
        "reopen_window": timedelta(days=7),
        "dispute_settled_by": settled_by,
        "may_alert": True,
        "is_dispute": True,
    }


def actor_variants(role: str):
    # The two facts of a grid with no worker on post: each alone for agencies, both or none for the rest.
    unstaffed = [(False, False), (True, False), (False, True)] if role in AGENCIES else [(False, False), (True, True)]
    for grid, relation, part, see, reporter, alerted, (stands_in, may_assign) in itertools.product(
        (False, True), list(AgencyRelation), list(DepartmentPart), (False, True), (False, True), (False, True),
        unstaffed,
    ):
        yield Actor(
            role=role,
            serves_case_grid=grid,
            agency_relation=relation,
            department=part,
            can_see=see,
            is_reporter=reporter,
            alerted=alerted,
            stands_in=stands_in,
            may_assign=may_assign,
        )
        if role in {"legal_professional", "mediator", "fulltime", "agency_dispatcher"} and not reporter:
            for referred, mediating in ((True, False), (False, True)):
                yield Actor(role=role, serves_case_grid=grid, agency_relation=relation, department=part,
                            can_see=see, alerted=alerted, stands_in=stands_in, may_assign=may_assign,
                            referred=referred, mediating=mediating)
        if reporter and role in {"public", "fulltime", "agency_dispatcher", "auditor"}:
            yield Actor(role=role, serves_case_grid=grid, agency_relation=relation, department=part, can_see=see,
                        is_reporter=True, gave_evaluation=True, alerted=alerted, stands_in=stands_in,
                        may_assign=may_assign)


def expected(state: str, action: str, actor: Actor, facts: dict):
    for states, to, who in SPEC[action]:
        if state in states:
            if not who(actor, facts):
                return 403
            if action == "evaluate" and actor.gave_evaluation:
                return 409
            return state if to is STAY else to
    return 409


def test_the_spec_covers_every_action_and_state_of_the_module():
    assert set(SPEC) == {a.value for a in CaseAction}
    assert [s.value for s in CaseState] == STATES


@pytest.mark.parametrize("state", STATES)
def test_every_action_and_role_in_this_state_gets_the_answer_of_the_spec(state):
    for action, role in itertools.product(SPEC, ROLES):
        settlers = (
            ["agency_above", "same_level_agency", "party_committee_or_government"]
            if action == "decide"
            else ["agency_above"]
        )
        for settled_by, actor in itertools.product(settlers, actor_variants(role)):
            facts = context_where_conditions_hold(action, settled_by)
            want = expected(state, action, actor, facts)
            got = check(state, action, actor, **facts)
            where = f"{state} / {action} / {actor} / {settled_by}"
            if want in (403, 409):
                assert isinstance(got, Refusal), where
                assert got.status == want, where
                assert CJK.search(got.message), where
            else:
                assert isinstance(got, Outcome), f"{where}: {got}"
                assert got.to_state == want and got.from_state == state, where


def test_open_and_terminal_states_are_those_of_the_spec():
    assert {s.value for s in OPEN_STATES} == OPEN
    assert {s.value for s in TERMINAL_STATES} == {"rejected", "closed"}


def test_every_state_and_action_has_a_chinese_label():
    assert all(CJK.search(STATE_LABELS[s]) for s in CaseState)
    assert all(CJK.search(ACTION_LABELS[a]) for a in CaseAction)
    assert STATE_LABELS[CaseState.DISPUTED] == "职责争议"
    assert STATE_LABELS[CaseState.HANDLED] == "已办结待核查"


# --- the two kinds of refusal --------------------------------------------------------------------

WORKER = Actor("fulltime", serves_case_grid=True, can_see=True)
TOWN = Actor("agency_dispatcher", agency_relation=AgencyRelation.SAME, can_see=True)
COUNTY = Actor("agency_admin", agency_relation=AgencyRelation.PARENT, can_see=True)
LEAD_RECEIVER = Actor("dept_receiver", department=DepartmentPart.LEAD, can_see=True)
LEAD_HANDLER = Actor("dept_handler", department=DepartmentPart.LEAD, can_see=True)
ASSISTING = Actor("dept_handler", department=DepartmentPart.ASSISTING, can_see=True)


def test_an_action_the_state_does_not_allow_is_a_409_with_a_chinese_message():
    with pytest.raises(StateRefused) as caught:
        transition("reported", "dispatch", TOWN)
    assert isinstance(caught.value, Conflict) and caught.value.status == 409
    assert "待核实" in caught.value.message and "分派" in caught.value.message


def test_an_actor_who_may_not_take_an_allowed_action_gets_a_403_with_a_chinese_message():
    with pytest.raises(ActorRefused) as caught:
        transition("dispatched", "sign", LEAD_HANDLER)
    assert isinstance(caught.value, Forbidden) and caught.value.status == 403
    assert "牵头部门的受理员" in caught.value.message


def test_a_worker_of_another_grid_may_not_verify():
    assert check("reported", "verify", Actor("fulltime", serves_case_grid=False)).status == 403


def test_a_grid_leader_counts_as_a_worker_of_its_grid():
    assert transition("verified", "escalate", Actor("leader", serves_case_grid=True)).to_state == "escalated"


@pytest.mark.req("D5")
def test_a_receiver_may_also_handle_and_an_assisting_department_only_adds_notes():
    facts = context_where_conditions_hold("handle")
    assert transition("in_progress", "handle", LEAD_RECEIVER, **facts).to_state == "handled"
    assert check("in_progress", "handle", ASSISTING, **facts).status == 403
    assert transition("in_progress", "comment", ASSISTING).to_state == "in_progress"
    # issue 14: its own step, reporting its part to the lead (the lead does not report to itself)
    assert transition("dispatched", "assist_report", ASSISTING).to_state == "dispatched"
    assert check("in_progress", "assist_report", LEAD_RECEIVER).status == 403


@pytest.mark.req("D9")
def test_departments_never_send_work_to_grid_staff():
    dept = [LEAD_RECEIVER, LEAD_HANDLER, ASSISTING]
    for state, actor in itertools.product(STATES, dept):
        allowed = set(available_actions(state, actor, **context_where_conditions_hold("x")))
        assert allowed <= {"sign", "return", "request_extension", "handle", "comment", "attach", "assist_report"}


def test_unknown_case_facts_are_a_programming_error():
    with pytest.raises(TypeError):
        check("accepted", "pass_up", TOWN, has_level_abov=True)


# --- conditions of the case beyond its state ----------------------------------------------------


@pytest.mark.req("D10")
def test_pass_up_needs_a_level_above():
    refused = check("accepted", "pass_up", TOWN, has_level_above=False)
    assert refused.status == 409 and "最高一级" in refused.message
    done = transition("accepted", "pass_up", TOWN, has_level_above=True)
    assert done.to_state == "accepted" and done.raises_level and not done.changes_state


@pytest.mark.req("F3")
def test_only_a_dispute_goes_to_mediation():
    refused = check("accepted", "mediate", TOWN, is_dispute=False)
    assert refused.status == 409 and "矛盾纠纷" in refused.message
    done = transition("accepted", "mediate", TOWN, is_dispute=True)
    assert done.to_state == "mediating" and done.changes_state


@pytest.mark.setting("cases.level_by_level")
def test_pass_up_skipping_a_level_is_the_actors_refusal_only_level_by_level():
    skipping = check("accepted", "pass_up", TOWN, has_level_above=True, level_by_level=True, skips_level=True)
    assert skipping.status == 403 and "逐级" in skipping.message
    assert check("accepted", "pass_up", TOWN, has_level_above=True, level_by_level=True).to_state == "accepted"
    assert check("accepted", "pass_up", TOWN, has_level_above=True, skips_level=True).to_state == "accepted"
    assert check("accepted", "pass_up", COUNTY, has_level_above=True, level_by_level=True).status == 403


@pytest.mark.setting("cases.limits.max_extensions")
def test_extensions_are_limited_by_the_profile_and_need_a_pending_request_to_decide():
    assert check("in_progress", "request_extension", LEAD_HANDLER, max_extensions=1).to_state == "in_progress"
    used = check("in_progress", "request_extension", LEAD_HANDLER, extensions_used=1, max_extensions=1)
    assert used.status == 409 and "1 次" in used.message
    pending = check("in_progress", "request_extension", LEAD_HANDLER, max_extensions=2, extension_pending=True)
    assert pending.status == 409
    assert check("in_progress", "grant_extension", TOWN).status == 409
    assert check("in_progress", "refuse_extension", TOWN, extension_pending=True).to_state == "in_progress"


@pytest.mark.req("D4")
@pytest.mark.setting("cases.dispute_settled_by")
def test_decide_belongs_to_the_level_above_by_default_and_follows_the_profile():
    assert transition("disputed", "decide", COUNTY).to_state == "dispatched"
    assert check("disputed", "decide", TOWN).status == 403
    assert check("disputed", "decide", TOWN, dispute_settled_by="same_level_agency").to_state == "dispatched"
    assert check("disputed", "decide", COUNTY, dispute_settled_by="same_level_agency").status == 403


def reopen_facts(**changes):
    facts = {
        "evaluation": "unsatisfied",
        "closed_at": T0,
        "now": T0 + timedelta(days=7),
        "reopen_window": timedelta(days=7),
        "has_lead_department": True,
    }
    return facts | changes


def test_reopen_only_after_an_unsatisfied_evaluation_within_the_window():
    assert transition("closed", "reopen", TOWN, **reopen_facts()).to_state == "in_progress"
    assert check("closed", "reopen", TOWN, **reopen_facts(evaluation="basically_satisfied")).status == 409
    late = check("closed", "reopen", TOWN, **reopen_facts(now=T0 + timedelta(days=7, seconds=1)))
    assert late.status == 409 and "期限" in late.message
    assert check("closed", "reopen", TOWN, evaluation="unsatisfied").status == 409
    assert check("closed", "reopen", WORKER, **reopen_facts()).status == 403


def test_reopen_goes_back_to_the_agency_when_there_was_no_lead_department_or_when_asked():
    assert transition("closed", "reopen", TOWN, **reopen_facts(has_lead_department=False)).to_state == "accepted"
    assert transition("closed", "reopen", TOWN, **reopen_facts(to="accepted")).to_state == "accepted"
    assert check("closed", "reopen", TOWN, **reopen_facts(has_lead_department=False, to="in_progress")).status == 409
    assert check("closed", "reopen", TOWN, **reopen_facts(to="handled")).status == 409


def test_a_rejected_case_never_moves_again():
    for action in CaseAction:
        assert check("rejected", action, TOWN, **context_where_conditions_hold(action)).status == 409


def test_rework_counts_as_rework():
    done = transition("handled", "rework", TOWN)
    assert done.to_state == "in_progress" and done.counts_as_rework


@pytest.mark.req("D6")
def test_the_reporter_may_evaluate_but_not_an_auditor_who_reported():
    resident = Actor("public", is_reporter=True)
    assert transition("resolved", "feedback", resident).to_state == "closed"
    assert check("resolved", "feedback", Actor("auditor", is_reporter=True, can_see=True)).status == 403


@pytest.mark.req("D6")
def test_a_resident_evaluates_a_closed_case_once_and_reopens_only_after_its_own_unsatisfied_word():
    resident = Actor("public", is_reporter=True)
    assert transition("closed", "evaluate", resident).to_state == "closed"
    again = check("closed", "evaluate", Actor("public", is_reporter=True, gave_evaluation=True))
    assert again.status == 409 and "重复" in again.message
    assert check("closed", "evaluate", Actor("public")).status == 403
    assert check("closed", "reopen", resident, **reopen_facts()).status == 403  # the agency's word, not its own
    own = Actor("public", is_reporter=True, gave_evaluation=True)
    assert transition("closed", "reopen", own, **reopen_facts()).to_state == "in_progress"
    late = check("closed", "reopen", own, **reopen_facts(now=T0 + timedelta(days=8)))
    assert late.status == 409 and "期限" in late.message


def test_available_actions_are_what_the_spec_allows_this_actor_now():
    for state, actor in itertools.product(STATES, [WORKER, TOWN, COUNTY, LEAD_RECEIVER, LEAD_HANDLER, ASSISTING]):
        facts = context_where_conditions_hold("request_extension")
        want = {
            a
            for a in SPEC
            if a not in {"grant_extension", "refuse_extension"} and expected(state, a, actor, facts) not in (403, 409)
        }
        assert set(available_actions(state, actor, **facts)) == want, (state, actor)


def test_a_worker_sees_the_buttons_of_a_verified_case():
    assert available_actions("verified", WORKER) == ["reject", "solve_on_site", "escalate", "comment", "attach",
                                                     "refer_legal"]
