"""Request dependencies shared by every router: the database session and the policy profile."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the route returns, before the response is sent
    (scope="function"), so a client never gets a 200 for a commit that then fails, and its next
    request sees what this one wrote. Rolled back if the route raises.

    Making the session does no I/O, so it happens on the event loop; a writing request's session
    begins IMMEDIATE on SQLite at its first statement (see :func:`gridgov.db.make_sessionmaker`).
    Only the commit (or rollback) and the close go to the thread pool, in one trip."""
    state = request.app.state
    session = (state.sessionmaker if request.method in READ_METHODS else state.write_sessionmaker)()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, commit=False)
        raise
    if session.in_transaction():
        await run_in_threadpool(_end, session, commit=True)
    else:
        session.close()  # committed already (see in_one_trip), or never used: nothing to wait for


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


async def get_profile(request: Request):
    return request.app.state.profile


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ProfileDep = Annotated[object, Depends(get_profile)]


async def get_cipher(request: Request):
    """The field cipher for personal data (see :mod:`gridgov.kit.crypto`)."""
    return request.app.state.cipher


CipherDep = Annotated[object, Depends(get_cipher)]
