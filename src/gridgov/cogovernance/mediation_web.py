"""Mediation pages (ZJ§17, issue 18) under /cogovernance/mediation: the queue of disputes (a mediator's
landing page: those at its bodies; staff: those of their jurisdiction), one mediation (parties masked; a
reveal with a reason, audited), and the register of bodies and their mediators. A mediator records
sessions and the outcome on the case page (the lifecycle's forms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from gridgov.authz.permissions import Permission, role_can
from gridgov.authz.principals import (
    CogovernanceManager,
    CogovernanceReader,
    MediationReader,
    MediationRevealer,
)
from gridgov.cases.forms import local_time
from gridgov.cogovernance import mediation
from gridgov.cogovernance.mediation_schemas import BodyIn
from gridgov.deps import FormDep, SessionDep, client_ip
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.models.mediation import BODY_KIND_LABELS, STATUS_LABELS
from gridgov.web.templating import templates

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}


def _text(form, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.get("/cogovernance/mediation")
def queue_page(request: Request, session: SessionDep, me: MediationReader, page: PageQuery = 1,
               status: Annotated[str | None, Query(max_length=12)] = "open"):
    """The disputes at the mediator's bodies (staff: of the jurisdiction), open ones first by default."""
    chosen = status if status in STATUS_LABELS else None
    found = mediation.list_mediations(session, me, status=chosen, page=page, page_size=50)
    return templates.TemplateResponse(request, "cogovernance/mediation_queue.html", {
        "found": found, "status": chosen or "", "statuses": STATUS_LABELS, "local_time": local_time})


def _bodies_page(request: Request, session, me, *, error: str | None = None, values: dict | None = None,
                 done: str | None = None, status: int = 200):
    manage = role_can(me.role, Permission.COGOVERNANCE_MANAGE)
    return templates.TemplateResponse(request, "cogovernance/mediation_bodies.html", {
        "bodies": mediation.list_bodies(session, me), "kinds": BODY_KIND_LABELS, "manage": manage,
        "accounts": mediation.mediator_accounts(session, me) if manage else [], "error": error,
        "values": values or {"area_code": me.scope_code[:12]}, "done": done}, status_code=status)


@router.get("/cogovernance/mediation/bodies")
def bodies_page(request: Request, session: SessionDep, me: CogovernanceReader,
                done: Annotated[str | None, Query(max_length=40)] = None):
    return _bodies_page(request, session, me, done=done)


@router.post("/cogovernance/mediation/bodies")
def create_body(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = {"name": _text(form, "name", 100), "kind": _text(form, "kind", 16),
              "area_code": _text(form, "area_code", 12), "phone": _text(form, "phone", 40)}
    try:
        if not values["name"] or len(values["area_code"]) != 12:
            raise Invalid("请填写调解组织名称和 12 位服务区域代码")
        mediation.create_body(session, me, BodyIn(**values), now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _bodies_page(request, session, me, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/cogovernance/mediation/bodies?done=created", status_code=303)


@router.post("/cogovernance/mediation/bodies/{body_id}/members")
def add_member(request: Request, body_id: IdPath, session: SessionDep, me: CogovernanceManager, form: FormDep):
    raw = _text(form, "user_id", 12)
    try:
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise Invalid("请选择人民调解员账号")
        mediation.add_member(session, me, body_id, int(raw), now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _bodies_page(request, session, me, error=exc.message, status=exc.status)
    return RedirectResponse("/cogovernance/mediation/bodies?done=linked", status_code=303)


def _detail(request: Request, session, me, mediation_id: int, *, revealed=None, error: str | None = None,
            status: int = 200):
    read = mediation.get_mediation(session, me, mediation_id)
    return templates.TemplateResponse(request, "cogovernance/mediation_detail.html", {
        "m": read, "revealed": revealed, "error": error, "local_time": local_time,
        "may_reveal": role_can(me.role, Permission.CASES_ACT)}, status_code=status, headers=NO_STORE)


@router.get("/cogovernance/mediation/{mediation_id}")
def detail_page(request: Request, mediation_id: IdPath, session: SessionDep, me: MediationReader):
    return _detail(request, session, me, mediation_id)


@router.post("/cogovernance/mediation/{mediation_id}/reveal")
def reveal(request: Request, mediation_id: IdPath, session: SessionDep, me: MediationRevealer, form: FormDep):
    try:
        shown = mediation.reveal(session, me, mediation_id, _text(form, "reason", 200),
                                 cipher=request.app.state.cipher, now=utc_now(), ip=client_ip(request))
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return _detail(request, session, me, mediation_id, error=exc.message, status=exc.status)
    return _detail(request, session, me, mediation_id, revealed=shown.parties)
