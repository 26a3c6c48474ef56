"""The dashboard's own query: the open supervision orders under an area, through the scope door."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz import Principal
from gridgov.authz.scope import scoped, starts_with
from gridgov.models.cases import Case, SupervisionOrder


def open_orders(session: Session, me: Principal, area: str, *, limit: int) -> list[tuple[SupervisionOrder, Case]]:
    """Unanswered supervision orders on the cases the user sees whose grid lies under ``area``,
    the soonest due first."""
    stmt = scoped(select(SupervisionOrder, Case).join(Case, Case.id == SupervisionOrder.case_id), me, Case)
    stmt = stmt.where(SupervisionOrder.answered_at.is_(None), starts_with(Case.grid_code, areas.area_prefix(area)))
    return [(o, c) for o, c in session.execute(stmt.order_by(SupervisionOrder.due_at, SupervisionOrder.id)
                                               .limit(limit)).all()]
