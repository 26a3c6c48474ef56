"""The activity ledger (:class:`gridgov.models.cogovernance.CogovActivity`): one line per thing done with
others, written in the transaction that records the thing, withdrawn with it. The analysis counts it per
grid and month (:mod:`gridgov.analysis.cogovernance_stats`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from gridgov.models.cogovernance import ActivityKind, CogovActivity


def record(session: Session, *, kind: ActivityKind, area_code: str, occurred_on: date, ref_type: str, ref_id: int,
           now: datetime) -> CogovActivity:
    """Count one thing: ``area_code`` is the grid (or the area) where it happened, ``ref_type``/``ref_id``
    the row that records it (flushed, so it has its id)."""
    line = CogovActivity(kind=str(kind), area_code=area_code, occurred_on=occurred_on, ref_type=ref_type,
                         ref_id=ref_id, created_at=now)
    session.add(line)
    return line


def withdraw(session: Session, *, ref_type: str, ref_id: int, kind: ActivityKind | None = None) -> None:
    """Take back the line(s) of a row that no longer counts (deleted, or recorded by mistake)."""
    stmt = delete(CogovActivity).where(CogovActivity.ref_type == ref_type, CogovActivity.ref_id == ref_id)
    if kind is not None:
        stmt = stmt.where(CogovActivity.kind == str(kind))
    session.execute(stmt)
