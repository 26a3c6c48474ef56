"""The case-event outbox: one :class:`~gridgov.models.webhooks.CaseEvent` per change of a case,
written in the change's own transaction (issue 17).

THE place events are written: :func:`gridgov.cases.service.log_action` (every action, through the
ORM: :func:`record`) and the intake fast path (:mod:`gridgov.cases.intake_rows`: the Core
statement of :func:`insert_for_new_case`, inside intake's own round trip). A change that rolls back
takes its event with it; a change that commits has its event. Nothing is sent from here: the
webhook job (:mod:`gridgov.interop.webhooks_job`) reads the committed events afterwards.

An event carries what a client may be told of any case it sees: the case number, the action and
the states, the time; never the note, the actor or personal data.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Integer, String, bindparam, func, insert, literal_column, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models.webhooks import CaseEvent, WebhookDelivery

FAILED = "failed"


def new_event_id() -> str:
    return str(uuid.uuid4())


def record(session: Session, case, entry) -> None:
    """Adds the event of ``entry``, the file entry just appended to ``case`` (flushed with it)."""
    session.add(CaseEvent(event_id=new_event_id(), case_id=case.id, case_no=case.case_no, seq=entry.seq,
                          action=entry.action, from_state=entry.from_state or "", to_state=entry.to_state or "",
                          at=entry.at))


def insert_for_new_case(case_id):
    """The INSERT of a new case's ``create`` event, for intake's statements built once: ``case_id``
    is the new case's id (a parameter, or the id its CTE returns on PostgreSQL); the number, state
    and time are intake's own parameters ``case_case_no``, ``case_state``, ``case_created_at``, and
    the event's id the parameter ``event_id`` (:func:`new_event_id`)."""
    table = CaseEvent.__table__
    return insert(table).from_select(
        ["event_id", "case_id", "case_no", "seq", "action", "from_state", "to_state", "at"],
        select(
            bindparam("event_id", type_=String), case_id, bindparam("case_case_no", type_=String),
            literal_column("1", Integer), literal_column("'create'", String), literal_column("''", String),
            bindparam("case_state", type_=String), bindparam("case_created_at", type_=table.c.at.type),
        ),
    )


def failed_deliveries(session: Session, principal: Principal, case_id: int) -> int:
    """How many webhook deliveries of the case ended failed, as the principal may see them: the case
    page flags them (a failed push is never shown as sent)."""
    stmt = scoped(select(func.count(WebhookDelivery.id)), principal, WebhookDelivery).where(
        WebhookDelivery.case_id == case_id, WebhookDelivery.status == FAILED)
    return int(session.scalar(stmt) or 0)


__all__ = ["FAILED", "failed_deliveries", "insert_for_new_case", "new_event_id", "record"]
