"""Scope rules of the outside channels' tables (issue 17), registered in :data:`gridgov.authz.scope.RULES`.

Kept beside :mod:`gridgov.authz.scope` (the door and the core tables' rules) so that neither file
outgrows the house's size; :mod:`gridgov.authz` imports this module, so the rules are in place before
any query runs.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists

from gridgov.authz.principal import Principal
from gridgov.authz.scope import _cases, _nothing, _within_or_above, department_of, rule, within
from gridgov.models import Case, CaseDepartment
from gridgov.models.hotline import HotlineCategory, HotlineIntake
from gridgov.models.open311 import Open311Request
from gridgov.models.resident import ResidentReport
from gridgov.models.webhooks import CaseEvent, Webhook, WebhookAttempt, WebhookDelivery


@rule(Open311Request)
def _open311_requests(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """What an Open311 client sent with a request is seen by whoever sees its case."""
    return exists().where(Case.id == Open311Request.case_id, _cases(p, False))


@rule(ResidentReport)
def _resident_reports(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A resident's report (issue 17) lies in its case's grid: staff see those of their
    jurisdiction; a department those of the cases dispatched to it."""
    dept = department_of(p)
    if dept is not None:
        if not dept:
            return _nothing()
        return exists().where(CaseDepartment.case_id == ResidentReport.case_id, CaseDepartment.department_code == dept)
    return within(p, ResidentReport.grid_code)


# ---------------------------------------------------------------- webhooks (issue 17)


@rule(CaseEvent)
def _case_events(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """An event of the outbox is seen by whoever sees its case (the webhook job asks with a client's principal)."""
    return exists().where(Case.id == CaseEvent.case_id, _cases(p, False))


@rule(Webhook)
def _webhooks(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A client sees its own subscriptions; an agency those of the clients of its area."""
    client = p.client_id
    if client is not None:
        return Webhook.client_id == client
    return _nothing() if department_of(p) is not None else within(p, Webhook.area_code)


@rule(WebhookDelivery)
def _webhook_deliveries(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A client sees the deliveries of its own subscriptions; a person those of the cases it sees."""
    client = p.client_id
    if client is not None:
        return exists().where(Webhook.id == WebhookDelivery.webhook_id, Webhook.client_id == client)
    return exists().where(Case.id == WebhookDelivery.case_id, _cases(p, False))


@rule(WebhookAttempt)
def _webhook_attempts(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A try is seen by whoever sees its delivery."""
    return exists().where(WebhookDelivery.id == WebhookAttempt.delivery_id, _webhook_deliveries(p, False))


@rule(HotlineIntake)
def _hotline_intakes(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A hotline client sees its own tickets only; a department none; everyone else those whose case lies in
    its jurisdiction (the triage queue of an agency)."""
    if p.client_id is not None:
        return HotlineIntake.client_id == p.client_id
    if department_of(p) is not None:
        return _nothing()
    return within(p, HotlineIntake.grid_code)


@rule(HotlineCategory)
def _hotline_categories(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The rows of the areas inside the jurisdiction (what an agency edits); with ``ancestors`` also those of
    the areas above (what an intake there applies)."""
    if department_of(p) is not None:
        return _nothing()
    return _within_or_above(p, HotlineCategory.area_code) if ancestors else within(p, HotlineCategory.area_code)
