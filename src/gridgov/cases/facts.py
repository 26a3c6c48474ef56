"""A case's fact row (``case_facts``, :class:`gridgov.models.analysis.CaseFact`), derived from the
case, its clocks and its file alone: pure, no I/O.

Every counter is 0 or 1 for the case (``supervised`` counts orders); docs/kpi.md defines each one
(after the indicators of GB/T 30428-style city-management appraisal) and says which rate divides
which. What the file says is the authority: a re-started clock's previous final status is kept in
the entry that re-started it (``previous_<kind>_clock``), a stopped one's in the entry that stopped
it (``<kind>_clock``), so earlier handling periods of a re-dispatch, a rework or a reopening still
count after their clock row was overwritten.

The inputs are read by attribute, so ORM rows and the plain rows intake builds
(:class:`gridgov.cases.intake_rows.Row`) both do:

- case: ``created_at, grid_code, town_code, county_code, type_code, category, lead_department_code,
  source, state, merged_into_id, evaluation, closed_at, version, log_length``;
- clocks: ``kind, started_at, due_at, stopped_at, final_status``;
- entries: ``seq, action, at, role, actor_id, to_state, data``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from gridgov.calendar import local_day
from gridgov.cases.deadlines import ClockStatus
from gridgov.cases.workflow import CaseAction, CaseState, Evaluation
from gridgov.models.accounts import GRID_WORKER_ROLES
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS

OVERDUE = str(ClockStatus.OVERDUE)

SATISFIED_EVALUATIONS = frozenset({str(Evaluation.SATISFIED), str(Evaluation.BASICALLY_SATISFIED)})
"""What counts as satisfied (满意率): 满意 and 基本满意. No text of the five regulations says how a
satisfaction rate is counted (they ask for 督办和评价机制 only), so this is a local default, the
way hotline and city-management appraisals count it (docs/kpi.md)."""

DISPATCHES = frozenset({str(CaseAction.DISPATCH), str(CaseAction.DECIDE)})
# plain strings: intake derives a row per new case, and comparing StrEnum members costs more
HANDLE, RETURN, REWORK, REOPEN = (str(a) for a in (CaseAction.HANDLE, CaseAction.RETURN, CaseAction.REWORK,
                                                   CaseAction.REOPEN))
GRANT, SUPERVISE = str(CaseAction.GRANT_EXTENSION), str(CaseAction.SUPERVISE)
VERIFIED, CLOSED, REJECTED = str(CaseState.VERIFIED), str(CaseState.CLOSED), str(CaseState.REJECTED)
_WORKERS = frozenset(str(r) for r in GRID_WORKER_ROLES)

DIMENSIONS = ("reported_day", "grid_code", "town_code", "county_code", "type_code", "matter_code",
              "department_code", "worker_id", "source", "state")
COLUMNS = (*DIMENSIONS, *FACT_COUNTERS, *FACT_DURATIONS, "case_version", "log_length")
"""The columns of a fact row that derivation fixes (``computed_at`` is when, not what)."""


def _days(calendar, start: datetime, end: datetime) -> int:
    """Working days from ``start`` to ``end`` (after start's day up to end's day, Asia/Shanghai);
    the same day is 0 without asking the calendar."""
    if local_day(start) == local_day(end):
        return 0
    return calendar.working_days_between(start, end).days


def _clock_statuses(entries: Iterable[Any]) -> Iterable[tuple[str, str]]:
    """(kind, final status) of every clock period the file records as ended."""
    for e in entries:
        if not e.data:
            continue
        for key, value in e.data.items():
            if key.startswith("previous_") and key.endswith("_clock") and isinstance(value, dict):
                yield key[len("previous_"):-len("_clock")], str(value.get("final_status") or "")
            elif key.endswith("_clock") and isinstance(value, str):
                yield key[:-len("_clock")], value


def _now_status(clock, now: datetime) -> str:
    if clock.final_status is not None:
        return str(clock.final_status)
    return OVERDUE if now > clock.due_at else ""


def derive(case, clocks: Iterable[Any], entries: Iterable[Any], *, now: datetime, calendar) -> dict[str, Any]:
    """The fact row of ``case`` at ``now`` (column → value, without ``case_id`` and ``computed_at``).
    ``calendar``: a :class:`gridgov.calendar.WorkCalendar` (only asked for spans over several days)."""
    entries = sorted(entries, key=lambda e: e.seq) if len(entries) > 1 else list(entries)
    clocks = list(clocks)
    actions = [str(e.action) for e in entries]
    done = set(actions)
    ended = list(_clock_statuses(entries))
    current = [(str(c.kind), _now_status(c, now)) for c in clocks]

    merged = case.merged_into_id is not None
    state = str(case.state)
    verified_at = next((e.at for e in entries if e.to_state == VERIFIED), None)
    dispatched_at = next((e.at for e in reversed(entries) if e.action in DISPATCHES), None)
    handled_at = next((e.at for e in reversed(entries) if e.action == HANDLE), None) if HANDLE in done else None
    report_clock = next((c for c in clocks if c.kind == "report"), None)

    overdue = any(s == OVERDUE for _k, s in ended) or any(s == OVERDUE for _k, s in current)
    handling_overdue = any(s == OVERDUE for k, s in (*ended, *current) if k == "handling") if overdue else False
    closed = int(state == CLOSED and not merged)
    handled = int(HANDLE in done)
    verified = int(verified_at is not None)
    evaluation = None if case.evaluation is None else str(case.evaluation)

    row: dict[str, Any] = {
        "reported_day": local_day(case.created_at),
        "grid_code": case.grid_code,
        "town_code": case.town_code,
        "county_code": case.county_code,
        "type_code": case.type_code,
        "matter_code": case.category,
        "department_code": case.lead_department_code,
        "worker_id": _worker(entries),
        "source": case.source,
        "state": state,
        "reported": 1,
        "valid": int(state != REJECTED and not merged),
        "verified": verified,
        "verified_on_time": int(verified and report_clock is not None and verified_at <= report_clock.due_at),
        "dispatched": int(dispatched_at is not None),
        "returned": int(RETURN in done),
        "handled": handled,
        "handled_on_time": int(handled and not handling_overdue),
        "closed": closed,
        "closed_on_time": int(closed and not overdue),
        "reworked": int(REWORK in done),
        "reopened": int(REOPEN in done),
        "extended": int(GRANT in done),
        "overdue": int(overdue),
        "evaluated": int(evaluation is not None),
        "satisfied": int(evaluation in SATISFIED_EVALUATIONS),
        "supervised": actions.count(SUPERVISE) if SUPERVISE in done else 0,
        "verify_days": None if verified_at is None else _days(calendar, case.created_at, verified_at),
        "dispatch_days": (None if dispatched_at is None
                          else _days(calendar, verified_at or case.created_at, dispatched_at)),
        "handle_days": (None if handled_at is None or dispatched_at is None or handled_at < dispatched_at
                        else _days(calendar, dispatched_at, handled_at)),
        "close_days": None if not closed or case.closed_at is None else _days(calendar, case.created_at,
                                                                               case.closed_at),
        "case_version": case.version or 0,
        "log_length": case.log_length or 0,
    }
    return row


def _worker(entries: list[Any]) -> int | None:
    """The grid worker who reported the case, or failing that who verified it (None: neither)."""
    for e in entries:
        if str(e.action) == "create":
            if str(e.role) in _WORKERS and e.actor_id is not None:
                return int(e.actor_id)
            break
    for e in entries:
        if str(e.to_state) == CaseState.VERIFIED and str(e.role) in _WORKERS and e.actor_id is not None:
            return int(e.actor_id)
    return None


def same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Whether two fact rows say the same (``computed_at`` aside)."""
    if a is None or b is None:
        return a is b
    return all(_norm(a.get(c)) == _norm(b.get(c)) for c in COLUMNS)


def _norm(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return value
