"""The public map's one query: resident reports open now or closed recently, with a point.

It reads for the public, with no principal: through the door as the system (``SYSTEM``), and only the
columns the map may show (no text, no reporter, no exact time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.cases.vocabulary import OPEN_STATES, CaseState
from gridgov.models import Case, Grid

MAX_REPORTS = 20_000
"""At most this many reports are read (newest first): the map is an overview, not an archive."""


def resident_reports(session: Session, *, sources: frozenset[str], closed_since: datetime) -> list[tuple]:
    """``(lon, lat, grid_code, grid_name, category, type_code, state)`` of the reports from ``sources``
    that are open, or closed (not merged into another) since ``closed_since``."""
    stmt = scoped(
        select(Case.lon, Case.lat, Case.grid_code, Grid.name, Case.category, Case.type_code, Case.state)
        .join(Grid, Grid.code == Case.grid_code)
        .where(Case.source.in_(sorted(sources)), Case.lon.is_not(None), Case.lat.is_not(None),
               or_(Case.state.in_(sorted(str(s) for s in OPEN_STATES)),
                   (Case.state == str(CaseState.CLOSED)) & Case.merged_into_id.is_(None)
                   & (Case.closed_at >= closed_since)))
        .order_by(Case.id.desc()).limit(MAX_REPORTS),
        SYSTEM, Case)
    return [tuple(row) for row in session.execute(stmt)]
