"""Request dependencies shared by every router: the database session, the policy profile, the client's address."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from starlette.datastructures import FormData

from gridgov.db import AFTER_END, run_after_end, unit_of_work
from gridgov.models import AuditEntry
from gridgov.models.registry import PersonAccess

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

READ_ONLY = "gridgov_read_only"
"""``session.info`` key marking the session of a GET (HEAD, OPTIONS) request."""

READ_RECORDS = (AuditEntry, PersonAccess)
"""What a read may record (written apart, see :func:`get_session`): the audit of what it showed and
the access log of the person whose record it showed (issue 15: every view of a person is logged)."""


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the route returns, before the response is sent
    (scope="function"), so a client never gets a 200 for a commit that then fails, and its next
    request sees what this one wrote. Rolled back if the route raises.

    Making the session does no I/O, so it happens on the event loop; a writing request's session
    begins IMMEDIATE on SQLite at its first statement (see :func:`gridgov.db.make_sessionmaker`).
    Only the commit (or rollback) and the close go to the thread pool, in one trip.

    **The rule for GETs that write.** A GET (HEAD, OPTIONS) request's session is read-only: its
    transaction begins deferred (it takes no write lock, so reads never queue behind writers), and
    it must not write: a flush or an INSERT/UPDATE/DELETE in it raises :class:`ReadOnlyRequest`.
    (A deferred SQLite transaction that reads and then writes fails with "database is locked" as
    soon as another writer committed in between.) The one thing a read may record is the audit of
    what it showed (an export, a reveal, a person viewed): the entries it adds with ``audit.service.record``
    (and ``registry.access.record_access``) are
    taken out of its session and written at the end of the request, before the response is sent,
    in a short transaction of their own that takes the write lock up front (IMMEDIATE on SQLite).
    If that write fails the request fails, so nothing is shown unaudited. Anything else that
    changes data (marking notifications read, ...) is a POST."""
    state = request.app.state
    reading = request.method in READ_METHODS
    session = (state.sessionmaker if reading else state.write_sessionmaker)()
    if reading:
        session.info[READ_ONLY] = True
    session.info[AFTER_END] = []  # see gridgov.db.after_end
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, commit=False)
        raise
    await _finish(session, state, reading=reading)


async def _finish(session: Session, state, *, reading: bool) -> None:
    if reading and (session.new or session.info.get(DEFERRED)):
        await run_in_threadpool(_end_read, session, state.write_sessionmaker)
    elif session.in_transaction():
        await run_in_threadpool(_end, session, commit=True)
    else:
        session.close()  # committed already (see in_one_trip), or never used: nothing to wait for
        if session.info.get(AFTER_END):
            await run_in_threadpool(run_after_end, session)


async def get_replica_session(request: Request, primary: SessionDep) -> AsyncIterator[Session]:
    """The session of a route that reads heavy, read-only work on the read replica (issue 19):
    statistics, dashboards, exports, public pages (tests/system/test_replica.py lists them).

    Without a replica (``GRIDGOV_DATABASE_REPLICA_URL`` unset, SQLite), for a request that is not a
    GET, and while the replica cannot be reached (:class:`gridgov.db.Replica`: one warning, retried
    every 30 s), it is the request's own session on the primary: nothing changes but where the
    reading happens. On the replica it is a read like any GET's (:func:`get_session`): what it
    records of what it showed (an export's audit entry, a person's access log) is held aside and
    written at the end of the request on the PRIMARY, so an audited export works on a read-only
    standby. The door (who is asking) is still read on the primary, in ``primary``: an account
    created, disabled or logged out a moment ago is known at once. What the route shows may lag
    the primary by the replica's replay delay: fine for figures and published pages, not for a
    page that must show what its user just did (those take :data:`SessionDep`)."""
    replica = getattr(request.app.state, "replica", None)
    if replica is None or request.method not in READ_METHODS:
        yield primary
        return
    session = await run_in_threadpool(replica.session)
    if session is None:  # the replica is down: read on the primary
        yield primary
        return
    session.info[READ_ONLY] = True
    session.info[ON_REPLICA] = True
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, commit=False)
        raise
    await _finish(session, request.app.state, reading=True)


