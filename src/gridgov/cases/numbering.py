"""Case numbers: ``{county code}-{yyyymmdd}-{5-digit sequence}``, unique and gap-free per county.

The sequence is one row per county and day, bumped by a single upsert inside the case's own
transaction. The upsert takes the row lock (PostgreSQL) or the database write lock (SQLite) until
that transaction ends, so two cases created at once get consecutive numbers, and a creation that
fails and rolls back gives its number back: there are never gaps.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.db import Prebuilt
from gridgov.errors import Conflict
from gridgov.kit.clock import local
from gridgov.models import CaseNumber

MAX_PER_DAY = 99_999


def format_case_no(county_code: str, day, seq: int) -> str:
    return f"{county_code}-{day:%Y%m%d}-{seq:05d}"


@cache
def _upsert(dialect: str):
    """The upsert, built once per dialect (every intake runs it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    numbers = CaseNumber.__table__  # a Core statement: no ORM bookkeeping for a counter
    stmt = insert(numbers).values(county_code=bindparam("number_county"), day=bindparam("number_day"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[numbers.c.county_code, numbers.c.day], set_={"last": numbers.c.last + 1}
    ).returning(numbers.c.last)


@cache
def _bump(dialect: str) -> Prebuilt:
    return Prebuilt(_upsert(dialect))


@cache
def _bump_and_read(query: Prebuilt) -> Prebuilt:
    """PostgreSQL: the upsert in a CTE beside a read, so both take one round trip."""
    taken = _upsert("postgresql").cte("taken")
    found = query.statement.subquery("found")
    return Prebuilt(select(taken.c.last.label("taken_number"), found).select_from(taken.outerjoin(found, true())))


def next_case_no(session: Session, county_code: str, now: datetime) -> str:
    """Takes the next number of ``county_code`` for the local (Asia/Shanghai) day of ``now``."""
    return next_case_no_and_read(session, county_code, now)[0]


def next_case_no_and_read(session: Session, county_code: str, now: datetime, query: Prebuilt | None = None,
                          params: dict | None = None) -> tuple[str, object | None]:
    """Takes the next number, and runs ``query`` (a read, with ``params``) beside it: its first
    row (attributes named like its columns), or None. On PostgreSQL both go in one statement
    (intake takes its number and its matter at once); if the caller then refuses, the rollback
    gives the number back."""
    day = local(now).date()
    conn = session.connection()
    values = {"number_county": county_code, "number_day": day, **(params or {})}
    row = None
    if query is not None and conn.dialect.name == "postgresql":
        seq, *found = _bump_and_read(query).first(conn, values)  # the upsert always gives a row
        if found[0] is not None:  # the read's first column (an id) is empty when it found nothing
            row = SimpleNamespace(**dict(zip([c.key for c in query.statement.selected_columns], found, strict=True)))
    else:
        seq = _bump(conn.dialect.name).scalar(conn, values)
        if query is not None:
            row = query.first(conn, values)
    if seq > MAX_PER_DAY:
        raise Conflict("本县（市、区）今日事件编号已用完")
    return format_case_no(county_code, day, seq), row
