"""The working-day calendar: State Council notices, administrator overrides, unknown years."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from typer.testing import CliRunner

from gridgov.calendar import (
    Count,
    WorkCalendar,
    bundled_years,
    load_overrides,
    load_work_calendar,
    parse_is_workday,
    parse_override_csv,
)
from gridgov.calendar_cli import app
from gridgov.errors import Invalid
from gridgov.kit.clock import SHANGHAI

D = date
NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- the bundled State Council notices -------------------------------------------------------


def test_national_day_2026_is_off_from_october_1_to_7(cal):
    for day in range(1, 8):
        assert not cal.is_workday(D(2026, 10, day)), f"2026-10-{day:02d}"
    assert cal.is_workday(D(2026, 10, 8))


def test_national_day_2026_swapped_weekend_days_are_working_days(cal):
    assert D(2026, 9, 20).weekday() == 6 and cal.is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and cal.is_workday(D(2026, 10, 10))
    assert not cal.is_workday(D(2026, 10, 11))


def test_spring_festival_2026_is_off_from_february_15_to_23(cal):
    for day in range(15, 24):
        assert not cal.is_workday(D(2026, 2, day)), f"2026-02-{day}"
    assert cal.is_workday(D(2026, 2, 24))


def test_spring_festival_2026_swapped_saturdays_are_working_days(cal):
    assert D(2026, 2, 14).weekday() == 5 and cal.is_workday(D(2026, 2, 14))
    assert D(2026, 2, 28).weekday() == 5 and cal.is_workday(D(2026, 2, 28))


def test_years_with_bundled_notices_are_known(cal):
    assert {2024, 2025, 2026} <= bundled_years()
    assert cal.is_known_year(2026)
    assert not cal.is_known_year(2031)


# --- add_working_days --------------------------------------------------------------------------


def test_five_working_days_after_september_30_2026_end_on_october_13(cal):
    due = cal.add_working_days(D(2026, 9, 30), 5)
    assert due.day == D(2026, 10, 13)
    assert not due.provisional and due.unknown_years == ()


def test_due_at_is_the_last_instant_of_the_due_day_in_shanghai(cal):
    due = cal.add_working_days(D(2026, 9, 30), 5)
    assert due.due_at == datetime.combine(D(2026, 10, 13), time.max, tzinfo=SHANGHAI)
    assert due.due_at.tzinfo is not None
    assert due.due_at.astimezone(SHANGHAI).date() == due.day
    assert due.due_at + timedelta(microseconds=1) == datetime(2026, 10, 14, tzinfo=SHANGHAI)


def test_an_aware_start_counts_from_its_shanghai_day(cal):
    # 2026-09-29 17:00 UTC is 2026-09-30 01:00 in Shanghai: the start day is September 30.
    start = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert cal.add_working_days(start, 5).day == D(2026, 10, 13)
    assert cal.add_working_days(D(2026, 9, 29), 5).day == D(2026, 10, 12)


def test_a_naive_datetime_is_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(datetime(2026, 9, 30, 10, 0), 5)
    with pytest.raises(ValueError):
        cal.working_days_between(datetime(2026, 9, 30, 10, 0), D(2026, 10, 13))


def test_zero_working_days_is_due_at_the_end_of_the_start_day(cal):
    due = cal.add_working_days(D(2026, 10, 3), 0)
    assert due.day == D(2026, 10, 3) and not due.provisional


def test_a_negative_count_is_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 9, 30), -1)


def test_the_start_day_itself_never_counts(cal):
    # A Friday start: the next working day is Monday.
    assert cal.add_working_days(D(2026, 6, 5), 1).day == D(2026, 6, 8)


# --- unknown years ---------------------------------------------------------------------------


def test_an_unknown_year_counts_weekends_only_and_is_provisional(cal):
    assert not cal.is_known_year(2031)
    assert cal.is_workday(D(2031, 10, 1))  # a Wednesday: no notice loaded, so a working day
    assert not cal.is_workday(D(2031, 10, 4))  # Saturday
    due = cal.add_working_days(D(2031, 9, 30), 5)
    assert due.day == D(2031, 10, 7)
    assert due.provisional and due.unknown_years == (2031,)


def test_a_count_that_runs_into_an_unknown_year_is_provisional(cal):
    due = cal.add_working_days(D(2026, 12, 25), 10)
    assert due.day.year == 2027
    assert due.provisional and due.unknown_years == (2027,)


def test_missing_years_lists_this_year_and_next_when_unknown(cal):
    assert cal.missing_years(D(2026, 11, 1)) == [2027]
    assert WorkCalendar({D(2027, 1, 1): False}).missing_years(D(2026, 11, 1)) == []


# --- overrides -------------------------------------------------------------------------------

NATIONAL_DAY_2031 = {
    D(2031, 9, 28): True,  # Sunday, swapped working day
    D(2031, 10, 1): False,
    D(2031, 10, 2): False,
    D(2031, 10, 3): False,
    D(2031, 10, 6): False,
    D(2031, 10, 7): False,
    D(2031, 10, 11): True,  # Saturday, swapped working day
}


def test_overrides_make_a_year_known_and_change_its_days():
    cal = WorkCalendar(NATIONAL_DAY_2031)
    assert cal.is_known_year(2031)
    assert not cal.is_workday(D(2031, 10, 1))
    assert cal.is_workday(D(2031, 10, 11))
    assert cal.is_workday(D(2031, 10, 8))  # not listed: a plain Wednesday
    due = cal.add_working_days(D(2031, 9, 30), 5)
    assert due.day == D(2031, 10, 13)  # Oct 8, 9, 10, 11 (swapped Saturday), 13
    assert not due.provisional


def test_an_override_wins_over_the_bundled_notice():
    cal = WorkCalendar({D(2026, 10, 8): False, D(2026, 10, 3): True})
    assert not cal.is_workday(D(2026, 10, 8))
    assert cal.is_workday(D(2026, 10, 3))


def test_override_keys_must_be_dates():
    with pytest.raises(TypeError):
        WorkCalendar({datetime(2031, 10, 1, tzinfo=UTC): False})


# --- working_days_between ----------------------------------------------------------------------


def test_working_days_between_counts_after_the_start_day_through_the_end_day(cal):
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == Count(5, False, ())
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 7)).days == 0
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 10, 13)).days == 0


def test_working_days_between_is_negative_when_the_end_comes_first(cal):
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 9, 30)).days == -5


def test_working_days_between_an_unknown_year_is_provisional(cal):
    count = cal.working_days_between(D(2031, 9, 30), D(2031, 10, 7))
    assert count.days == 5 and count.provisional and count.unknown_years == (2031,)


@pytest.mark.parametrize("start", [D(2026, 1, 30), D(2026, 2, 13), D(2026, 9, 18), D(2026, 9, 30)])
@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_working_days_between_inverts_add_working_days(cal, start, n):
    due = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due.day).days == n


# --- parsing an override file ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "是", "班", True, 1])
def test_workday_flags_that_mean_working(raw):
    assert parse_is_workday(raw) is True


@pytest.mark.parametrize("raw", ["0", "false", "否", "休", False, 0])
def test_workday_flags_that_mean_day_off(raw):
    assert parse_is_workday(raw) is False


def test_an_unclear_workday_flag_is_refused():
    with pytest.raises(ValueError):
        parse_is_workday("maybe")


def test_csv_rows_carry_their_line_numbers():
    rows = parse_override_csv("\ufeffdate,is_workday,name\n2031-10-01,休,国庆节\n\n2031-10-11,班,调休\n")
    assert [(r["date"], r["line"]) for r in rows] == [("2031-10-01", 2), ("2031-10-11", 4)]


def test_a_csv_without_the_header_is_refused():
    with pytest.raises(Invalid) as exc:
        parse_override_csv("day,flag\n2031-10-01,0\n")
    assert exc.value.details == [{"line": 1, "error": "缺少列：date, is_workday"}]


# --- loading overrides into the database ---------------------------------------------------------


@pytest.fixture
def db_url(fresh_url):
    """A migrated empty database, on SQLite and on PostgreSQL (conftest's ``fresh_url``)."""
    return fresh_url


@pytest.fixture
def session_factory(db_url):
    from gridgov.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _rows(mapping):
    return [
        {"date": d.isoformat(), "is_workday": "1" if w else "0", "name": "国庆节", "line": i + 2}
        for i, (d, w) in enumerate(mapping.items())
    ]


def test_loading_a_notice_makes_the_year_known(session_factory):
    from gridgov.db import unit_of_work

    with unit_of_work(session_factory) as session:
        written = load_overrides(session, _rows(NATIONAL_DAY_2031), source="国办发明电〔2030〕1号", now=NOW)
        assert len(written) == 7
    with session_factory() as session:
        cal = load_work_calendar(session)
        from gridgov.models import CalendarOverride

        row = session.get(CalendarOverride, D(2031, 10, 11))
        assert row.is_workday and row.source == "国办发明电〔2030〕1号" and row.loaded_at == NOW
    assert cal.is_known_year(2031)
    assert cal.add_working_days(D(2031, 9, 30), 5).day == D(2031, 10, 13)


def test_loading_again_replaces_the_days_given_and_keeps_the_others(session_factory):
    from gridgov.db import unit_of_work

    with unit_of_work(session_factory) as session:
        load_overrides(session, _rows(NATIONAL_DAY_2031), source="first", now=NOW)
    with unit_of_work(session_factory) as session:
        load_overrides(session, [{"date": "2031-10-07", "is_workday": "班", "name": "更正"}], source="fix", now=NOW)
    with session_factory() as session:
        cal = load_work_calendar(session)
    assert cal.is_workday(D(2031, 10, 7))
    assert not cal.is_workday(D(2031, 10, 6))
    assert len(cal.overrides) == 7


def test_a_file_with_bad_rows_writes_nothing_and_names_each_line(session_factory):
    rows = [
        {"date": "2031-10-01", "is_workday": "休", "line": 2},
        {"date": "2031/10/02", "is_workday": "休", "line": 3},
        {"date": "2031-10-01", "is_workday": "休", "line": 4},
        {"date": "2031-10-03", "is_workday": "maybe", "line": 5},
        {"date": "2031-02-30", "is_workday": "1", "line": 6},
        {"date": "2030-05-01", "is_workday": "1", "line": 7},
    ]
    with session_factory() as session:
        with pytest.raises(Invalid) as exc:
            load_overrides(session, rows, source="x", now=NOW)
        session.rollback()
    lines = {d["line"] for d in exc.value.details}
    assert lines == {3, 4, 5, 6, 7}
    by_line = {d["line"]: d["error"] for d in exc.value.details}
    assert "YYYY-MM-DD" in by_line[3]
    assert "与第 2 行重复" in by_line[4]
    assert "is_workday" in by_line[5]
    assert "不存在的日期" in by_line[6]
    assert "2030" in by_line[7] and "2031" in by_line[7]
    with session_factory() as session:
        assert load_work_calendar(session).overrides == {}


def test_a_new_year_holiday_may_spill_into_the_next_january(session_factory):
    rows = [
        {"date": "2031-12-31", "is_workday": "休"},
        {"date": "2031-12-30", "is_workday": "休"},
        {"date": "2032-01-01", "is_workday": "休"},
    ]
    with session_factory() as session:
        assert len(load_overrides(session, rows, source="x", now=NOW)) == 3
        session.rollback()


def test_an_empty_file_is_refused(session_factory):
    with session_factory() as session, pytest.raises(Invalid):
        load_overrides(session, [], source="x", now=NOW)


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Settings pointing at a database file that does not exist yet."""
    from gridgov.config import get_settings

    monkeypatch.setenv("GRIDGOV_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GRIDGOV_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", f"sqlite:///{tmp_path / 'none' / 'gridgov.db'}")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _run(*args):
    return CliRunner().invoke(app, list(args))


def test_cli_add_working_days_prints_only_the_date(env, tmp_path):
    result = _run("add-working-days", "2026-09-30", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-10-13\n"
    assert not (tmp_path / "none").exists(), "must not create a database"


def test_cli_add_working_days_flags_a_provisional_result_on_the_second_line(env):
    result = _run("add-working-days", "2031-09-30", "5")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["2031-10-07", "（暂定：2031 年节假日安排未载入，仅按周末计算）"]


def test_cli_working_days_between(env):
    result = _run("working-days-between", "2026-09-30", "2026-10-13")
    assert result.exit_code == 0 and result.stdout == "5\n"


def test_cli_refuses_a_malformed_date(env):
    result = _run("add-working-days", "2026/09/30", "5")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_cli_load_writes_the_notice_and_later_counts_use_it(env, db_url, tmp_path):
    env.setenv("GRIDGOV_DATABASE_URL", db_url)
    from gridgov.config import get_settings

    get_settings.cache_clear()
    csv_file = tmp_path / "2031.csv"
    csv_file.write_text(
        "date,is_workday,name\n"
        + "".join(f"{d.isoformat()},{'班' if w else '休'},国庆节\n" for d, w in NATIONAL_DAY_2031.items()),
        encoding="utf-8",
    )
    result = _run("load", str(csv_file), "--source", "国办发明电〔2030〕1号")
    assert result.exit_code == 0, result.output
    assert "已载入 7 天" in result.stdout
    result = _run("add-working-days", "2031-09-30", "5")
    assert result.stdout == "2031-10-13\n"
    result = _run("years")
    assert "2031 年 7 天" in result.stdout


def test_cli_load_reports_bad_lines_and_exits_non_zero(env, db_url, tmp_path):
    env.setenv("GRIDGOV_DATABASE_URL", db_url)
    from gridgov.config import get_settings

    get_settings.cache_clear()
    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_workday,name\n2031-10-01,休,国庆节\n2031-10-01,休,国庆节\n", encoding="utf-8")
    result = _run("load", str(bad))
    assert result.exit_code == 1
    assert "第 3 行" in result.stderr


def test_cli_load_without_a_database_says_so(env, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("date,is_workday,name\n2031-10-01,休,国庆节\n", encoding="utf-8")
    result = _run("load", str(f))
    assert result.exit_code == 1
    assert "gridgov db upgrade" in result.stderr
    assert not (tmp_path / "none").exists()


def test_cli_years_shows_the_bundled_range(env):
    result = _run("years")
    assert result.exit_code == 0
    years = sorted(bundled_years())
    assert f"{years[0]}–{years[-1]}" in result.stdout


# --- the checks of an override file, without a database -----------------------------------------


def _errors(rows):
    from gridgov.calendar import _check_rows

    return {e["line"]: e["error"] for e in _check_rows(rows)[1]}


def _dated(*days):
    return [{"date": day, "is_workday": "休", "line": i + 2} for i, day in enumerate(days)]


def test_the_new_year_spill_ends_on_january_7():
    notice = ["2031-10-01", "2031-10-02", "2031-12-31"]
    assert _errors(_dated(*notice, "2032-01-01", "2032-01-07")) == {}
    assert _errors(_dated(*notice, "2032-01-08")) == {5: "年份 2032 与本次载入的 2031 年安排不一致"}
    assert set(_errors(_dated(*notice, "2032-02-01", "2033-01-01", "2030-12-31"))) == {5, 6, 7}


def test_the_notice_year_is_the_most_frequent_and_on_a_tie_the_first():
    assert _errors(_dated("2031-12-31", "2032-01-01")) == {}  # 2031's notice spilling into January
    assert _errors(_dated("2032-01-01", "2031-12-31")) == {3: "年份 2031 与本次载入的 2032 年安排不一致"}
    assert set(_errors(_dated("2032-01-01", "2031-12-30", "2031-12-31"))) == set()


def test_a_row_without_a_line_is_numbered_as_if_under_a_header():
    rows = [{"date": "2031-10-01", "is_workday": "1"}, {"date": "", "is_workday": "1"}]
    assert _errors(rows) == {3: "缺少日期"}


def test_a_name_of_64_characters_is_accepted_and_of_65_refused():
    rows = [{"date": "2031-10-01", "is_workday": "1", "name": "节" * 64, "line": 2},
            {"date": "2031-10-02", "is_workday": "1", "name": "节" * 65, "line": 3}]
    assert _errors(rows) == {3: "名称太长（最多 64 个字符）"}


def test_dates_and_flags_of_every_wrong_kind_are_named():
    rows = [{"date": datetime(2031, 10, 1, tzinfo=UTC), "is_workday": "1", "line": 2},
            {"date": D(2031, 10, 2), "is_workday": "", "line": 3},
            {"date": "2031-10-03", "is_workday": None, "line": 4}]
    errors = _errors(rows)
    assert "而不是时间" in errors[2] and "缺少 is_workday" in errors[3] and "缺少 is_workday" in errors[4]


def test_load_overrides_refuses_before_it_touches_the_session():
    rows = _dated("2031-10-01")
    with pytest.raises(Invalid, match="没有可载入的日期"):
        load_overrides(None, [], source="x", now=NOW)
    longest = "来" * 200
    with pytest.raises(Invalid, match="来源说明太长"):
        load_overrides(None, rows, source=longest + "源", now=NOW)
    with pytest.raises(Invalid, match="1 行有误"):  # a source of 200 characters passes, the bad row does not
        load_overrides(None, rows + [{"date": "x", "is_workday": "1", "line": 3}], source=longest, now=NOW)
    with pytest.raises(ValueError):
        load_overrides(None, rows, source="x", now=datetime(2031, 1, 1))


def test_missing_years_looks_ahead_as_far_as_asked(cal):
    assert cal.missing_years(D(2026, 11, 1), ahead=0) == []
    assert cal.missing_years(D(2031, 1, 1), ahead=2) == [2031, 2032, 2033]
    assert cal.known_years()[-1] == max(bundled_years()) and cal.override_years() == []
    assert WorkCalendar({D(2031, 10, 1): False}).override_years() == [2031]


def test_local_day_of_a_date_and_of_anything_else(cal):
    assert cal.is_workday(datetime(2026, 10, 7, 17, 0, tzinfo=UTC))  # 8 Oct in Shanghai: a working day
    with pytest.raises(TypeError):
        cal.is_workday("2026-10-08")


def test_a_count_must_be_an_integer(cal):
    for n in (True, 1.0, "1"):
        with pytest.raises(ValueError):
            cal.add_working_days(D(2026, 9, 30), n)
    assert cal.add_working_days(D(2026, 9, 30), 0).day == D(2026, 9, 30)


def test_a_repeated_date_is_named_with_its_first_line():
    assert _errors(_dated("2031-10-01", "2031-10-01")) == {3: "日期 2031-10-01 与第 2 行重复"}


def test_an_integer_flag_other_than_0_or_1_is_refused():
    with pytest.raises(ValueError):
        parse_is_workday(2)
