"""An informant's report (信息员上报, issue 18; ZJ§23, JM§10): a registered volunteer, building head,
courier, delivery rider or property staff reports through the resident channel like anyone, proving
its phone by SMS code; when that phone's blind index (:func:`gridgov.public.report.phone_index`, the
same key the register stores) belongs to an active person of the register
(:class:`gridgov.models.volunteers.Volunteer`), the report is theirs: one
:class:`~gridgov.models.volunteers.InformantReport` names the person and the case, and one line of the
activity ledger (``informant_report``, the case's grid, the day) counts it, in the report's own
transaction. The resident channel sits below :mod:`gridgov.cogovernance`, so it reads the register's
table itself and writes the ledger row directly (as the foundation allows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.kit.clock import local
from gridgov.models.cases import Case
from gridgov.models.cogovernance import ActivityKind, CogovActivity
from gridgov.models.volunteers import InformantReport, Volunteer


def registered(session: Session, phone_index: str) -> Volunteer | None:
    """The active registered person of this phone (the oldest record if the phone is on several)."""
    stmt = scoped(select(Volunteer).where(Volunteer.phone_index == phone_index, Volunteer.active.is_(True)),
                  SYSTEM, Volunteer)
    return session.scalar(stmt.order_by(Volunteer.id).limit(1))


def mark(session: Session, case: Case, phone_index: str, *, now: datetime) -> InformantReport | None:
    """Marks the new case as an informant's report when the proven phone is registered (None if not)."""
    person = registered(session, phone_index)
    if person is None:
        return None
    row = InformantReport(volunteer_id=person.id, case_id=case.id, grid_code=case.grid_code, created_at=now)
    session.add(row)
    session.flush()
    session.add(CogovActivity(kind=str(ActivityKind.INFORMANT_REPORT), area_code=case.grid_code,
                              occurred_on=local(now).date(), ref_type="informant_report", ref_id=row.id,
                              created_at=now))
    return row
