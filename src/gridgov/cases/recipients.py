"""Whom to tell: the users a case or an instruction notifies, for the packages that tell them
(the queries are the repository's; this is their public face, as ``territory.lookup`` is)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.cases import repository as repo


def agency_users(session: Session, area_code: str) -> list[int]:
    """Active agency staff bound exactly to an area (the agency of that area)."""
    return repo.agency_users(session, area_code)


def grid_worker_users(session: Session, grid_code: str) -> list[int]:
    """Active workers of a grid who take part in casework."""
    return repo.grid_worker_users(session, grid_code)
