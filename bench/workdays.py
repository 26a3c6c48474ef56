"""Working-day arithmetic: calls per second of the table-backed calendar against the day-by-day walk.

Random cases like a case file's stages: start days spread over 2015–2027 (holidays, swapped
working days, the unknown year 2027 past the bundled data), ``n`` from 0 to 30 working days for
``add_working_days``, and end days from 10 days before to 60 days after the start for
``working_days_between``. The calendar carries a handful of administrator overrides.

Figures (one JSON line each; ``per_s`` = calls, or array elements, per second):

* ``naive_*``: the day-by-day walk the calendar used before (kept here as ``naive_*`` functions:
  ``chinese_calendar.is_workday`` per day, overrides first, unknown years Monday–Friday), the
  baseline of the same run.
* ``add_working_days`` / ``working_days_between``: the full scalar API (dates in, ``Due``/``Count``
  out with provisional flags); ``*_datetime``: the same with aware datetimes in (Shanghai day).
* ``due_day`` / ``days_between``: lean, ``date`` in, ``date``/``int`` out (no flag).
* ``ordinals.advance`` / ``ordinals.between``: lean on ``int`` day ordinals.
* ``advance_many`` / ``between_many``: numpy arrays of ordinals, elements per second.

``per_s`` is over the process's CPU time (steadier on a shared machine), ``wall_per_s`` over wall
time, both the best of three runs (the naive walk: one run); ``ratio`` = per_s over the naive
walk's; ``meets_target``: per_s ≥ 1,000,000.

Usage: ``python bench/workdays.py [--calls 300000] [--naive-calls 3000] [--array 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import numpy as np

from gridgov.calendar import WorkCalendar, bundled_years, local_day

OVERRIDES = {date(2026, 10, 8): False, date(2026, 10, 3): True, date(2025, 5, 10): True}
TARGET = 1_000_000


def _naive_workday(day: date) -> bool:
    if day in OVERRIDES:
        return OVERRIDES[day]
    if day.year in bundled_years():
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


OVERRIDE_YEARS = frozenset(d.year for d in OVERRIDES)


def _known(year: int) -> bool:
    return year in bundled_years() or year in OVERRIDE_YEARS


def naive_add_working_days(start, n):
    day, unknown, counted = local_day(start), set(), 0
    while counted < n:
        day += timedelta(days=1)
        if not _known(day.year):
            unknown.add(day.year)
        if _naive_workday(day):
            counted += 1
    return day, tuple(sorted(unknown))


def naive_working_days_between(start, end):
    first, last, sign = local_day(start), local_day(end), 1
    if last < first:
        first, last, sign = last, first, -1
    unknown, days, day = set(), 0, first
    while day < last:
        day += timedelta(days=1)
        if not _known(day.year):
            unknown.add(day.year)
        if _naive_workday(day):
            days += 1
    return sign * days, tuple(sorted(unknown))


def _rate(fn, args, repeat: int = 3) -> tuple[float, float]:
    """Calls per second over CPU time and over wall time, each the best of ``repeat`` runs.

    The machine is shared (2 cores, other jobs running): the process's CPU time is the steadier
    figure, the wall figure is given beside it."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for a, b in args:
            fn(a, b)
        cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - w0)
    return len(args) / cpu, len(args) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--naive-calls", type=int, default=3_000)
    parser.add_argument("--array", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lo, hi = date(2015, 1, 1).toordinal(), date(2027, 12, 31).toordinal()
    starts = [date.fromordinal(rng.randint(lo, hi)) for _ in range(args.calls)]
    adds = [(s, rng.randint(0, 30)) for s in starts]
    spans = [(s, s + timedelta(days=rng.randint(-10, 60))) for s in starts]
    aware = [(datetime(s.year, s.month, s.day, 3, tzinfo=UTC), n) for s, n in adds]
    aware_spans = [(datetime(s.year, s.month, s.day, 3, tzinfo=UTC), datetime(e.year, e.month, e.day, 3, tzinfo=UTC))
                   for s, e in spans]
    ord_adds = [(s.toordinal(), n) for s, n in adds]
    ord_spans = [(s.toordinal(), e.toordinal()) for s, e in spans]

    began = time.perf_counter()
    cal = WorkCalendar(OVERRIDES)
    build_ms = (time.perf_counter() - began) * 1000
    for (s, n), (a, b) in zip(adds[:2000], spans[:2000], strict=True):  # same answers, or no figures
        due = cal.add_working_days(s, n)
        count = cal.working_days_between(a, b)
        assert (due.day, due.unknown_years) == naive_add_working_days(s, n), (s, n)
        assert (count.days, count.unknown_years) == naive_working_days_between(a, b), (a, b)

    naive = {
        "add_working_days": _rate(naive_add_working_days, adds[: args.naive_calls], 1),
        "working_days_between": _rate(naive_working_days_between, spans[: args.naive_calls], 1),
    }
    table = cal.ordinals
    runs = [
        ("add_working_days", "add_working_days", cal.add_working_days, adds),
        ("add_working_days_datetime", "add_working_days", cal.add_working_days, aware),
        ("due_day", "add_working_days", cal.due_day, adds),
        ("ordinals.advance", "add_working_days", table.advance, ord_adds),
        ("working_days_between", "working_days_between", cal.working_days_between, spans),
        ("working_days_between_datetime", "working_days_between", cal.working_days_between, aware_spans),
        ("days_between", "working_days_between", cal.days_between, spans),
        ("ordinals.between", "working_days_between", table.between, ord_spans),
    ]
    for name, (cpu, wall) in naive.items():
        print(json.dumps({"figure": f"naive_{name}", "per_s": round(cpu), "wall_per_s": round(wall),
                          "calls": args.naive_calls}))
    for figure, base, fn, data in runs:
        _rate(fn, data[:1000], 1)  # warm the caches of shared results
        cpu, wall = _rate(fn, data)
        print(json.dumps({"figure": figure, "per_s": round(cpu), "wall_per_s": round(wall),
                          "ratio": round(cpu / naive[base][0], 1), "meets_target": cpu >= TARGET,
                          "calls": len(data)}))

    size = args.array
    a = np.random.default_rng(args.seed).integers(lo, hi, size=size)
    n = np.random.default_rng(args.seed + 1).integers(0, 31, size=size)
    b = a + np.random.default_rng(args.seed + 2).integers(-10, 61, size=size)
    table.between_many(a[:10], b[:10])
    for figure, base, fn, x, y in (("advance_many", "add_working_days", table.advance_many, a, n),
                                   ("between_many", "working_days_between", table.between_many, a, b)):
        cpu, wall = _rate(lambda x, y, fn=fn: fn(x, y), [(x, y)])
        print(json.dumps({"figure": figure, "per_s": round(cpu * size), "wall_per_s": round(wall * size),
                          "ratio": round(cpu * size / naive[base][0], 1), "meets_target": cpu * size >= TARGET,
                          "elements": size}))
    print(json.dumps({"figure": "table_build_ms", "ms": round(build_ms, 1), "days": table.last - table.first + 1}))


if __name__ == "__main__":
    main()
