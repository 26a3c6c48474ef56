"""The working-day calendar (工作日历) behind every time limit counted in working days.

Which days are working days follows the State Council's public-holiday notice for each year
(国务院办公厅关于部分节假日安排的通知), swapped working days (调休) included: the bundled
``chinese_calendar`` data, and on top of it the overrides an administrator loads or corrects
(table ``calendar_overrides``), which win.

A year is *known* when the bundled data covers it or an administrator has loaded at least one
override in it (the notice lists only the exceptions; every other day of a known year is a working
day from Monday to Friday). For a year that is not known, the calendar counts Monday–Friday as
working days and marks every result that depends on such a day *provisional*. It never raises and
never guesses silently: callers show the flag and administrators see which years are missing.

Counting rule (after 民法典 第二百零一条、第二百零三条): a period counted in days starts on the
day after the start day, and ends at 24:00 of its last day. Hence

- ``add_working_days(start, n)`` is due at the end of the n-th working day *after* the start day;
  ``due_at`` is 23:59:59.999999 Asia/Shanghai on that day (the last instant of the day, so the
  due day is also ``due_at.date()``); a case is overdue when ``now > due_at``. ``n = 0`` means the
  end of the start day itself, whatever kind of day it is.
- ``working_days_between(start, end)`` counts working days after the start day up to and
  including the end day, so ``working_days_between(s, add_working_days(s, n).day) == n``.

Every count is constant time: a table of cumulative working-day counts per day (``DayTable`` in
``gridgov.kit.daycount``) runs from the first known year to :data:`TABLE_MARGIN_YEARS` past the last,
built once per process for each set of overrides (a changed override builds a new one), and days
outside it are counted Monday–Friday by weekday arithmetic. The table's ``ordinals`` methods (ints
and numpy arrays of ``date.toordinal()``) serve analysis over millions of cases; ``bench/workdays.py``
measures them all against the day-by-day walk.

The module is pure except :func:`load_work_calendar` and :func:`load_overrides`, which read and
write the override table through a session the caller owns (the caller commits).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter as _Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import chinese_calendar

from gridgov.errors import Invalid
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.daycount import DayTable

__all__ = [
    "Count",
    "Due",
    "WorkCalendar",
    "bundled_years",
    "end_of_day",
    "load_overrides",
    "load_work_calendar",
    "local_day",
    "parse_is_workday",
    "parse_override_csv",
]


@dataclass(frozen=True)
class Due:
    """When a period counted in working days ends.

    ``due_at`` is the last instant (23:59:59.999999, Asia/Shanghai) of ``day``; ``provisional`` is
    true when the count passed through a year whose holiday notice is not loaded
    (``unknown_years``), so weekends only were skipped there.
    """

    due_at: datetime
    day: date
    provisional: bool
    unknown_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Count:
    """A number of working days; provisional when it covers a year the calendar does not know."""

    days: int
    provisional: bool
    unknown_years: tuple[int, ...] = ()


@lru_cache(maxsize=1)
def bundled_years() -> frozenset[int]:
    """Years for which the installed ``chinese_calendar`` carries the State Council notice."""
    years = set()
    for year in range(1990, 2200):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


def local_day(value: date | datetime) -> date:
    """The calendar day in Asia/Shanghai of a date or an aware datetime (naive → ValueError)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError("naive datetime: 请传入带时区的时间（aware datetime）")
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected date or datetime, got {type(value).__name__}")


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` on the Shanghai wall clock: the 24:00 end of a period."""
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


# ---------------------------------------------------------------------------------------------
# The table: cumulative working-day counts per day, built once per process per set of overrides.

TABLE_MARGIN_YEARS = 10  # the table runs this many (unknown, Monday–Friday) years past the last known one
_TABLE_CACHE = 16  # tables kept per process (one per distinct set of overrides seen)


@lru_cache(maxsize=1)
def _bundled_flags() -> dict[int, bytes]:
    """Per bundled year, one byte per day (1 = working day) from ``chinese_calendar``."""
    # What ``chinese_calendar.is_workday`` answers (a listed working day, else a listed holiday,
    # else Monday–Friday), read from its tables at once: the function scans them on every call.
    workdays, holidays = chinese_calendar.workdays, chinese_calendar.holidays
    flags = {}
    for year in sorted(bundled_years()):
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        days = [date.fromordinal(o) for o in range(first, last + 1)]
        flags[year] = bytes(d in workdays or (d not in holidays and d.weekday() < 5) for d in days)
    return flags


@lru_cache(maxsize=_TABLE_CACHE)
def _build(overrides: tuple[tuple[date, bool], ...]) -> tuple[DayTable, list, dict]:
    """The day table for these overrides, and the caches of the results that are not provisional.

    Keyed by the overrides' content: a calendar loaded again with the same overrides reuses it, a
    changed override builds a new one (see :func:`load_work_calendar`).
    """
    bundled = _bundled_flags()
    override_years = {day.year for day, _ in overrides}
    known = set(bundled) | override_years
    y0 = min(known, default=2000)
    y1 = max(known, default=2000) + TABLE_MARGIN_YEARS
    first = date(y0, 1, 1).toordinal()
    flags, marks = bytearray(), bytearray()
    for year in range(y0, y1 + 1):
        start, end = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if year in bundled:
            flags += bundled[year]
        else:
            flags += bytes((o - 1) % 7 < 5 for o in range(start, end + 1))
        marks += (b"\0" if year in known else b"\1") * (end - start + 1)
    for day, is_workday in overrides:
        flags[day.toordinal() - first] = is_workday
    return DayTable(first, flags, marks), [None] * len(flags), {}


class WorkCalendar:
    """Which days are working days, from the State Council notices plus administrator overrides.

    ``overrides`` maps a day to ``True`` (working day, e.g. a swapped working Saturday) or
    ``False`` (day off); an override always wins over the bundled data.

    Counting is constant time: a :class:`~gridgov.kit.daycount.DayTable` of cumulative working-day
    counts per day covers the first known year to the last plus :data:`TABLE_MARGIN_YEARS`; days
    outside it follow Monday–Friday by weekday arithmetic (and are provisional). For analysis over
    many cases, ``ordinals`` is that table: ``advance(ordinal, n)``, ``between(a, b)`` and
    ``marked_between(a, b)`` (provisional?) on ``date.toordinal()`` integers, and ``advance_many``,
    ``between_many``, ``marked_between_many`` on numpy arrays of them.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        cleaned: dict[date, bool] = {}
        for day, is_workday in (overrides or {}).items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"override keys must be dates, got {day!r}")
            cleaned[day] = bool(is_workday)
        self._overrides = MappingProxyType(cleaned)
        self._override_years = frozenset(d.year for d in cleaned)
        self._table, self._dues, self._counts = _build(tuple(sorted(cleaned.items())))

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    @property
    def ordinals(self) -> DayTable:
        """The day table (lean and vectorised counting on day ordinals; see the class docstring)."""
        return self._table

    def is_known_year(self, year: int) -> bool:
        """True when the year's holiday notice is bundled or an administrator loaded overrides for it."""
        return year in bundled_years() or year in self._override_years

    def known_years(self) -> list[int]:
        return sorted(bundled_years() | self._override_years)

    def override_years(self) -> list[int]:
        return sorted(self._override_years)

    def missing_years(self, today: date, ahead: int = 1) -> list[int]:
        """Years from ``today``'s through ``ahead`` years later that are not known: warn admins."""
        return [y for y in range(today.year, today.year + ahead + 1) if not self.is_known_year(y)]

    def is_workday(self, day: date | datetime) -> bool:
        """Whether ``day`` is a working day (for an unknown year: Monday to Friday)."""
        day = local_day(day)
        table = self._table
        i = day.toordinal() - table.first
        if 0 <= i < len(table.flags):
            return bool(table.flags[i])
        return day.weekday() < 5

    def _unknown_years(self, after: int, through: int) -> tuple[int, ...]:
        """Unknown years among the days after ordinal ``after`` up to and including ``through``."""
        y0, y1 = date.fromordinal(after + 1).year, date.fromordinal(through).year
        return tuple(y for y in range(y0, y1 + 1) if not self.is_known_year(y))

    def add_working_days(self, start: date | datetime, n: int) -> Due:
        """The end of the n-th working day after the start day (the start day itself not counted)."""
        if type(n) is not int and (isinstance(n, bool) or not isinstance(n, int)) or n < 0:
            raise ValueError("n 必须是非负整数")
        a = (start if type(start) is date else local_day(start)).toordinal()
        t = self._table
        i = a - t.first
        if n > 0 and 0 <= i < t.size:  # the common case, inlined (one table step)
            k = t.counted[i] + n - 1
            if k < len(t.days):
                j = t.days[k] - t.first
                if t.marked[j] == t.marked[i]:  # no unknown year on the way: shared, not provisional
                    due = self._dues[j]
                    if due is None:
                        day = date.fromordinal(t.first + j)
                        due = self._dues[j] = Due(due_at=end_of_day(day), day=day, provisional=False)
                    return due
        o = self._table.advance(a, n)
        day = _from_ordinal(o)
        years = self._unknown_years(a, o) if n and self._table.marked_between(a, o) else ()
        return Due(due_at=end_of_day(day), day=day, provisional=bool(years), unknown_years=years)

    def working_days_between(self, start: date | datetime, end: date | datetime) -> Count:
        """Working days after ``start``'s day up to and including ``end``'s day.

        Negative when ``end`` is before ``start`` (``-working_days_between(end, start)``), so that
        "overdue by N working days" reads naturally.
        """
        a = (start if type(start) is date else local_day(start)).toordinal()
        b = (end if type(end) is date else local_day(end)).toordinal()
        days = self._table.between_unmarked(a, b)
        if days is not None:
            count = self._counts.get(days)
            if count is None:
                count = self._counts[days] = Count(days=days, provisional=False, unknown_years=())
            return count
        days = self._table.between(a, b)
        lo, hi = (a, b) if a <= b else (b, a)
        years = self._unknown_years(lo, hi) if lo != hi and self._table.marked_between(lo, hi) else ()
        return Count(days=days, provisional=bool(years), unknown_years=years)

    def due_day(self, start: date, n: int) -> date:
        """Lean ``add_working_days(start, n).day`` for a ``date`` (no flag: see ``ordinals.marked_between``)."""
        return date.fromordinal(self._table.advance(start.toordinal(), n))

    def days_between(self, start: date, end: date) -> int:
        """Lean ``working_days_between(start, end).days`` for two ``date`` values."""
        return self._table.between(start.toordinal(), end.toordinal())


def _from_ordinal(o: int) -> date:
    try:
        return date.fromordinal(o)
    except ValueError:  # past 9999-12-31, as the day-by-day walk's ``day + timedelta(days=1)`` says it
        raise OverflowError("date value out of range") from None


# ---------------------------------------------------------------------------------------------
# Overrides: parsing an administrator's file and writing it.

_TRUE = {"1", "true", "yes", "y", "是", "班", "上班", "工作日"}
_FALSE = {"0", "false", "no", "n", "否", "休", "休息", "放假", "休息日"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CSV_COLUMNS = ("date", "is_workday", "name")
NAME_MAX = 64
SOURCE_MAX = 200


def parse_is_workday(value: Any) -> bool:
    """``1/0``, ``true/false``, ``是/否``, ``班/休`` (and real booleans) → bool; else ValueError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def parse_override_csv(text: str) -> list[dict[str, Any]]:
    """Rows of an override file: CSV with header ``date,is_workday,name``; each row gets its ``line``.

    A missing or wrong header raises :class:`Invalid` (line 1). Blank lines are skipped.
    """
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("date", "is_workday") if c not in header]
    if missing:
        raise Invalid(
            "节假日安排文件的表头应为 date,is_workday,name",
            details=[{"line": 1, "error": f"缺少列：{', '.join(missing)}"}],
        )
    reader.fieldnames = header
    rows = []
    for raw in reader:
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            continue
        row: dict[str, Any] = {k: (v or "").strip() for k, v in raw.items() if k in CSV_COLUMNS}
        row["line"] = reader.line_num
        rows.append(row)
    return rows


def _check_rows(rows: list[Mapping[str, Any]]) -> tuple[list[tuple[date, bool, str]], list[dict[str, Any]]]:
    parsed: list[tuple[int, date, bool, str]] = []
    errors: list[dict[str, Any]] = []
    first_line: dict[date, int] = {}
    for index, row in enumerate(rows):
        line = int(row.get("line") or index + 2)
        problems: list[str] = []
        raw_day = row.get("date")
        day: date | None = None
        if isinstance(raw_day, datetime):
            problems.append(f"日期应为 YYYY-MM-DD，而不是时间 {raw_day.isoformat()}")
        elif isinstance(raw_day, date):
            day = raw_day
        elif raw_day is None or str(raw_day).strip() == "":
            problems.append("缺少日期")
        elif not _DATE_RE.match(str(raw_day).strip()):
            problems.append(f"日期格式应为 YYYY-MM-DD：{raw_day!r}")
        else:
            try:
                day = date.fromisoformat(str(raw_day).strip())
            except ValueError:
                problems.append(f"不存在的日期：{raw_day!r}")
        raw_flag = row.get("is_workday")
        flag: bool | None = None
        if raw_flag is None or str(raw_flag).strip() == "":
            problems.append("缺少 is_workday（是否上班）")
        else:
            try:
                flag = parse_is_workday(raw_flag)
            except ValueError:
                problems.append(f"is_workday 应为 1/0、true/false、是/否 或 班/休：{raw_flag!r}")
        name = str(row.get("name") or "").strip()
        if len(name) > NAME_MAX:
            problems.append(f"名称太长（最多 {NAME_MAX} 个字符）")
        if day is not None:
            if day in first_line:
                problems.append(f"日期 {day.isoformat()} 与第 {first_line[day]} 行重复")
            else:
                first_line[day] = line
        if problems:
            errors.extend({"line": line, "error": p} for p in problems)
        elif day is not None and flag is not None:
            parsed.append((line, day, flag, name))

    # One notice covers one year; a New Year holiday may spill into the first days of January.
    years = _Counter(day.year for _, day, _, _ in parsed)
    if years:
        order = [day.year for _, day, _, _ in parsed]
        notice_year = max(years, key=lambda y: (years[y], -order.index(y)))
        for line, day, _, _ in parsed:
            spill = day.year == notice_year + 1 and day.month == 1 and day.day <= 7
            if day.year != notice_year and not spill:
                errors.append({"line": line, "error": f"年份 {day.year} 与本次载入的 {notice_year} 年安排不一致"})
    errors.sort(key=lambda e: e["line"])
    return [(day, flag, name) for _, day, flag, name in parsed], errors


def load_overrides(
    session: Any, rows: Iterable[Mapping[str, Any]], *, source: str, now: datetime
) -> list[Any]:
    """Write one year's holiday notice (or corrections) as overrides; all rows or none.

    Each row has ``date`` (YYYY-MM-DD or a date), ``is_workday`` (see :func:`parse_is_workday`),
    optional ``name`` and optional ``line`` (its line in the source file; else its position + 2,
    as if under a header line). Every bad row is reported by line in
    ``Invalid.details = [{"line": n, "error": "..."}]`` and nothing is written. Existing overrides
    for the days given are replaced; other days are left alone. Flushes; the caller commits.
    """
    from gridgov.models import CalendarOverride

    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    rows = list(rows)
    if not rows:
        raise Invalid("没有可载入的日期", details=[])
    source = (source or "").strip()
    if len(source) > SOURCE_MAX:
        raise Invalid(f"来源说明太长（最多 {SOURCE_MAX} 个字符）", details=[])
    good, errors = _check_rows(rows)
    if errors:
        raise Invalid(f"节假日安排有 {len({e['line'] for e in errors})} 行有误，未写入任何数据", details=errors)
    written = []
    for day, flag, name in good:
        row = session.get(CalendarOverride, day)
        if row is None:
            row = CalendarOverride(day=day)
            session.add(row)
        row.is_workday = flag
        row.name = name
        row.source = source
        row.loaded_at = now
        written.append(row)
    session.flush()
    return written


def load_work_calendar(session: Any) -> WorkCalendar:
    """The calendar with every override in the database applied."""
    from sqlalchemy import select

    from gridgov.models import CalendarOverride

    rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    return WorkCalendar({day: is_workday for day, is_workday in rows})
