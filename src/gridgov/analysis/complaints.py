"""Complaints against grid workers (issue 16, for the appraisal, the warnings and the governance index):
how many complaints from the public boards (``board_complaints``, JS§19) were received in a period,
by county, town, grid or worker.

A complaint names the grid and, where the complainant chose one, the staff member
(``staff_id``); it counts against the worker whose account is that staff member's
(``users.staff_id``). A complaint naming no one counts for its grid only. The day is the local
(Asia/Shanghai) day it was received. Read through the scope door: the caller's jurisdiction only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.analysis.visits import _prefix_filter, area_key, utc_bounds
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models.accounts import User
from gridgov.models.territory import BoardComplaint

GROUP_BY = ("county", "town", "grid", "worker")


def complaint_counts(session: Session, principal: Principal, *, group_by: str, date_from: date, date_to: date,
                     area: str | None = None) -> dict[str, int]:
    """Complaints received in ``[date_from, date_to]`` by ``county``, ``town``, ``grid`` or ``worker``
    (key: the user id as text)."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    start, end = utc_bounds(date_from, date_to)
    rows = session.execute(scoped(
        select(BoardComplaint.grid_code, BoardComplaint.staff_id)
        .where(BoardComplaint.received_at >= start, BoardComplaint.received_at < end,
               *_prefix_filter(BoardComplaint.grid_code, area)), principal, BoardComplaint)).all()
    if group_by == "grid":
        return dict(Counter(grid for grid, _ in rows))
    if group_by in ("county", "town"):
        return dict(Counter(area_key(grid, group_by) for grid, _ in rows))
    staff = Counter(staff_id for _, staff_id in rows if staff_id is not None)
    if not staff:
        return {}
    users = session.execute(scoped(select(User.id, User.staff_id).where(User.staff_id.in_(sorted(staff))),
                                   principal, User)).all()
    return {str(uid): staff[sid] for uid, sid in users}
