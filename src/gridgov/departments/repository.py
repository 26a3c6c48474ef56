"""Department queries: lists pass through the one scope door; the seeding reads every code as the system."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models import Department


def department_codes(session: Session) -> set[str]:
    """Every department's code (seeding the profile's departments: the system)."""
    return set(session.scalars(select(Department.code)))


def active_departments(session: Session, principal: Principal, *, area: str | None = None,
                       codes: Sequence[str] | None = None) -> Sequence[Department]:
    """Active departments of the areas the principal can see (its jurisdiction and above it);
    ``area`` narrows to one area's own departments, ``codes`` to these codes."""
    stmt = scoped(select(Department), principal, Department, ancestors=True).where(Department.is_active)
    if area:
        stmt = stmt.where(Department.area_code == area)
    if codes is not None:
        stmt = stmt.where(Department.code.in_(list(codes)))
    return session.scalars(stmt.order_by(Department.area_code, Department.kind)).all()
