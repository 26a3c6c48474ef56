"""Counting marked days in constant time: cumulative counts per day, indexed by ordinal.

A :class:`DayTable` covers the days ``first .. last`` (proleptic Gregorian ordinals, as
``date.toordinal()``) with one flag per day (``1`` = counted, e.g. a working day) and one mark per
day (``1`` = the day's flag is only a guess, e.g. its year's holiday notice is not loaded). Every day
outside the table is counted when it falls from Monday to Friday and is marked: exact weekday
arithmetic, no loop.

Everything rests on one non-decreasing function, ``C(o)`` = counted days up to and including
ordinal ``o`` (from ordinal 1, a Monday), so

- counted days after ``a`` up to and including ``b`` = ``C(b) - C(a)``;
- the n-th counted day after ``a`` (``n >= 1``) = the smallest ``o`` with ``C(o) >= C(a) + n``,
  read from the list of the table's counted days, or from weekday arithmetic outside the table.

Both are a handful of integer operations whatever the span. ``M(o)``, the same sum over the marks,
says in O(1) whether a span touches a guessed day. The scalar methods work on plain ``int``
ordinals; ``*_many`` take numpy arrays of ordinals.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np

__all__ = ["DayTable", "nth_weekday", "weekdays_through"]


def weekdays_through(o: int) -> int:
    """Monday-to-Friday days among ordinals ``1 .. o`` (ordinal 1, 0001-01-01, is a Monday)."""
    q, r = divmod(o, 7)
    return 5 * q + (r if r < 5 else 5)


def nth_weekday(k: int) -> int:
    """The ordinal of the k-th Monday-to-Friday day from ordinal 1 (``k >= 1``)."""
    q, r = divmod(k - 1, 5)
    return 7 * q + r + 1


class DayTable:
    """Cumulative counts of ``flags`` and ``marks`` over ``first .. last``.

    Read-only attributes, for callers that inline the common case: ``counted[i]`` = counted days
    among the table's days ``0 .. i`` (``i = ordinal - first``), ``days[k]`` = the ordinal of the
    table's (k+1)-th counted day, ``marked[i]`` = marked days among ``0 .. i``.
    """

    __slots__ = ("first", "last", "size", "flags", "counted", "days", "marked", "_c0", "_clast", "_wlast",
                 "_mlast", "_np")

    def __init__(self, first: int, flags: bytes | bytearray, marks: bytes | bytearray):
        if len(flags) != len(marks) or not flags or first < 1:
            raise ValueError("flags and marks must be non-empty and of the same length")
        self.first = first
        self.size = len(flags)
        self.last = first + self.size - 1
        self.flags = bytes(flags)
        self.counted = list(accumulate(self.flags))
        self.days = [first + i for i, flag in enumerate(self.flags) if flag]
        self.marked = list(accumulate(bytes(marks)))
        self._c0 = weekdays_through(first - 1)  # C(first - 1): days before the table count Mon–Fri
        self._clast = self._c0 + self.counted[-1]  # C(last)
        self._wlast = weekdays_through(self.last)
        self._mlast = first - 1 + self.marked[-1]  # M(last): every day before the table is marked
        self._np = None

    # --- scalars --------------------------------------------------------------------------------

    def count_through(self, o: int) -> int:
        """``C(o)``: counted days among ordinals ``1 .. o``."""
        i = o - self.first
        if i < 0:
            return weekdays_through(o)
        if o > self.last:
            return self._clast + weekdays_through(o) - self._wlast
        return self._c0 + self.counted[i]

    def marks_through(self, o: int) -> int:
        """``M(o)``: marked days among ordinals ``1 .. o``."""
        i = o - self.first
        if i < 0:
            return o
        if o > self.last:
            return self._mlast + o - self.last
        return self.first - 1 + self.marked[i]

    def between(self, a: int, b: int) -> int:
        """Counted days after ``a`` up to and including ``b`` (negative when ``b < a``)."""
        first = self.first
        if first <= a <= self.last and first <= b <= self.last:
            counted = self.counted
            return counted[b - first] - counted[a - first]
        return self.count_through(b) - self.count_through(a)

    def advance(self, a: int, n: int) -> int:
        """The ordinal of the n-th counted day after ``a``; ``a`` itself when ``n == 0``."""
        if n <= 0:
            return a
        i = a - self.first
        if 0 <= i < self.size:
            k = self.counted[i] + n - 1
            if k < len(self.days):
                return self.days[k]
        target = self.count_through(a) + n
        if target <= self._c0:
            return nth_weekday(target)
        if target <= self._clast:
            return self.days[target - self._c0 - 1]
        return nth_weekday(target - self._clast + self._wlast)

    def between_unmarked(self, a: int, b: int) -> int | None:
        """``between(a, b)`` when both lie in the table and no day between them is marked, else None."""
        first, last = self.first, self.last
        if first <= a <= last and first <= b <= last:
            marked = self.marked
            if marked[a - first] == marked[b - first]:
                counted = self.counted
                return counted[b - first] - counted[a - first]
        return None

    def marked_between(self, a: int, b: int) -> bool:
        """Whether a day after ``a`` up to and including ``b`` (``a <= b``) is marked."""
        first = self.first
        if first <= a and b <= self.last:
            return self.marked[b - first] != self.marked[a - first]
        return self.marks_through(b) != self.marks_through(a)

    # --- numpy arrays ---------------------------------------------------------------------------

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._np is None:
            self._np = (self._c0 + np.asarray(self.counted, dtype=np.int64), np.asarray(self.days, dtype=np.int64),
                        self.first - 1 + np.asarray(self.marked, dtype=np.int64))
        return self._np

    @staticmethod
    def _weekdays_through_many(o: np.ndarray) -> np.ndarray:
        q, r = np.divmod(o, 7)
        return 5 * q + np.minimum(r, 5)

    @staticmethod
    def _nth_weekday_many(k: np.ndarray) -> np.ndarray:
        q, r = np.divmod(k - 1, 5)
        return 7 * q + r + 1

    def count_through_many(self, o: np.ndarray) -> np.ndarray:
        cum = self._arrays()[0]
        o = np.asarray(o, dtype=np.int64)
        inside = cum[np.clip(o - self.first, 0, len(cum) - 1)]
        week = self._weekdays_through_many(o)
        return np.where(o < self.first, week, np.where(o > self.last, self._clast + week - self._wlast, inside))

    def between_many(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.count_through_many(b) - self.count_through_many(a)

    def advance_many(self, a: np.ndarray, n: np.ndarray) -> np.ndarray:
        pos = self._arrays()[1]
        a = np.asarray(a, dtype=np.int64)
        n = np.asarray(n, dtype=np.int64)
        if (n < 0).any():
            raise ValueError("n must be >= 0")
        target = self.count_through_many(a) + n
        inside = pos[np.clip(target - self._c0 - 1, 0, max(len(pos) - 1, 0))] if len(pos) else target
        before = self._nth_weekday_many(np.maximum(target, 1))
        after = self._nth_weekday_many(target - self._clast + self._wlast)
        out = np.where(target <= self._c0, before, np.where(target <= self._clast, inside, after))
        return np.where(n == 0, a, out)

    def marked_between_many(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        mcum = self._arrays()[2]

        def m(o: np.ndarray) -> np.ndarray:
            o = np.asarray(o, dtype=np.int64)
            inside = mcum[np.clip(o - self.first, 0, len(mcum) - 1)]
            return np.where(o < self.first, o, np.where(o > self.last, self._mlast + o - self.last, inside))

        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return m(hi) != m(lo)
