"""Case numbers: ``{county code}-{yyyymmdd}-{5-digit sequence}``, unique and gap-free per county.

The sequence is one row per county and day, bumped by a single upsert inside the case's own
transaction. The upsert takes the row lock (PostgreSQL) or the database write lock (SQLite) until
that transaction ends, so two cases created at once get consecutive numbers, and a creation that
fails and rolls back gives its number back: there are never gaps.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.kit.clock import local
from gridgov.models import CaseNumber

MAX_PER_DAY = 99_999


def format_case_no(county_code: str, day, seq: int) -> str:
    return f"{county_code}-{day:%Y%m%d}-{seq:05d}"


@cache
def _bump(dialect: str):
    """The upsert, built once per dialect (every intake runs it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    numbers = CaseNumber.__table__  # a Core statement: no ORM bookkeeping for a counter
    stmt = insert(numbers).values(county_code=bindparam("county"), day=bindparam("day"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[numbers.c.county_code, numbers.c.day], set_={"last": numbers.c.last + 1}
    ).returning(numbers.c.last)


def next_case_no(session: Session, county_code: str, now: datetime) -> str:
    """Takes the next number of ``county_code`` for the local (Asia/Shanghai) day of ``now``."""
    day = local(now).date()
    conn = session.connection()
    seq = conn.execute(_bump(conn.dialect.name), {"county": county_code, "day": day}).scalar_one()
    if seq > MAX_PER_DAY:
        from gridgov.errors import Conflict

        raise Conflict("本县（市、区）今日事项编号已用完")
    return format_case_no(county_code, day, seq)
