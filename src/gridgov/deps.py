"""Request dependencies shared by every router: the database session and the policy profile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from gridgov.db import unit_of_work

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, before the response is sent
    (scope="function"), so a client never gets a 200 for a commit that then fails, and its next
    request sees what this one wrote. Rolled back if the route raises."""
    writes = request.method not in READ_METHODS
    with unit_of_work(request.app.state.sessionmaker, writes=writes) as session:
        yield session


def get_profile(request: Request):
    return request.app.state.profile


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ProfileDep = Annotated[object, Depends(get_profile)]


def get_cipher(request: Request):
    """The field cipher for personal data (see :mod:`gridgov.kit.crypto`)."""
    return request.app.state.cipher


CipherDep = Annotated[object, Depends(get_cipher)]
