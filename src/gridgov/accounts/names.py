"""Names instead of codes on the accounts' pages: a user's scope and department, the scopes of a
list of users (issue 14, item 8)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.accounts import repository as repo
from gridgov.authz import Principal
from gridgov.authz.scope import get_visible
from gridgov.models import Department


def own_names(session: Session, principal: Principal) -> dict[str, str]:
    """The names of a user's own scope and department, for its account page (codes in small print)."""
    names = {"scope": repo.place_names(session, {principal.scope_code}).get(principal.scope_code, "")}
    if principal.department_code:
        dept = get_visible(session, principal, Department, principal.department_code, ancestors=True)
        names["department"] = dept.name if dept is not None else ""
    return names


def place_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The name of each area, grid or micro-grid code (for showing a user's scope)."""
    return repo.place_names(session, codes)
