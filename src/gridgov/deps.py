"""Request dependencies shared by every router: the database session and the policy profile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from gridgov.db import unit_of_work


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back if it raises."""
    with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


def get_profile(request: Request):
    return request.app.state.profile


SessionDep = Annotated[Session, Depends(get_session)]
ProfileDep = Annotated[object, Depends(get_profile)]


def get_cipher(request: Request):
    """The field cipher for personal data (see :mod:`gridgov.kit.crypto`)."""
    return request.app.state.cipher


CipherDep = Annotated[object, Depends(get_cipher)]
