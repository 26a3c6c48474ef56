"""Engine and sessions.

SQLite runs in WAL mode with foreign keys on; PostgreSQL is used as it is. A request gets one
session that commits at the end of the request or rolls back on error; CLI commands and jobs use
:func:`unit_of_work`. Services never commit: they flush when they need ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # SQLAlchemy's recipe: let it emit BEGIN itself, so SAVEPOINT and DDL behave.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writing unit of work takes SQLite's write lock at BEGIN (IMMEDIATE), so it waits its
            # turn (busy_timeout) instead of failing with "database is locked" when another writer
            # commits between its first read and its first write.
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine, *, writes: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``. With ``writes`` their transactions begin IMMEDIATE on SQLite (see
    make_engine) when they first touch the database, so making one does no I/O."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if writes else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


WRITE_OPTION = "gridgov_writes"
"""Execution option marking a unit of work that will write (SQLite then begins IMMEDIATE)."""


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, writes: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises. ``writes`` says the
    block will write, so on SQLite it queues for the write lock up front (see make_engine)."""
    session = factory()
    if writes:
        session.connection(execution_options={WRITE_OPTION: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
