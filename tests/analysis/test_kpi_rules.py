"""The pure rules: a fact row from a file (earlier periods count), and the rates of summed counters."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace as Row

from gridgov.analysis import kpi
from gridgov.calendar import WorkCalendar
from gridgov.cases import facts
from gridgov.kit.clock import SHANGHAI


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def _case(**over):
    base = dict(created_at=at(11, 2), grid_code="321102001001001", town_code="321102001000",
                county_code="321102000000", type_code=None, category="zj12_02", lead_department_code="d1",
                source="patrol", state="in_progress", merged_into_id=None, evaluation=None, closed_at=None,
                version=9, log_length=6)
    return Row(**{**base, **over})


def _entry(seq, action, when, to_state="", data=None, role="fulltime", actor_id=7):
    return Row(seq=seq, action=action, at=when, to_state=to_state, data=data, role=role, actor_id=actor_id)


def test_an_earlier_handling_period_that_ran_late_keeps_the_case_late():
    """Handled late, sent back for rework, handled again on time: the case was not handled on time,
    though its handling clock row now says on time (the file keeps the first period's status)."""
    entries = [
        _entry(1, "create", at(11, 2), "verified"),
        _entry(2, "dispatch", at(11, 2, 10), "dispatched", role="agency_dispatcher", actor_id=3),
        _entry(3, "handle", at(11, 12), "handled", {"handling_clock": "overdue"}, role="dept_receiver"),
        _entry(4, "rework", at(11, 12, 11), "in_progress",
               {"previous_handling_clock": {"kind": "handling", "final_status": "overdue"}}, role="agency_dispatcher"),
        _entry(5, "handle", at(11, 13), "handled", {"handling_clock": "on_time"}, role="dept_receiver"),
    ]
    clock = Row(kind="handling", started_at=at(11, 12, 11), due_at=at(11, 19), stopped_at=at(11, 13),
                final_status="on_time")
    row = facts.derive(_case(state="handled"), [clock], entries, now=at(11, 14), calendar=WorkCalendar())
    assert (row["handled"], row["handled_on_time"], row["reworked"], row["overdue"]) == (1, 0, 1, 1)
    assert row["worker_id"] == 7 and row["reported_day"] == date(2026, 11, 2)
    # dispatch 11-02 → last handle 11-13: 11-03…11-06, 11-09…11-13 = 9 working days
    assert row["handle_days"] == 9
    # without the file's record of the first period the case would look on time
    row = facts.derive(_case(state="handled"), [clock], [entries[0], entries[1], entries[4]], now=at(11, 14),
                       calendar=WorkCalendar())
    assert (row["handled_on_time"], row["overdue"]) == (1, 0)


def test_a_running_clock_past_due_makes_the_case_overdue_now():
    clock = Row(kind="report", started_at=at(11, 2), due_at=at(11, 3), stopped_at=None, final_status=None)
    entries = [_entry(1, "create", at(11, 2), "verified")]
    assert facts.derive(_case(state="verified"), [clock], entries, now=at(11, 3), calendar=None)["overdue"] == 0
    assert facts.derive(_case(state="verified"), [clock], entries, now=at(11, 3, 10), calendar=None)["overdue"] == 1


def test_basically_satisfied_is_satisfied_and_unsatisfied_is_not():
    for evaluation, satisfied in (("satisfied", 1), ("basically_satisfied", 1), ("unsatisfied", 0)):
        row = facts.derive(_case(state="closed", evaluation=evaluation, closed_at=at(11, 2, 12)), [], [],
                           now=at(11, 3), calendar=None)
        assert (row["evaluated"], row["satisfied"], row["closed"], row["close_days"]) == (1, satisfied, 1, 0)


def test_rates_divide_summed_counters_and_are_none_with_nothing_to_rate():
    counts = {**kpi.empty(), "reported": 10, "valid": 8, "dispatched": 6, "returned": 1, "evaluated": 0,
              "handle_days_sum": 7, "handle_days_n": 2}
    got = kpi.rates(counts)
    assert got["valid_rate"] == 0.8
    assert got["accurate_dispatch_rate"] == round(5 / 6, 4)
    assert got["satisfaction_rate"] is None and got["handled_on_time_rate"] is None
    assert kpi.averages(counts)["avg_handle_days"] == 3.5 and kpi.averages(counts)["avg_close_days"] is None
    assert {r.name for r in kpi.RATES} >= {"valid_rate", "verified_on_time_rate", "accurate_dispatch_rate",
                                           "handled_on_time_rate", "closure_rate", "closed_on_time_rate",
                                           "rework_rate", "extension_rate", "satisfaction_rate"}
    assert all(r.numerator in kpi.COUNTERS and r.denominator in kpi.COUNTERS for r in kpi.RATES)
