"""The clocks of a case: how long each step may take, and whether it is on time.

Five clocks (case-lifecycle.md, policy-profiles.md), each computed from the profile's
``[cases.limits]`` and the working-day calendar:

================  ==========================  =================================================
clock             runs                        allowed
================  ==========================  =================================================
``report``        discovery → escalated        ``report_hours`` (urgent: ``urgent_report_minutes``)
``acceptance``    escalated → accepted         ``accept_working_days`` (urgent: ``accept_urgent_hours``)
``dispatch``      accepted → dispatched        ``dispatch_working_days`` (urgent: ``dispatch_urgent_hours``)
``handling``      dispatched → handled         ``handling_working_days`` + granted extensions
``feedback``      resolved → closed            ``feedback_working_days``
``emergency``     escalated → acknowledged     ``accept_urgent_hours`` (LZ§16: an urgent case sent
                  by the department            straight to the competent department too)
================  ==========================  =================================================

Conventions (where the texts leave room):

- Hours are *calendar* hours: "二十四小时内上报" (ZJ§13) runs through nights, weekends and holidays,
  because a grid worker's duty to report does not pause. Only limits stated in working days skip
  days off.
- "N working days after a timestamp" is due at the end (24:00, Asia/Shanghai) of the N-th working
  day after the day of the timestamp, after 民法典 §201/§203 and :meth:`WorkCalendar.add_working_days`
  (2026-09-30 + 5 → end of 2026-10-13).
- The warning comes when ``warning_ratio`` of the allowed span has passed. For an hour limit the span
  is wall-clock time; for a working-day limit it is *working* time counted the same way as the limit
  (the N working days after the start day, 24 h each), so a holiday in the middle does not bring the
  warning forward: 80 % of 5 working days is the end of the 4th working day.
- A clock is overdue when ``now > due_at``; a stopped clock keeps its final status, ``on_time`` or
  ``overdue`` (stopping in the warning zone is on time).
- The dispatch clock (ZJ§13, JM§24: the agency dispatches "在规定时间内") starts when the agency
  accepts the case (again when it is passed up to the next level, or reopened back to the agency)
  and stops when the case is dispatched, solved by the agency itself or rejected.
- ``urgency``: ``urgent`` shortens the report, acceptance and dispatch clocks; ``emergency`` counts the
  same as ``urgent`` here. Handling and feedback limits do not depend on urgency. Where the profile
  sends urgent cases straight to the competent department too (``cases.emergency_to_department``,
  LZ§16), escalating one starts the ``emergency`` clock: the department must acknowledge the report
  within the urgent acceptance limit (``accept_urgent_hours``), the same span an agency has for it.
- ``provisional``: the limit crossed a year whose holiday notice is not loaded, so only weekends were
  skipped there; the flag travels with the clock and pages show it.

Which actions start and stop each clock is in :data:`CLOCK_STARTS` / :data:`CLOCK_STOPS`; the
report clock starts when the case is created (at its ``discovered_at``), not by an action.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from gridgov.calendar import WorkCalendar, end_of_day
from gridgov.cases.workflow import CaseAction
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import SHANGHAI


class ClockKind(enum.StrEnum):
    REPORT = "report"
    ACCEPTANCE = "acceptance"
    DISPATCH = "dispatch"
    HANDLING = "handling"
    FEEDBACK = "feedback"
    EMERGENCY = "emergency"


CLOCK_LABELS = {
    ClockKind.REPORT: "上报时限",
    ClockKind.ACCEPTANCE: "受理时限",
    ClockKind.DISPATCH: "分派时限",
    ClockKind.HANDLING: "办理时限",
    ClockKind.FEEDBACK: "反馈时限",
    ClockKind.EMERGENCY: "紧急直报接报时限",
}


class ClockStatus(enum.StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    OVERDUE = "overdue"


STATUS_LABELS = {ClockStatus.ON_TIME: "正常", ClockStatus.WARNING: "预警", ClockStatus.OVERDUE: "超期"}


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急", Urgency.EMERGENCY: "突发"}

CLOCK_STARTS: dict[CaseAction, tuple[ClockKind, ...]] = {
    CaseAction.ESCALATE: (ClockKind.ACCEPTANCE,),
    CaseAction.ACCEPT: (ClockKind.DISPATCH,),
    CaseAction.PASS_UP: (ClockKind.DISPATCH,),
    CaseAction.DISPATCH: (ClockKind.HANDLING,),
    CaseAction.DECIDE: (ClockKind.HANDLING,),
    CaseAction.REWORK: (ClockKind.HANDLING,),
    CaseAction.SOLVE_ON_SITE: (ClockKind.FEEDBACK,),
    CaseAction.SOLVE: (ClockKind.FEEDBACK,),
    CaseAction.CHECK: (ClockKind.FEEDBACK,),
    CaseAction.MEDIATION_FAILED: (ClockKind.DISPATCH,),
}
"""Clocks an action (re)starts. Rework and re-dispatch give the department a fresh handling period;
the previous clock's final status is kept in the case's file by the service. A case passed up gives
the next level its own dispatch period (the lower level's clock is kept in the file the same way).
Reopening back to the agency (``to=accepted``) restarts the dispatch clock in the service. A mediation
that fails gives the agency a fresh dispatch period (issue 18: passing a dispute to mediation stops it)."""

CLOCK_STOPS: dict[CaseAction, tuple[ClockKind, ...]] = {
    CaseAction.ESCALATE: (ClockKind.REPORT,),
    CaseAction.SOLVE_ON_SITE: (ClockKind.REPORT,),
    CaseAction.REJECT: (ClockKind.REPORT, ClockKind.ACCEPTANCE, ClockKind.DISPATCH, ClockKind.EMERGENCY),
    CaseAction.ACCEPT: (ClockKind.REPORT, ClockKind.ACCEPTANCE),  # report: a stand-in agency accepts from verified
    CaseAction.DISPATCH: (ClockKind.DISPATCH,),
    CaseAction.SOLVE: (ClockKind.DISPATCH,),
    CaseAction.RETURN: (ClockKind.HANDLING,),
    CaseAction.HANDLE: (ClockKind.HANDLING,),
    CaseAction.FEEDBACK: (ClockKind.FEEDBACK,),
    CaseAction.ACKNOWLEDGE: (ClockKind.EMERGENCY,),
    CaseAction.MERGE: (ClockKind.REPORT, ClockKind.ACCEPTANCE, ClockKind.DISPATCH),
    CaseAction.MEDIATE: (ClockKind.DISPATCH,),
}
"""Clocks an action stops (a clock that is not running is left alone)."""


class Limits(Protocol):
    """The fields of :class:`gridgov.policy.schema.CaseLimits` the clocks read."""

    report_hours: float
    urgent_report_minutes: int
    accept_working_days: int
    accept_urgent_hours: float
    handling_working_days: int
    max_extensions: int
    extension_working_days: int
    feedback_working_days: int
    warning_ratio: float
    dispatch_working_days: int
    dispatch_urgent_hours: float


@dataclass(frozen=True)
class Clock:
    """One clock of one case, as stored in ``case_clocks``.

    Exactly one of ``working_days`` (a limit in working days, extensions included) and ``span`` (a
    limit in calendar time) is set; ``due_at`` and ``warn_at`` follow from it and ``started_at``.
    """

    kind: ClockKind
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    warning_ratio: float
    working_days: int | None = None
    span: timedelta | None = None
    urgency: Urgency = Urgency.NORMAL
    extensions: int = 0
    provisional: bool = False
    unknown_years: tuple[int, ...] = ()
    stopped_at: datetime | None = None
    final_status: ClockStatus | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, times in ISO 8601 with the Asia/Shanghai offset (+08:00)."""

        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.astimezone(SHANGHAI).isoformat()

        return {
            "kind": str(self.kind),
            "label": CLOCK_LABELS[self.kind],
            "started_at": iso(self.started_at),
            "due_at": iso(self.due_at),
            "warn_at": iso(self.warn_at),
            "stopped_at": iso(self.stopped_at),
            "final_status": None if self.final_status is None else str(self.final_status),
            "working_days": self.working_days,
            "span_seconds": None if self.span is None else self.span.total_seconds(),
            "urgency": str(self.urgency),
            "extensions": self.extensions,
            "provisional": self.provisional,
            "unknown_years": list(self.unknown_years),
        }


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(SHANGHAI)


def _ratio(limits: Limits) -> float:
    ratio = float(limits.warning_ratio)
    if not 0 < ratio < 1:
        raise ValueError("warning_ratio must lie strictly between 0 and 1")
    return ratio


def _span_clock(kind: ClockKind, start: datetime, span: timedelta, ratio: float, urgency: Urgency) -> Clock:
    warn_at = start + span * ratio
    return Clock(kind, start, start + span, warn_at.astimezone(SHANGHAI), ratio, span=span, urgency=urgency)


def _working_day_times(
    start: datetime, days: int, ratio: float, calendar: WorkCalendar
) -> tuple[datetime, datetime, tuple[int, ...]]:
    """``due_at`` and ``warn_at`` of a limit of ``days`` working days, and the unknown years crossed.

    The warning instant lies ``ratio × days`` working days into the period: whole working days are
    counted with the calendar, the fraction is a share of the next working day's 24 hours.
    """
    due = calendar.add_working_days(start, days)
    target = Decimal(str(ratio)) * days
    whole = int(target)
    fraction = target - whole
    if fraction == 0:
        warn_day = calendar.add_working_days(start, whole)
        warn_at = end_of_day(warn_day.day)
    else:
        warn_day = calendar.add_working_days(start, whole + 1)
        day_start = datetime.combine(warn_day.day, time.min, tzinfo=SHANGHAI)
        warn_at = day_start + timedelta(seconds=float(fraction) * 86400)
    years = tuple(sorted(set(due.unknown_years) | set(warn_day.unknown_years)))
    return due.due_at, warn_at, years


def _day_clock(
    kind: ClockKind, start: datetime, days: int, ratio: float, calendar: WorkCalendar, urgency: Urgency
) -> Clock:
    due_at, warn_at, years = _working_day_times(start, days, ratio, calendar)
    return Clock(
        kind,
        start,
        due_at,
        warn_at,
        ratio,
        working_days=days,
        urgency=urgency,
        provisional=bool(years),
        unknown_years=years,
    )


def start_clock(
    kind: ClockKind | str,
    started_at: datetime,
    limits: Limits,
    calendar: WorkCalendar,
    urgency: Urgency | str = Urgency.NORMAL,
) -> Clock:
    """A running clock of ``kind`` started at ``started_at`` under the profile's limits."""
    kind, urgency = ClockKind(kind), Urgency(urgency)
    start = _aware(started_at, "started_at")
    ratio = _ratio(limits)
    hurried = urgency is not Urgency.NORMAL
    if kind is ClockKind.REPORT:
        span = (
            timedelta(minutes=limits.urgent_report_minutes) if hurried else timedelta(hours=limits.report_hours)
        )
        return _span_clock(kind, start, span, ratio, urgency)
    if kind is ClockKind.EMERGENCY:
        return _span_clock(kind, start, timedelta(hours=limits.accept_urgent_hours), ratio, urgency)
    if kind is ClockKind.ACCEPTANCE:
        if hurried:
            return _span_clock(kind, start, timedelta(hours=limits.accept_urgent_hours), ratio, urgency)
        return _day_clock(kind, start, limits.accept_working_days, ratio, calendar, urgency)
    if kind is ClockKind.DISPATCH:
        if hurried:
            return _span_clock(kind, start, timedelta(hours=limits.dispatch_urgent_hours), ratio, urgency)
        return _day_clock(kind, start, limits.dispatch_working_days, ratio, calendar, urgency)
    if kind is ClockKind.HANDLING:
        return _day_clock(kind, start, limits.handling_working_days, ratio, calendar, urgency)
    return _day_clock(kind, start, limits.feedback_working_days, ratio, calendar, urgency)


def _status_at(clock: Clock, at: datetime) -> ClockStatus:
    if at > clock.due_at:
        return ClockStatus.OVERDUE
    if at >= clock.warn_at:
        return ClockStatus.WARNING
    return ClockStatus.ON_TIME


def clock_status(clock: Clock, now: datetime) -> ClockStatus:
    """``on_time`` | ``warning`` | ``overdue`` at ``now``; a stopped clock answers its final status."""
    if clock.final_status is not None:
        return clock.final_status
    return _status_at(clock, _aware(now, "now"))


def stop(clock: Clock, at: datetime) -> Clock:
    """The clock stopped at ``at``, keeping for good whether it ended on time or overdue."""
    if not clock.running:
        raise Conflict(f"{CLOCK_LABELS[clock.kind]}已停止计时")
    at = _aware(at, "at")
    final = ClockStatus.OVERDUE if _status_at(clock, at) is ClockStatus.OVERDUE else ClockStatus.ON_TIME
    return replace(clock, stopped_at=at, final_status=final)


def extend(clock: Clock, days: int, calendar: WorkCalendar, *, limits: Limits | None = None) -> Clock:
    """The handling clock moved by ``days`` more working days (a granted extension).

    The new due date counts ``handling + all extensions`` working days from the original start, so
    the warning moves with it. With ``limits``, the profile's per-extension maximum and number of
    extensions are enforced (the workflow checks them too; this keeps the clock honest on its own).
    """
    if clock.kind is not ClockKind.HANDLING or clock.working_days is None:
        raise Conflict("只有办理时限可以延期")
    if not clock.running:
        raise Conflict("办理时限已停止计时，不能延期")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise Invalid("延期天数应为正整数（工作日）")
    if limits is not None:
        if days > limits.extension_working_days:
            raise Invalid(f"每次延期最多 {limits.extension_working_days} 个工作日")
        if clock.extensions >= limits.max_extensions:
            raise Conflict(f"延期次数已用完（最多 {limits.max_extensions} 次）")
    total = clock.working_days + days
    due_at, warn_at, years = _working_day_times(clock.started_at, total, clock.warning_ratio, calendar)
    return replace(
        clock,
        due_at=due_at,
        warn_at=warn_at,
        working_days=total,
        extensions=clock.extensions + 1,
        provisional=bool(years),
        unknown_years=years,
    )


def remaining(clock: Clock, now: datetime) -> timedelta:
    """Time left until ``due_at`` (negative when overdue); for a stopped clock, as it stopped."""
    at = clock.stopped_at if clock.stopped_at is not None else _aware(now, "now")
    return clock.due_at - at
