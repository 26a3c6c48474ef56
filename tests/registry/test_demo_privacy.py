"""The demo register's personal data never lies in the database in the clear (issue 15, "Done when"):
the raw SQLite file (and its write-ahead log) and a PostgreSQL dump of the demo are searched for every
demo ID number and phone, and the tag columns for the tag codes; none is found."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.models import Area
from gridgov.models.registry import Person, PersonTag, Unit
from gridgov.models.territory import AreaLevel
from gridgov.registry.demo import DEMO_TAGS, demo_id_number, demo_phone

from ..pgcluster import PgUnavailable, _bindir

pytestmark = pytest.mark.req("D3")

_NUMBER = re.compile(rb"(?=(\d{17}[\dX]))")
_PHONE = re.compile(rb"(?=(199[23]\d{7}))")
"""Overlapping matches: a value stored next to other digits (a record's neighbouring column) is found too."""


def _dump_sqlite(engine) -> bytes:
    path = Path(engine.url.database)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _dump_postgresql(engine) -> bytes:
    url = engine.url
    try:
        pg_dump = _bindir() / "pg_dump"
    except PgUnavailable:
        pg_dump = None
    if pg_dump is not None and pg_dump.exists():
        env = {"PGPASSWORD": url.password or ""}
        proc = subprocess.run([str(pg_dump), "-h", url.host, "-p", str(url.port), "-U", url.username,
                               "--data-only", url.database], capture_output=True, env=env, check=True)
        return proc.stdout
    out = []  # no pg_dump on this machine: COPY every table to text
    with engine.connect() as conn:
        tables = conn.execute(text("select tablename from pg_tables where schemaname = 'public'")).scalars().all()
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for table in tables:
                with cur.copy(f'COPY "{table}" TO STDOUT') as copy:
                    out.extend(bytes(block) for block in copy)
    return b"".join(out)


def test_no_demo_id_number_phone_or_tag_in_the_raw_database(register_engine, backend):
    demo_engine = register_engine
    with demo_engine.connect() as conn:
        city = conn.scalar(select(Area.code).where(Area.level == AreaLevel.CITY))
        with Session(bind=conn) as s:
            county = demo_places(s, city).county
        people = conn.scalar(select(func.count()).select_from(Person).where(Person.source == "demo"))
        units = conn.scalar(select(func.count()).select_from(Unit).where(Unit.source == "demo"))
        tag_cells = conn.execute(select(PersonTag.tag_enc, PersonTag.tag_index)).all()
    assert people >= 20_000 and units > 0 and tag_cells
    numbers = {demo_id_number(i, county).encode() for i in range(people)}
    phones = {demo_phone(i).encode() for i in range(people)} | {f"1993{j:07d}".encode() for j in range(units)}
    raw = _dump_sqlite(demo_engine) if backend == "sqlite" else _dump_postgresql(demo_engine)
    # the search itself works: a number written in the clear would be found
    assert _NUMBER.findall(b"x" + next(iter(numbers)) + b"y") == [next(iter(numbers))]
    found_numbers = numbers & set(_NUMBER.findall(raw))
    found_phones = phones & set(_PHONE.findall(raw))
    assert not found_numbers, f"明文身份证号：{len(found_numbers)} 个"
    assert not found_phones, f"明文电话：{len(found_phones)} 个"
    codes = [word.encode() for tag in DEMO_TAGS for word in tag]  # elderly_alone, 独居老人, ...
    for enc, index in tag_cells:
        cell = bytes(enc) + index.encode()
        assert not any(code in cell for code in codes)
