"""The constant-time calendar against the day-by-day walk it replaced (kept here as the reference)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
import numpy as np
import pytest

from gridgov.calendar import (
    TABLE_MARGIN_YEARS,
    Count,
    Due,
    WorkCalendar,
    bundled_years,
    end_of_day,
    load_overrides,
    load_work_calendar,
    local_day,
)

D = date
_bundled_workday = lru_cache(maxsize=None)(chinese_calendar.is_workday)  # the same answers, faster to ask again
NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


class Naive:
    """The calendar as it was: every answer walks day by day through ``chinese_calendar``."""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self.override_years = {d.year for d in self.overrides}

    def is_known_year(self, year):
        return year in bundled_years() or year in self.override_years

    def is_workday(self, day):
        day = local_day(day)
        if day in self.overrides:
            return self.overrides[day]
        if day.year in bundled_years():
            return _bundled_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start, n):
        day, unknown, counted = local_day(start), set(), 0
        while counted < n:
            day += timedelta(days=1)
            if not self.is_known_year(day.year):
                unknown.add(day.year)
            if self.is_workday(day):
                counted += 1
        years = tuple(sorted(unknown))
        return Due(due_at=end_of_day(day), day=day, provisional=bool(years), unknown_years=years)

    def working_days_between(self, start, end):
        first, last = local_day(start), local_day(end)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        unknown, days, day = set(), 0, first
        while day < last:
            day += timedelta(days=1)
            if not self.is_known_year(day.year):
                unknown.add(day.year)
            if self.is_workday(day):
                days += 1
        years = tuple(sorted(unknown))
        return Count(days=sign * days, provisional=bool(years), unknown_years=years)


# Overrides of every kind: a loaded future year with a gap before it, a correction inside a bundled
# year both ways, a year before the bundled data, and a New Year spill.
OVERRIDES = {
    D(2031, 9, 28): True, D(2031, 10, 1): False, D(2031, 10, 2): False, D(2031, 10, 3): False,
    D(2031, 10, 6): False, D(2031, 10, 7): False, D(2031, 10, 11): True, D(2032, 1, 1): False,
    D(2026, 10, 8): False, D(2026, 10, 3): True, D(2025, 5, 10): True,
    D(1999, 10, 1): False, D(1999, 10, 9): True,
}

SEED = 20261206


def _moments(rng, count):
    """Random starts: mostly dates 1995–2045 (holidays, swaps, overrides, gaps, unknown years), some
    aware datetimes near Shanghai midnight, and a few far outside the table."""
    lo, hi = D(1995, 1, 1).toordinal(), D(2045, 12, 31).toordinal()
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            out.append(D(rng.choice([1950, 1980, 2080, 2300]), rng.randint(1, 12), rng.randint(1, 28)))
            continue
        day = D.fromordinal(rng.randint(lo, hi))
        if roll < 0.25:
            out.append(datetime(day.year, day.month, day.day, rng.choice([15, 16, 17, 23]), 30, tzinfo=UTC))
        else:
            out.append(day)
    return out


def _span(rng):
    return rng.choice([rng.randint(0, 12), rng.randint(0, 60), rng.randint(0, 400), rng.randint(0, 1500)])


@pytest.fixture(scope="module", params=["bundled", "overrides"])
def pair(request):
    overrides = OVERRIDES if request.param == "overrides" else {}
    return WorkCalendar(overrides), Naive(overrides)


def test_add_working_days_equals_the_day_by_day_walk(pair):
    cal, naive = pair
    rng = random.Random(SEED)
    for start in _moments(rng, 700):
        n = _span(rng)
        assert cal.add_working_days(start, n) == naive.add_working_days(start, n), (start, n)


def test_working_days_between_equals_the_day_by_day_walk(pair):
    cal, naive = pair
    rng = random.Random(SEED + 1)
    for start in _moments(rng, 700):
        end = local_day(start) + timedelta(days=rng.choice([-1, 1]) * _span(rng))
        if rng.random() < 0.2:
            end = datetime(end.year, end.month, end.day, 16, 5, tzinfo=UTC)
        assert cal.working_days_between(start, end) == naive.working_days_between(start, end), (start, end)


def test_every_day_of_the_table_and_beyond_is_the_same_kind_of_day(pair):
    cal, naive = pair
    first = cal.ordinals.first
    for o in range(first - 400, cal.ordinals.last + 400):
        day = D.fromordinal(o)
        assert cal.is_workday(day) == naive.is_workday(day), day


def test_each_holiday_and_swapped_day_is_an_edge_both_ways(pair):
    """Starts on, just before and just after every exception of the bundled notices and overrides."""
    cal, naive = pair
    exceptions = sorted(set(chinese_calendar.holidays) | set(chinese_calendar.workdays) | set(naive.overrides))
    rng = random.Random(SEED + 2)
    for day in rng.sample(exceptions, 300):
        for start in (day - timedelta(days=1), day, day + timedelta(days=1)):
            n = rng.randint(0, 8)
            assert cal.add_working_days(start, n) == naive.add_working_days(start, n), (start, n)
            end = start + timedelta(days=rng.randint(-10, 10))
            assert cal.working_days_between(start, end) == naive.working_days_between(start, end)


def test_the_table_spans_the_known_years_plus_the_margin():
    cal = WorkCalendar(OVERRIDES)
    assert D.fromordinal(cal.ordinals.first) == D(1999, 1, 1)
    assert D.fromordinal(cal.ordinals.last) == D(2032 + TABLE_MARGIN_YEARS, 12, 31)
    plain = WorkCalendar()
    assert D.fromordinal(plain.ordinals.first) == D(min(bundled_years()), 1, 1)
    assert D.fromordinal(plain.ordinals.last) == D(max(bundled_years()) + TABLE_MARGIN_YEARS, 12, 31)


def test_a_count_that_crosses_the_table_edge_is_exact_and_provisional():
    cal, naive = WorkCalendar(), Naive()
    end_of_table = D.fromordinal(cal.ordinals.last)
    for start in (end_of_table - timedelta(days=3), D(2003, 12, 29)):
        for n in range(0, 12):
            assert cal.add_working_days(start, n) == naive.add_working_days(start, n)
    due = cal.add_working_days(D(2026, 12, 30), 400)
    assert due.provisional and due.unknown_years == (2027, 2028)


def test_lean_methods_agree_with_the_full_answers(pair):
    cal, _ = pair
    rng = random.Random(SEED + 3)
    for start in _moments(rng, 300):
        day, n = local_day(start), _span(rng)
        end = day + timedelta(days=rng.randint(-500, 500))
        assert cal.due_day(day, n) == cal.add_working_days(day, n).day
        assert cal.days_between(day, end) == cal.working_days_between(day, end).days
        assert cal.ordinals.marked_between(*sorted((day.toordinal(), end.toordinal()))) == \
            cal.working_days_between(day, end).provisional


def test_vectorised_variants_agree_with_the_scalars(pair):
    cal, naive = pair
    rng = random.Random(SEED + 4)
    starts = [local_day(m).toordinal() for m in _moments(rng, 1500)]
    ns = [_span(rng) for _ in starts]
    ends = [s + rng.randint(-3000, 3000) for s in starts]
    table = cal.ordinals
    a, n, b = np.array(starts), np.array(ns), np.array(ends)
    assert table.advance_many(a, n).tolist() == [table.advance(s, k) for s, k in zip(starts, ns, strict=True)]
    assert table.between_many(a, b).tolist() == [table.between(s, e) for s, e in zip(starts, ends, strict=True)]
    marked = table.marked_between_many(a, b).tolist()
    assert marked == [cal.working_days_between(D.fromordinal(s), D.fromordinal(e)).provisional
                      for s, e in zip(starts, ends, strict=True)]
    some = rng.sample(range(len(starts)), 40)
    for i in some:  # and a sample straight against the walk
        assert D.fromordinal(int(table.advance_many(a[i:i + 1], n[i:i + 1])[0])) == \
            naive.add_working_days(D.fromordinal(starts[i]), ns[i]).day
    with pytest.raises(ValueError):
        table.advance_many(a[:2], np.array([1, -1]))


def test_results_are_shared_immutable_values():
    cal = WorkCalendar()
    first = cal.add_working_days(D(2026, 9, 30), 5)
    assert WorkCalendar().add_working_days(D(2026, 9, 29), 6) is first  # the same due day, one object
    with pytest.raises(AttributeError):
        first.day = D(2000, 1, 1)


def test_a_start_near_the_end_of_time_overflows_like_the_walk():
    with pytest.raises(OverflowError):
        WorkCalendar().add_working_days(D(9999, 12, 30), 5)
    with pytest.raises(OverflowError):
        Naive().add_working_days(D(9999, 12, 30), 5)


# --- overrides in the database: the table is built once, and again when an override changes -------


@pytest.fixture
def session_factory(fresh_url):
    from gridgov.db import make_engine, make_sessionmaker

    engine = make_engine(fresh_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_an_override_change_rebuilds_the_table(session_factory):
    from gridgov.db import unit_of_work

    rows = [{"date": d.isoformat(), "is_workday": "1" if w else "0", "line": i + 2}
            for i, (d, w) in enumerate(sorted((d, w) for d, w in OVERRIDES.items() if d.year == 2031))]
    with unit_of_work(session_factory) as session:
        load_overrides(session, rows, source="国办发明电", now=NOW)
    with session_factory() as session:
        before, again = load_work_calendar(session), load_work_calendar(session)
    assert before.ordinals is again.ordinals  # built once for these overrides, not per load
    span = (D(2031, 9, 30), D(2031, 10, 31))
    assert before.working_days_between(*span) == Naive(before.overrides).working_days_between(*span)
    with unit_of_work(session_factory) as session:
        load_overrides(session, [{"date": "2031-10-08", "is_workday": "休", "name": "更正"}], source="fix", now=NOW)
    with session_factory() as session:
        after = load_work_calendar(session)
    assert after.ordinals is not before.ordinals
    assert after.working_days_between(*span).days == before.working_days_between(*span).days - 1
    assert after.working_days_between(*span) == Naive(after.overrides).working_days_between(*span)
    assert after.add_working_days(D(2031, 10, 7), 1).day == D(2031, 10, 9)
    assert before.add_working_days(D(2031, 10, 7), 1).day == D(2031, 10, 8)  # the old calendar keeps its table
