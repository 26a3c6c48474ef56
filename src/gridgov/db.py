"""Engine and sessions.

SQLite runs in WAL mode with foreign keys on; PostgreSQL is used as it is. A request gets one
session that commits at the end of the request or rolls back on error; CLI commands and jobs use
:func:`unit_of_work`. Services never commit: they flush when they need ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    """The engine for ``url``. SQL parameters never appear in its errors or logs
    (``hide_parameters``): they carry password hashes, ID numbers and phone numbers, and an
    IntegrityError's text ends up in the server log."""
    kwargs.setdefault("hide_parameters", True)
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


AFTER_END = "gridgov_after_end"
"""``session.info`` key of the work to do once the request's transaction has ended, committed or
rolled back (see :func:`after_end`); the request's edge (gridgov.deps.get_session) sets and runs it."""


def after_end(session: Session, work) -> bool:
    """Runs ``work()`` after the request's transaction ends, whether it commits or rolls back (a
    rate-limit hit that must count even when the request then fails, written without waiting for the
    request's own SQLite write lock). False when the session is no request's: do it now instead."""
    hooks = session.info.get(AFTER_END)
    if hooks is None:
        return False
    hooks.append(work)
    return True


def run_after_end(session: Session) -> None:
    for work in session.info.pop(AFTER_END, []):
        try:
            work()
        except Exception:  # the request's answer stands; the failure is logged, never its data
            logging.getLogger("gridgov.db").exception("work after the request's transaction failed")


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


class Replica:
    """A streaming read replica (``GRIDGOV_DATABASE_REPLICA_URL``): its engine, its read-only sessions,
    and the fallback to the primary while it cannot be reached.

    Its sessions are read-only twice over: a hot standby refuses every write, and the engine asks for
    ``READ ONLY`` transactions (so a replica URL pointed at the primary by mistake refuses them too).
    :meth:`session` checks a connection out before the route runs (the pool pings it): when the
    replica does not answer, it returns None and the caller reads on the primary instead, for
    :data:`RETRY_SECONDS`, then tries again. One warning is logged when the replica goes away and
    one line when it is back, not one per request."""

    RETRY_SECONDS = 30.0

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        self.engine = make_engine(url, connect_args={"connect_timeout": connect_timeout},
                                  execution_options={"postgresql_readonly": True})
        self.sessionmaker = make_sessionmaker(self.engine)
        self._down_until: float | None = None  # monotonic time of the next try while it is down
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down_until is not None

    def session(self) -> Session | None:
        """A session on the replica with its connection checked out and its transaction begun, or
        None while the replica is down (read on the primary). Does I/O: call it in the thread pool."""
        if self._down_until is not None and time.monotonic() < self._down_until:
            return None
        session = self.sessionmaker()
        try:
            session.connection()
        except DBAPIError as exc:
            session.close()
            with self._lock:
                first = self._down_until is None
                self._down_until = time.monotonic() + self.RETRY_SECONDS
            if first:
                _log.warning("只读副本 %s 无法连接（%s），统计、导出和公开页面改由主库读取，每 %d 秒重试一次",
                             self.where, type(exc.orig or exc).__name__, self.RETRY_SECONDS)
            return None
        if self._down_until is not None:
            with self._lock:
                self._down_until = None
            _log.warning("只读副本 %s 已恢复，统计、导出和公开页面重新由副本读取", self.where)
        return session

    @property
    def where(self) -> str:
        """host:port/database of the replica (never its password)."""
        url = self.engine.url
        return f"{url.host}:{url.port or 5432}/{url.database}"


_log = logging.getLogger("gridgov.db")


