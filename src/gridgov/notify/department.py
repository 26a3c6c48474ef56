"""Telling a department at once: one notice to each active user of a department (its receivers and
handlers), stored once by ``dedupe_key`` + user id.

Used for a case in a dedicated grid, told to the grid's competent department under dual management
(QZ§5, :func:`gridgov.territory.dedicated.tell_competent_department`), and for an urgent case sent
straight to its competent department (LZ§16, :mod:`gridgov.cases.actions`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import User
from gridgov.models.accounts import DEPARTMENT_ROLES
from gridgov.notify import Notice, notify


def notify_department_at_once(session: Session, department_code: str, *, kind: str, message: str,
                              dedupe_key: str, case_id: int | None = None, link: str = "", now: datetime) -> int:
    """Stores one notice for each active user of the department (fan-out as the system: the users of
    a department lie outside the actor's view); returns how many were new."""
    stmt = scoped(select(User.id).where(User.department_code == department_code, User.is_active.is_(True),
                                        User.role.in_(sorted(DEPARTMENT_ROLES))), SYSTEM, User)
    users = list(session.scalars(stmt))
    return notify(session, [Notice(uid, kind, message, f"{dedupe_key}{uid}", case_id, link) for uid in users],
                  now=now)
