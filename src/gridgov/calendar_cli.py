"""``gridgov calendar``: working-day arithmetic and loading a year's holiday notice.

The arithmetic commands apply the administrator's overrides when the configured database exists
and is migrated, and otherwise use the bundled State Council data alone (they never create a
database). Output: the first stdout line is the bare answer; a provisional result adds a second
line saying which year's notice is missing.

Exit codes: 0 ok; 1 the file or database could not be used; 2 bad arguments.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from gridgov.calendar import (
    WorkCalendar,
    bundled_years,
    load_overrides,
    load_work_calendar,
    parse_override_csv,
)
from gridgov.errors import Invalid

app = typer.Typer(help="工作日历：按国务院节假日安排计算工作日。", no_args_is_help=True)


def provisional_note(years: tuple[int, ...] | list[int]) -> str:
    joined = "、".join(str(y) for y in years)
    return f"（暂定：{joined} 年节假日安排未载入，仅按周末计算）"


def _parse_moment(text: str, what: str) -> date | datetime:
    """A CLI date (YYYY-MM-DD) or an aware ISO datetime (e.g. 2026-09-30T10:00+08:00)."""
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text)
    except ValueError:
        typer.echo(f"{what}格式应为 YYYY-MM-DD（或带时区的时间），而不是 {text!r}", err=True)
        raise typer.Exit(code=2) from None
    if value.tzinfo is None:
        typer.echo(f"{what}是不带时区的时间：请写日期，或加上时区（如 +08:00）", err=True)
        raise typer.Exit(code=2)
    return value


def _sessionmaker(create: bool = False):
    """``(engine, session factory)`` of the configured database, or ``(None, None)`` when a SQLite
    database file does not exist yet (it is not created unless ``create``)."""
    from sqlalchemy.engine import make_url

    from gridgov.config import get_settings
    from gridgov.db import make_engine, make_sessionmaker

    url = get_settings().database_url
    parsed = make_url(url)
    if (not create and parsed.get_backend_name() == "sqlite"
            and (not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).exists())):
        return None, None
    engine = make_engine(url)
    return engine, make_sessionmaker(engine)


def current_calendar() -> WorkCalendar:
    """The calendar with the database's overrides if there is a migrated database, else bundled only."""
    engine = None
    try:
        from sqlalchemy import inspect

        engine, factory = _sessionmaker(create=False)
        if factory is None or not inspect(engine).has_table("calendar_overrides"):
            return WorkCalendar()
        with factory() as session:
            return load_work_calendar(session)
    except Exception:  # no settings, no database, not migrated: the bundled data still answers
        return WorkCalendar()
    finally:
        if engine is not None:
            engine.dispose()


@app.command("add-working-days")
def add_working_days(
    start: str = typer.Argument(..., help="起算日 YYYY-MM-DD（当日不计入）"),
    days: int = typer.Argument(..., help="工作日数（≥0）"),
) -> None:
    """起算日之后第 N 个工作日（当日 24 时到期）。"""
    if days < 0:
        typer.echo("工作日数不能为负数", err=True)
        raise typer.Exit(code=2)
    due = current_calendar().add_working_days(_parse_moment(start, "起算日"), days)
    typer.echo(due.day.isoformat())
    if due.provisional:
        typer.echo(provisional_note(due.unknown_years))


@app.command("working-days-between")
def working_days_between(
    start: str = typer.Argument(..., help="开始日 YYYY-MM-DD（当日不计入）"),
    end: str = typer.Argument(..., help="结束日 YYYY-MM-DD（当日计入）"),
) -> None:
    """开始日之后至结束日（含）之间的工作日数；结束日在前时为负数。"""
    count = current_calendar().working_days_between(_parse_moment(start, "开始日"), _parse_moment(end, "结束日"))
    typer.echo(str(count.days))
    if count.provisional:
        typer.echo(provisional_note(count.unknown_years))


@app.command("load")
def load(
    file: Path = typer.Argument(...,
                                help="CSV 文件，表头 date,is_workday,name（is_workday：1/0、true/false、是/否、"
                                     "班/休）"),
    source: str = typer.Option("", "--source", help="来源说明，例如“国办发明电〔2025〕7号”；默认为文件名"),
) -> None:
    """载入（或更正）某年的节假日安排：全部行正确才写入，已有的同日设置被替换。"""
    from sqlalchemy.exc import SQLAlchemyError

    from gridgov.db import unit_of_work
    from gridgov.kit.clock import utc_now

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"无法读取文件 {file}：{exc}", err=True)
        raise typer.Exit(code=1) from None
    try:
        rows = parse_override_csv(text)
        engine, factory = _sessionmaker(create=False)
    except Invalid as exc:
        _print_invalid(exc, file)
        raise typer.Exit(code=1) from None
    except Exception as exc:
        typer.echo(f"无法使用数据库：{exc}", err=True)
        raise typer.Exit(code=1) from None
    if factory is None:
        typer.echo("数据库不存在，请先运行 gridgov db upgrade 初始化数据库", err=True)
        raise typer.Exit(code=1)
    try:
        from sqlalchemy import inspect

        if not inspect(engine).has_table("calendar_overrides"):
            typer.echo("数据库尚未初始化（缺少 calendar_overrides 表），请先运行 gridgov db upgrade", err=True)
            raise typer.Exit(code=1)
        with unit_of_work(factory) as session:
            written = load_overrides(session, rows, source=source or file.name, now=utc_now())
    except Invalid as exc:
        _print_invalid(exc, file)
        raise typer.Exit(code=1) from None
    except SQLAlchemyError as exc:
        typer.echo(f"写入数据库失败：{exc}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    years = sorted({row.day.year for row in written})
    typer.echo(f"已载入 {len(written)} 天（{'、'.join(str(y) for y in years)} 年），来源：{source or file.name}")


def _print_invalid(exc: Invalid, file: Path) -> None:
    typer.echo(f"{file.name}：{exc.message}", err=True)
    for d in exc.details or []:
        typer.echo(f"  第 {d['line']} 行：{d['error']}", err=True)


@app.command("years")
def years() -> None:
    """哪些年份的节假日安排已知（内置或管理员载入），以及需要载入的年份。"""
    from gridgov.kit.clock import local, utc_now

    cal = current_calendar()
    bundled = sorted(bundled_years())
    if bundled:
        typer.echo(f"内置国务院节假日安排（chinesecalendar）：{bundled[0]}–{bundled[-1]} 年")
    counts: dict[int, int] = {}
    for day in cal.overrides:
        counts[day.year] = counts.get(day.year, 0) + 1
    for year in sorted(counts):
        typer.echo(f"管理员载入：{year} 年 {counts[year]} 天")
    today = local(utc_now()).date()
    missing = cal.missing_years(today, ahead=1)
    if missing:
        for year in missing:
            typer.echo(f"未载入：{year} 年（按周末计算，期限标记为暂定；请用 gridgov calendar load 载入）")
    else:
        typer.echo(f"{today.year}–{today.year + 1} 年均已载入。")