ON_REPLICA = "gridgov_on_replica"
"""``session.info`` key marking a session on the read replica."""


READ_RECORDS = (AuditEntry, PersonAccess)
"""What a read may record of what it showed: audit entries, and the entries of a person's access log
(who viewed a person's data, PIPL art. 45)."""


DEFERRED = "gridgov_deferred_records"
"""``session.info`` key of the records a read made before its queries (an API client's call is
audited at the door): kept out of the session so its autoflush has nothing to write, and written
apart at the end like the rest (see :func:`get_session`)."""


def add_record(session: Session, entry) -> None:
    """Adds an audit entry (or another of :data:`READ_RECORDS`) to the request's session; a read's
    is held aside and written at the end of the request, so its later queries may still autoflush."""
    if session.info.get(READ_ONLY):
        session.info.setdefault(DEFERRED, []).append(entry)
    else:
        session.add(entry)


class ReadOnlyRequest(RuntimeError):
    """A GET request tried to write in its session (a programming error: see :func:`get_session`)."""


def _end_read(session: Session, write_factory: sessionmaker[Session]) -> None:
    """Ends a read request that recorded audit entries: they are written apart (see get_session)."""
    entries = list(session.new)
    strays = [e for e in entries if not isinstance(e, READ_RECORDS)]
    for entry in entries:
        session.expunge(entry)
    entries += session.info.pop(DEFERRED, [])
    _end(session, commit=False)  # first: its transaction is done with before the write begins
    if strays:
        raise ReadOnlyRequest(f"GET 请求不能写入数据：{type(strays[0]).__name__}")
    with unit_of_work(write_factory, writes=True) as apart:
        apart.add_all(entries)


@event.listens_for(Session, "before_flush")
def _no_flush_in_reads(session: Session, _context, _instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.deleted
                                        or any(session.is_modified(o) for o in session.dirty)):
        raise ReadOnlyRequest("GET 请求不能写入数据（见 gridgov.deps.get_session）")


@event.listens_for(Session, "do_orm_execute")
def _no_dml_in_reads(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.session.info.get(READ_ONLY):
        raise ReadOnlyRequest("GET 请求不能写入数据（见 gridgov.deps.get_session）")


T = TypeVar("T")


async def in_one_trip(session: Session, work: Callable[[], T]) -> T:
    """Runs ``work`` and commits the request's session in one trip to the thread pool.

    For the busiest writing routes: an ``async`` route calling this has its answer checked on the
    event loop, so the request goes to the pool once, instead of three times for a plain route
    (the route, the check of its answer, the commit). The commit still comes before the response;
    if ``work`` raises, the session dependency rolls back as usual."""
    def run() -> T:
        result = work()
        session.commit()
        return result

    return await run_in_threadpool(run)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        run_after_end(session)


async def read_form(request: Request) -> FormData:
    """The request's form, read on the event loop (reading the body is I/O to wait for, not work),
    so that a page route taking it can be a plain ``def``, run in the thread pool: no route does
    database or file work on the event loop (tests/system/test_event_loop.py)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def client_ip(request: Request) -> str:
    """The client's address: the socket's peer, or, when the peer is a proxy listed in
    ``GRIDGOV_FORWARDED_ALLOW_IPS``, the address it forwarded (uvicorn's proxy headers, set by
    ``gridgov serve``)."""
    return request.client.host if request.client else ""


async def get_profile(request: Request):
    return request.app.state.profile


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReplicaSessionDep = Annotated[Session, Depends(get_replica_session, scope="function")]
"""The session of a read-only heavy route: on the read replica when there is one (see
:func:`get_replica_session`), the request's primary session otherwise."""
ProfileDep = Annotated[object, Depends(get_profile)]


async def get_cipher(request: Request):
    """The field cipher for personal data (see :mod:`gridgov.kit.crypto`)."""
    return request.app.state.cipher


CipherDep = Annotated[object, Depends(get_cipher)]
