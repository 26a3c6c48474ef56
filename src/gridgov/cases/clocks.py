"""Between the pure clocks of :mod:`.deadlines` and their rows in ``case_clocks``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import deadlines as dl
from gridgov.cases import repository as repo
from gridgov.cases.limits import limit_problems, limits_for
from gridgov.errors import Conflict
from gridgov.models import CaseClock, Matter

CLOCK_KINDS = tuple(dl.ClockKind)


def limits_of_case(session: Session, category: str, profile, *, strict: bool = True):
    """The limits a case's clocks run on: the profile's, with the own limits of the matter the case
    names laid over them. The matter is found by its code whatever its status now: a case keeps the
    limits of the matter it was registered under even if the matter left the list since.

    ``strict``: a matter with unusable limits refuses the action (422) rather than run a clock on
    numbers nobody approved; reading a case (``strict=False``) falls back to the profile's."""
    own = session.scalar(select(Matter.limits).where(Matter.code == category)) if category else None
    if not strict and limit_problems(profile.cases.limits, own):
        return profile.cases.limits
    return limits_for(profile.cases.limits, own)


def to_clock(row: CaseClock) -> dl.Clock:
    return dl.Clock(
        kind=dl.ClockKind(row.kind),
        started_at=row.started_at,
        due_at=row.due_at,
        warn_at=row.warn_at,
        warning_ratio=row.warning_ratio,
        working_days=row.working_days,
        span=None if row.span_seconds is None else timedelta(seconds=row.span_seconds),
        urgency=dl.Urgency(row.urgency),
        extensions=row.extensions,
        provisional=row.provisional,
        unknown_years=tuple(row.unknown_years or ()),
        stopped_at=row.stopped_at,
        final_status=None if row.final_status is None else dl.ClockStatus(row.final_status),
    )


def _write(row: CaseClock, clock: dl.Clock) -> CaseClock:
    row.started_at = clock.started_at
    row.due_at = clock.due_at
    row.warn_at = clock.warn_at
    row.warning_ratio = clock.warning_ratio
    row.working_days = clock.working_days
    row.span_seconds = None if clock.span is None else clock.span.total_seconds()
    row.urgency = str(clock.urgency)
    row.extensions = clock.extensions
    row.provisional = clock.provisional
    row.unknown_years = list(clock.unknown_years)
    row.stopped_at = clock.stopped_at
    row.final_status = None if clock.final_status is None else str(clock.final_status)
    return row


def first_clock(kind: dl.ClockKind, at: datetime, limits, calendar, urgency: str, *, make=CaseClock):
    """The row of a case's first clock of ``kind``, not yet written (intake writes it with the case,
    see :mod:`.intake_rows`): ``make`` builds it, outside any session."""
    return _write(make(kind=str(kind), case_id=None, warned_at=None, overdue_at=None),
                  dl.start_clock(kind, at, limits, calendar, urgency))


def start(session: Session, case_id: int, kind: dl.ClockKind, at: datetime, limits, calendar,
          urgency: str) -> dict | None:
    """(Re)starts a clock; returns the replaced clock's summary when one was there (for the file)."""
    clock = dl.start_clock(kind, at, limits, calendar, urgency)
    row = repo.clock_of(session, case_id, str(kind))
    previous = None
    if row is None:
        row = CaseClock(case_id=case_id, kind=str(kind))
        session.add(row)
    else:
        old = to_clock(row)
        previous = {"kind": str(kind), "due_at": old.due_at.isoformat(),
                    "final_status": str(old.final_status or dl.clock_status(old, at))}
        row.warned_at = None
        row.overdue_at = None
    _write(row, clock)
    return previous


def stop(session: Session, case_id: int, kind: dl.ClockKind, at: datetime) -> str | None:
    """Stops a running clock; returns its final status (None if it was not running)."""
    row = repo.clock_of(session, case_id, str(kind))
    if row is None or row.stopped_at is not None:
        return None
    stopped = dl.stop(to_clock(row), at)
    _write(row, stopped)
    return str(stopped.final_status)


def extend(session: Session, case_id: int, days: int, calendar, limits) -> dl.Clock:
    row = repo.clock_of(session, case_id, str(dl.ClockKind.HANDLING))
    if row is None:
        raise Conflict("该事件尚未开始办理计时，不能延期")
    moved = dl.extend(to_clock(row), days, calendar, limits=limits)
    _write(row, moved)
    row.warned_at = None
    row.overdue_at = None
    return moved


OPTIONAL_KINDS = frozenset({dl.ClockKind.EMERGENCY})
"""Clocks only some cases have (an urgent case sent straight to a department, LZ§16): left out of a
case's ``clocks`` unless started, so the other cases read as before."""


def summary(rows: list[CaseClock], now: datetime) -> dict[str, dict | None]:
    """The ``clocks`` object of a case in JSON: every kind, None for a clock not started (the
    :data:`OPTIONAL_KINDS` only when started)."""
    by_kind = {r.kind: r for r in rows}
    out: dict[str, dict | None] = {}
    for kind in CLOCK_KINDS:
        row = by_kind.get(str(kind))
        if row is None and kind in OPTIONAL_KINDS:
            continue
        if row is None:
            out[str(kind)] = None
            continue
        clock = to_clock(row)
        out[str(kind)] = {
            "due_at": clock.due_at.astimezone(dl.SHANGHAI),
            "status": str(dl.clock_status(clock, now)),
            "provisional": clock.provisional,
            "started_at": clock.started_at.astimezone(dl.SHANGHAI),
            "stopped_at": None if clock.stopped_at is None else clock.stopped_at.astimezone(dl.SHANGHAI),
            "warn_at": clock.warn_at.astimezone(dl.SHANGHAI),
            "extensions": clock.extensions,
        }
    return out


SEVERITY = {"on_time": 0, "warning": 1, "overdue": 2}


def worst(rows: list[CaseClock], now: datetime) -> str | None:
    """The worst status among the running clocks (what list colours show), None if none runs."""
    running = [str(dl.clock_status(to_clock(r), now)) for r in rows if r.stopped_at is None]
    return max(running, key=SEVERITY.__getitem__) if running else None
