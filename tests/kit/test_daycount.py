"""The day table on its own: cumulative counts per ordinal, weekday arithmetic outside it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from gridgov.kit.daycount import DayTable, nth_weekday, weekdays_through

MONDAY = date(2024, 1, 1).toordinal()


def _walk_between(flag, a, b):
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    return sign * sum(flag(o) for o in range(lo + 1, hi + 1))


def _walk_advance(flag, a, n):
    o, counted = a, 0
    while counted < n:
        o += 1
        counted += flag(o)
    return o


@pytest.mark.parametrize("flags", [b"\1\0\0\1\1\1\0\0\1\0", b"\0" * 10, b"\1" * 10])
def test_counts_equal_a_walk_inside_and_outside_the_table(flags):
    table = DayTable(MONDAY + 3, flags, b"\0" * len(flags))

    def flag(o):
        i = o - table.first
        return flags[i] if 0 <= i < len(flags) else int(date.fromordinal(o).weekday() < 5)

    ordinals = range(MONDAY - 20, MONDAY + 40)
    for a in ordinals:
        for n in range(0, 12):
            assert table.advance(a, n) == _walk_advance(flag, a, n), (a, n)
        for b in ordinals:
            assert table.between(a, b) == _walk_between(flag, a, b)
    a = np.array([o for o in ordinals for _ in range(12)])
    n = np.array(list(range(12)) * len(ordinals))
    assert table.advance_many(a, n).tolist() == [table.advance(int(x), int(k)) for x, k in zip(a, n, strict=True)]


def test_marks_say_whether_a_span_touches_a_marked_day():
    table = DayTable(MONDAY, b"\1" * 7, b"\0\0\0\1\0\0\0")
    assert not table.marked_between(MONDAY, MONDAY + 2)
    assert table.marked_between(MONDAY + 2, MONDAY + 3)
    assert not table.marked_between(MONDAY + 3, MONDAY + 6)
    assert table.marked_between(MONDAY + 5, MONDAY + 7)  # past the table: every day is marked
    assert table.marked_between(MONDAY - 2, MONDAY - 1)
    assert table.between_unmarked(MONDAY, MONDAY + 2) == 2 and table.between_unmarked(MONDAY, MONDAY + 4) is None
    got = table.marked_between_many(np.array([MONDAY, MONDAY + 3, MONDAY + 5]), np.array([MONDAY + 2, MONDAY + 6,
                                                                                         MONDAY + 7]))
    assert got.tolist() == [False, False, True]


def test_weekday_arithmetic_from_the_first_monday():
    assert date.fromordinal(1).weekday() == 0
    for o in range(1, 60):
        assert weekdays_through(o) == sum(date.fromordinal(d).weekday() < 5 for d in range(1, o + 1))
    for k in range(1, 40):
        o = nth_weekday(k)
        assert date.fromordinal(o).weekday() < 5 and weekdays_through(o) == k


def test_flags_and_marks_must_match():
    with pytest.raises(ValueError):
        DayTable(MONDAY, b"\1\1", b"\0")
    with pytest.raises(ValueError):
        DayTable(0, b"\1", b"\0")
