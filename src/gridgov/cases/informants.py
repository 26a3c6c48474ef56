"""Which cases a registered informant reported (信息员上报, issue 18): the resident channel marks them
(:mod:`gridgov.public.informants`); the case page and the case lists show who (name and kind). Cases
sit below the cogovernance domain, so this reads the register's tables itself; the cases asked about
were opened through the door already, so the lookup runs as the system."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models.volunteers import VOLUNTEER_KIND_LABELS, InformantReport, Volunteer


def labels(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    """``{case id: "王师傅（快递员）"}`` for the cases an informant reported."""
    ids = list({i for i in case_ids})
    if not ids:
        return {}
    stmt = scoped(select(InformantReport.case_id, Volunteer.name, Volunteer.kind)
                  .join(Volunteer, Volunteer.id == InformantReport.volunteer_id)
                  .where(InformantReport.case_id.in_(ids)), SYSTEM, InformantReport)
    rows = session.execute(stmt)
    return {case_id: f"{name}（{VOLUNTEER_KIND_LABELS.get(kind, kind)}）" for case_id, name, kind in rows}
