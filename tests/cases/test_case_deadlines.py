"""The clocks of a case: limits from the profile, working days from the calendar, status at a time.

Expected due dates are computed here from the 2026 holiday notice written out in the test, not from
the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from gridgov.calendar import WorkCalendar, bundled_years
from gridgov.cases.deadlines import (
    CLOCK_STARTS,
    CLOCK_STOPS,
    ClockKind,
    ClockStatus,
    clock_status,
    extend,
    remaining,
    start_clock,
    stop,
)
from gridgov.cases.workflow import CaseAction
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import SHANGHAI
from gridgov.policy.loader import load_profile

# 国务院办公厅关于2026年部分节假日安排的通知：国庆节、中秋节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班。
HOLIDAYS_2026 = {date(2026, 10, d) for d in range(1, 8)}
SWAPPED_2026 = {date(2026, 9, 20), date(2026, 10, 10)}


def nth_working_day_after(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        if day in SWAPPED_2026 or (day.weekday() < 5 and day not in HOLIDAYS_2026):
            n -= 1
    return day


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def qz():
    return load_profile("qinzhou").cases.limits


@pytest.fixture(scope="module")
def zj():
    return load_profile("zhenjiang").cases.limits


@pytest.fixture
def cal():
    return WorkCalendar()


# --- handling: working days across the National Day holiday ----------------------------------------


@pytest.mark.req("D3")
@pytest.mark.setting("cases.limits.handling_working_days")
def test_a_case_dispatched_before_national_day_in_qinzhou_is_due_after_the_holiday(qz, cal):
    assert qz.handling_working_days == 5  # QZ§17
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    due = nth_working_day_after(date(2026, 9, 30), 5)
    assert due == date(2026, 10, 13)  # Oct 8, 9, 10 (swapped Saturday), 12, 13
    assert clock.due_at == end_of(due)
    assert not clock.provisional
    assert clock.as_dict()["due_at"] == "2026-10-13T23:59:59.999999+08:00"
    assert clock.as_dict()["started_at"] == "2026-09-30T10:00:00+08:00"


def test_a_start_given_in_utc_counts_from_its_shanghai_day(qz, cal):
    clock = start_clock("handling", datetime(2026, 9, 29, 17, 30, tzinfo=UTC), qz, cal)
    assert clock.due_at == end_of(date(2026, 10, 13))


@pytest.mark.setting("cases.limits.warning_ratio")
def test_the_handling_warning_comes_at_80_percent_of_the_working_days_not_of_the_holiday(qz, cal):
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    assert clock_status(clock, at(2026, 10, 7, 12, 0)) == ClockStatus.ON_TIME
    fourth = nth_working_day_after(date(2026, 9, 30), 4)
    assert clock_status(clock, end_of(fourth) - timedelta(minutes=1)) == ClockStatus.ON_TIME
    assert clock_status(clock, end_of(fourth)) == ClockStatus.WARNING
    assert clock_status(clock, clock.due_at) == ClockStatus.WARNING
    assert clock_status(clock, clock.due_at + timedelta(microseconds=1)) == ClockStatus.OVERDUE


def test_an_administrator_override_of_the_calendar_moves_the_due_date(qz):
    cal = WorkCalendar({date(2026, 10, 12): False})
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    assert clock.due_at == end_of(date(2026, 10, 14))


def test_a_granted_extension_moves_the_due_date_by_working_days(qz, cal):
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    longer = extend(clock, 5, cal, limits=qz)
    assert longer.due_at == end_of(nth_working_day_after(date(2026, 9, 30), 10))
    assert longer.due_at == end_of(date(2026, 10, 20))
    assert longer.extensions == 1 and longer.working_days == 10
    assert clock_status(longer, at(2026, 10, 14, 9, 0)) == ClockStatus.ON_TIME
    assert clock_status(clock, at(2026, 10, 14, 9, 0)) == ClockStatus.OVERDUE


@pytest.mark.setting("cases.limits.max_extensions", "cases.limits.extension_working_days")
def test_extensions_respect_the_profile(qz, cal):
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    with pytest.raises(Invalid, match="最多 5 个工作日"):
        extend(clock, 6, cal, limits=qz)
    once = extend(clock, 2, cal, limits=qz)
    with pytest.raises(Conflict, match="延期次数已用完"):
        extend(once, 1, cal, limits=qz)
    with pytest.raises(Invalid):
        extend(clock, 0, cal)


def test_only_a_running_handling_clock_can_be_extended(zj, cal):
    report = start_clock("report", at(2026, 3, 2, 9, 0), zj, cal)
    with pytest.raises(Conflict):
        extend(report, 1, cal)
    handling = start_clock("handling", at(2026, 3, 2, 9, 0), zj, cal)
    with pytest.raises(Conflict):
        extend(stop(handling, at(2026, 3, 3, 9, 0)), 1, cal)


@pytest.mark.parametrize("kind", [k for k in ClockKind if k is not ClockKind.HANDLING])
@pytest.mark.parametrize("urgency", ["normal", "urgent"])
def test_no_clock_but_the_handling_clock_can_be_extended(qz, cal, kind, urgency):
    """Acceptance and feedback clocks count working days too; extend() must still refuse them."""
    clock = start_clock(kind, at(2026, 9, 30, 10, 0), qz, cal, urgency)
    with pytest.raises(Conflict, match="只有办理时限可以延期"):
        extend(clock, 1, cal)


@pytest.mark.setting("cases.limits.max_extensions", "cases.limits.extension_working_days")
def test_an_extension_exactly_at_the_profile_limits_is_granted(qz, cal):
    clock = start_clock("handling", at(2026, 9, 30, 10, 0), qz, cal)
    longest = extend(clock, qz.extension_working_days, cal, limits=qz)  # 5 working days: allowed
    assert longest.working_days == clock.working_days + 5 and longest.extensions == 1
    assert qz.max_extensions == 1
    assert extend(clock, 1, cal).extensions == 1  # without limits, one more day is always possible
    assert extend(extend(clock, 1, cal), 1, cal).extensions == 2


# --- report: calendar hours --------------------------------------------------------------------------


@pytest.mark.req("D2")
@pytest.mark.setting("cases.limits.report_hours")
def test_zhenjiang_report_clock_is_24_hours_and_late_after_them(zj, cal):
    assert zj.report_hours == 24  # ZJ§13
    clock = start_clock(ClockKind.REPORT, at(2026, 3, 2, 9, 0), zj, cal)
    assert clock.due_at == at(2026, 3, 3, 9, 0)
    assert stop(clock, at(2026, 3, 3, 8, 59)).final_status == ClockStatus.ON_TIME
    late = stop(clock, at(2026, 3, 3, 9, 30))
    assert late.final_status == ClockStatus.OVERDUE
    assert remaining(late, at(2026, 4, 1)) == -timedelta(minutes=30)


def test_report_hours_run_through_weekends(zj, cal):
    clock = start_clock("report", at(2026, 3, 6, 18, 0), zj, cal)  # a Friday evening
    assert clock.due_at == at(2026, 3, 7, 18, 0)
    assert not clock.provisional


@pytest.mark.setting("cases.limits.warning_ratio")
def test_the_report_warning_comes_at_the_profile_ratio(zj, cal):
    clock = start_clock("report", at(2026, 3, 2, 9, 0), zj, cal)
    warn = at(2026, 3, 2, 9, 0) + timedelta(hours=24 * zj.warning_ratio)
    assert warn == at(2026, 3, 3, 4, 12)
    assert clock_status(clock, warn - timedelta(seconds=1)) == ClockStatus.ON_TIME
    assert clock_status(clock, warn) == ClockStatus.WARNING


@pytest.mark.req("D2", "D3")
@pytest.mark.setting("cases.limits.urgent_report_minutes", "cases.limits.accept_urgent_hours")
@pytest.mark.parametrize("urgency", ["urgent", "emergency"])
def test_urgent_and_emergency_cases_report_and_get_accepted_at_once(zj, cal, urgency):
    report = start_clock("report", at(2026, 3, 2, 9, 0), zj, cal, urgency)
    assert report.due_at == at(2026, 3, 2, 9, zj.urgent_report_minutes)
    acceptance = start_clock("acceptance", at(2026, 3, 6, 23, 0), zj, cal, urgency)
    assert acceptance.due_at == at(2026, 3, 7, 1, 0)  # accept_urgent_hours = 2, a Saturday


@pytest.mark.req("D3")
@pytest.mark.setting("cases.limits.accept_working_days", "cases.limits.warning_ratio")
def test_a_normal_case_is_accepted_within_one_working_day(zj, cal):
    clock = start_clock("acceptance", at(2026, 3, 6, 23, 0), zj, cal)  # Friday
    assert clock.due_at == end_of(date(2026, 3, 9))  # Monday
    assert clock_status(clock, at(2026, 3, 9, 19, 11)) == ClockStatus.ON_TIME
    assert clock_status(clock, at(2026, 3, 9, 19, 12)) == ClockStatus.WARNING


@pytest.mark.req("D6")
@pytest.mark.setting("cases.limits.feedback_working_days")
def test_feedback_is_due_two_working_days_after_the_case_is_resolved(zj, cal):
    clock = start_clock("feedback", at(2026, 9, 30, 16, 0), zj, cal)
    assert clock.due_at == end_of(nth_working_day_after(date(2026, 9, 30), 2))
    assert clock.due_at == end_of(date(2026, 10, 9))


# --- stopped clocks and unknown years ----------------------------------------------------------------


def test_a_stopped_clock_keeps_its_final_status(zj, cal):
    clock = start_clock("report", at(2026, 3, 2, 9, 0), zj, cal)
    in_warning = stop(clock, at(2026, 3, 3, 8, 0))
    assert in_warning.final_status == ClockStatus.ON_TIME
    assert clock_status(in_warning, at(2027, 1, 1)) == ClockStatus.ON_TIME
    late = stop(clock, at(2026, 3, 4))
    assert clock_status(late, at(2026, 3, 3, 10, 0)) == ClockStatus.OVERDUE
    with pytest.raises(Conflict, match="已停止"):
        stop(late, at(2026, 3, 5))
    assert late.as_dict()["final_status"] == "overdue"


def test_a_clock_in_a_year_without_a_holiday_notice_is_provisional(qz):
    cal = WorkCalendar()
    year = max(bundled_years()) + 2
    assert not cal.is_known_year(year)
    start = datetime(year, 9, 30, 10, 0, tzinfo=SHANGHAI)
    clock = start_clock("handling", start, qz, cal)
    assert clock.provisional and clock.unknown_years == (year,)
    weekdays = [start.date() + timedelta(days=i) for i in range(1, 15)]
    assert clock.due_at == end_of([d for d in weekdays if d.weekday() < 5][4])
    assert not start_clock("report", start, qz, cal).provisional
    assert clock.as_dict()["provisional"] is True


def test_naive_times_are_refused(zj, cal):
    with pytest.raises(ValueError):
        start_clock("report", datetime(2026, 3, 2, 9, 0), zj, cal)
    clock = start_clock("report", at(2026, 3, 2, 9, 0), zj, cal)
    with pytest.raises(ValueError):
        clock_status(clock, datetime(2026, 3, 2, 10, 0))


def test_clocks_start_and_stop_at_the_transitions_of_the_spec():
    assert ClockKind.ACCEPTANCE in CLOCK_STARTS[CaseAction.ESCALATE]
    assert ClockKind.REPORT in CLOCK_STOPS[CaseAction.ESCALATE]
    assert ClockKind.ACCEPTANCE in CLOCK_STOPS[CaseAction.ACCEPT]
    assert ClockKind.HANDLING in CLOCK_STARTS[CaseAction.DISPATCH]
    assert ClockKind.HANDLING in CLOCK_STOPS[CaseAction.HANDLE]
    assert ClockKind.FEEDBACK in CLOCK_STARTS[CaseAction.CHECK]
    assert ClockKind.FEEDBACK in CLOCK_STOPS[CaseAction.FEEDBACK]


@pytest.mark.setting("cases.limits.dispatch_working_days", "cases.limits.dispatch_urgent_hours")
def test_the_dispatch_clock_runs_from_acceptance_to_dispatch(zj, cal):
    assert ClockKind.DISPATCH in CLOCK_STARTS[CaseAction.ACCEPT]
    assert ClockKind.DISPATCH in CLOCK_STARTS[CaseAction.PASS_UP]  # the next level's own period
    for action in (CaseAction.DISPATCH, CaseAction.SOLVE, CaseAction.REJECT):
        assert ClockKind.DISPATCH in CLOCK_STOPS[action]
    normal = start_clock("dispatch", at(2026, 3, 6, 23, 0), zj, cal)  # Friday
    assert normal.due_at == end_of(date(2026, 3, 9)) and normal.working_days == zj.dispatch_working_days == 1
    urgent = start_clock("dispatch", at(2026, 3, 6, 23, 0), zj, cal, "urgent")
    assert urgent.due_at == at(2026, 3, 7, 1, 0) and zj.dispatch_urgent_hours == 2
