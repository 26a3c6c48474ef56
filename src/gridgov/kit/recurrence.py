"""The dates a recurring appointment falls on (pure: no I/O), e.g. a lawyer in a grid on the first
Tuesday of each month (法律进网格, issue 18).

Three rules: ``monthly`` (the ``nth`` ``weekday`` of each month; ``nth`` -1 is the last one),
``weekly`` (every ``weekday``) and ``dates`` (a list). Weekdays count from Monday = 0 (Python's
``date.weekday()``). Written on the standard library: the rules are this small, and python-dateutil
(whose ``rrule`` covers them) is not among the project's dependencies.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

WEEKDAY_LABELS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
NTH_LABELS = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", -1: "最后一个"}
MAX_DATES = 60
"""At most this many dates in a ``dates`` rule (a year's worth of weekly visits and more)."""


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The ``nth`` (1..5, or -1 for the last) ``weekday`` of a month; None when the month has no fifth."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday]
    if nth == -1:
        return date(year, month, days[-1])
    return date(year, month, days[nth - 1]) if 1 <= nth <= len(days) else None


def occurrences(rule: str, *, start: date, until: date, weekday: int | None = None, nth: int | None = None,
                dates: Iterable[date] = ()) -> list[date]:
    """The dates of ``rule`` from ``start`` to ``until``, both included, in order."""
    if until < start:
        return []
    if rule == "dates":
        return sorted({d for d in dates if start <= d <= until})
    if weekday is None or not 0 <= weekday <= 6:
        raise ValueError("weekday")
    if rule == "weekly":
        first = start + timedelta(days=(weekday - start.weekday()) % 7)
        return [first + timedelta(weeks=i) for i in range(((until - first).days // 7) + 1)] if first <= until else []
    if rule == "monthly":
        if nth not in NTH_LABELS and nth != 5:
            raise ValueError("nth")
        found, year, month = [], start.year, start.month
        while date(year, month, 1) <= until:
            day = nth_weekday(year, month, weekday, nth)
            if day is not None and start <= day <= until:
                found.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found
    raise ValueError(rule)


def next_dates(rule: str, *, today: date, count: int = 2, valid_from: date, valid_to: date | None = None,
               weekday: int | None = None, nth: int | None = None, dates: Iterable[date] = ()) -> list[date]:
    """The next ``count`` dates from ``today`` (included) within the validity, looking a year ahead."""
    start = max(today, valid_from)
    until = start + timedelta(days=366)
    if valid_to is not None:
        until = min(until, valid_to)
    return occurrences(rule, start=start, until=until, weekday=weekday, nth=nth, dates=dates)[:count]


def describe(rule: str, *, weekday: int | None = None, nth: int | None = None, dates: Iterable[date] = ()) -> str:
    """The rule in Chinese: 每月第一个星期二, 每周星期三, or the dates."""
    if rule == "monthly" and weekday is not None:
        return f"每月{NTH_LABELS.get(nth, f'第{nth}个')}{WEEKDAY_LABELS[weekday]}"
    if rule == "weekly" and weekday is not None:
        return f"每周{WEEKDAY_LABELS[weekday]}"
    return "、".join(d.isoformat() for d in sorted(dates))
