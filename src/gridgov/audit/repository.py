"""Audit log queries: reading the log through the one scope door (writing: ``service.record``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import AuditEntry, User


def _filtered(stmt, *, action, actor, object_type, area, since, until):
    """``stmt``, already through the door, narrowed by the filter."""
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if area:
        stmt = stmt.where(AuditEntry.area_code.startswith(areas.area_prefix(area)))
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def page_of_entries(session: Session, principal: Principal, filters: dict[str, Any], *, offset: int,
                    limit: int | None) -> tuple[Sequence[AuditEntry], int]:
    """Entries in the principal's jurisdiction matching ``filters``, newest first, with the total count."""
    total = session.scalar(_filtered(scoped(select(func.count()).select_from(AuditEntry), principal, AuditEntry),
                                     **filters)) or 0
    stmt = _filtered(scoped(select(AuditEntry), principal, AuditEntry),
                     **filters).order_by(AuditEntry.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all(), total


def display_names(session: Session, usernames: set[str], ids: set[int]) -> tuple[dict[str, str], dict[int, str]]:
    """Display names of the users a page of the log names (as actor by username, as object by id):
    names only, read by the system for entries the reader already opened through the door."""
    if not usernames and not ids:
        return {}, {}
    rows = session.execute(scoped(select(User.id, User.username, User.display_name).where(
        User.username.in_(usernames) | User.id.in_(ids)), SYSTEM, User)).all()
    return {r.username: r.display_name for r in rows}, {r.id: r.display_name for r in rows}