class Prebuilt:
    """A Core statement run on (nearly) every request, compiled once per dialect and executed
    straight on the DBAPI cursor of the session's connection.

    SQLAlchemy's work per execution (cache lookup, execution context, result object) costs about
    20 µs a statement on SQLite (more than SQLite's own work) and 60-80 µs on PostgreSQL, and an
    intake runs up to seven (bench/README.md). The SQL text and every value conversion are
    still SQLAlchemy's: the compiled string, and the bind and result processors of the statement's
    own types. Only for statements with a fixed set of parameters (no expanding IN) and no events
    that must see them; errors come out as SQLAlchemy's ``DBAPIError`` subclasses, as from ``execute``."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, str], _Form] = {}  # by (dialect, driver): paramstyles differ

    def rows(self, target: Session | Connection, params: dict) -> list:
        """Runs the statement with ``params`` (by bind name; binds given a value when built may be
        left out) and returns its rows, as named tuples of its columns' keys."""
        conn = target.connection() if isinstance(target, Session) else target
        key = (conn.dialect.name, conn.dialect.driver)
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _Form(self.statement, conn.dialect)
        values = form.values(params)
        fairy = conn.connection
        cursor = fairy.info.get(_CURSOR)  # one per DBAPI connection (the info goes with it)
        if cursor is None:
            cursor = fairy.info[_CURSOR] = fairy.dbapi_connection.cursor()
        try:
            cursor.execute(form.sql, values)
            fetched = cursor.fetchall() if form.width else []  # not .description: psycopg builds it anew
        except conn.dialect.loaded_dbapi.Error as exc:
            invalidated = conn.dialect.is_disconnect(exc, fairy.dbapi_connection, cursor)
            if invalidated:
                conn.invalidate(exc)
            raise DBAPIError.instance(form.sql, values, exc, conn.dialect.loaded_dbapi.Error,
                                      hide_parameters=conn.engine.hide_parameters,
                                      connection_invalidated=invalidated, dialect=conn.dialect) from exc
        return [form.row(raw) for raw in fetched]

    def first(self, target: Session | Connection, params: dict):
        """The first row, or None."""
        got = self.rows(target, params)
        return got[0] if got else None

    def scalar(self, target: Session | Connection, params: dict):
        """The first column of the first row, or None."""
        got = self.rows(target, params)
        return got[0][0] if got else None


_CURSOR = "gridgov_prebuilt_cursor"


class _Form:
    """A statement compiled for one dialect: its SQL, how its parameters are laid out and
    converted, and how its rows are converted back."""

    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.escaped_bind_names or compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("Prebuilt takes statements whose parameters keep their names and number")
        self.sql = compiled.string
        self.given: list[tuple[str, str]] = []  # (name, key) of the parameters the caller must give
        self.defaults: list[tuple[str, str, object]] = []  # (name, key, value) of those with a value
        self.processed: list[tuple[str, object]] = []  # (name, bind processor)
        for bind, name in compiled.bind_names.items():
            if any(name == seen for seen, *_ in self.given + self.defaults):
                continue  # a parameter used in several places: one value, converted once
            if bind.required:
                self.given.append((name, bind.key))
            else:
                self.defaults.append((name, bind.key, bind.effective_value))
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processed.append((name, processor))
        self.positions = tuple(compiled.positiontup) if compiled.positional else None
        columns = list(statement.exported_columns)
        self.converted = [(i, processor) for i, c in enumerate(columns)
                          if (processor := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None]
        self.width = len(columns)
        self.make = namedtuple("Row", [c.key for c in columns], rename=True)._make

    def values(self, params: dict):
        try:
            named = {name: params[key] for name, key in self.given}
        except KeyError as exc:
            raise ArgumentError(f"Prebuilt statement: no value for the parameter {exc.args[0]!r}") from None
        for name, key, default in self.defaults:
            named[name] = params.get(key, default)
        for name, processor in self.processed:
            named[name] = processor(named[name])
        return tuple(map(named.__getitem__, self.positions)) if self.positions is not None else named

    def row(self, raw) -> tuple:
        if len(raw) != self.width:
            raise ValueError(f"Prebuilt statement: {len(raw)} columns came back, {self.width} expected")
        if not self.converted:
            return self.make(raw)
        values = list(raw)
        for i, processor in self.converted:
            values[i] = processor(values[i])
        return self.make(values)
