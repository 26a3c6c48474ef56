"""The volunteers and informants pages (issue 18): the register (list, filters, a form to register), a
person's record with its reports and points (deactivate, reveal the phone with a reason), the
organisations, the month's ranking and a grid's micro-grid roster (ZJ§9). Thin adapters over
:mod:`.volunteers` and :mod:`.volunteers_reports`; a refused form is shown again with the Chinese message
and the input kept; a form that succeeds redirects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gridgov.authz.permissions import Permission
from gridgov.authz.principals import CogovernanceManager, CogovernanceReader
from gridgov.cases.forms import text_values
from gridgov.cogovernance import volunteers, volunteers_reports
from gridgov.cogovernance.volunteers_schemas import (
    Deactivate,
    OrgCreate,
    RevealRequest,
    VolunteerCreate,
)
from gridgov.deps import FormDep, SessionDep, client_ip
from gridgov.errors import DomainError
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.models.volunteers import ORG_KIND_LABELS, VOLUNTEER_KIND_LABELS
from gridgov.web.forms import message, status_of
from gridgov.web.templating import templates

router = APIRouter()

AreaQuery = Annotated[str | None, Query(max_length=17)]
KindQuery = Annotated[str | None, Query(max_length=16)]
LABELS = {"name": "姓名或名称", "kind": "类别", "place_code": "所在微网格或网格", "phone": "手机号",
          "area_code": "服务区域", "contact": "对外联系方式", "reason": "理由", "org_id": "所属组织"}


def _problem(error: dict) -> str:
    field = str(error["loc"][-1]) if error.get("loc") else ""
    return f"{LABELS.get(field, field)}填写有误"


def _render(request: Request, name: str, context: dict, status: int = 200):
    response = templates.TemplateResponse(request, name, {
        "kind_labels": VOLUNTEER_KIND_LABELS, "org_kind_labels": ORG_KIND_LABELS, **context}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _keeps(me) -> bool:
    return me.can(Permission.COGOVERNANCE_MANAGE)


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return str(value[0] if isinstance(value, list) else value or "").strip()


def _list_page(request: Request, session, me, *, area=None, kind=None, q=None, page=1, values=None,
               error=None, status=200):
    profile = request.app.state.profile
    result = volunteers.list_people(session, me, area=area, kind=kind, org_id=None, active=None, q=q, page=page,
                                    page_size=50, profile=profile)
    orgs = volunteers.list_orgs(session, me, area=None, kind=None, page=1, page_size=200) if _keeps(me) else None
    return _render(request, "cogovernance/volunteers/list.html", {
        "result": result, "area": area or "", "kind": kind or "", "q": q or "", "orgs": orgs,
        "pages": max(1, -(-result.total // result.page_size)), "may_keep": _keeps(me), "values": values or {},
        "error": error, "own_grid": me.scope_code[:15] if len(me.scope_code) >= 15 else ""}, status)


@router.get("/cogovernance/volunteers")
def list_page(request: Request, session: SessionDep, me: CogovernanceReader, area: AreaQuery = None,
              kind: KindQuery = None, q: Annotated[str | None, Query(max_length=50)] = None, page: PageQuery = 1):
    """志愿者和信息员：the register inside the jurisdiction (phones masked)."""
    try:
        return _list_page(request, session, me, area=(area or "").strip() or None, kind=(kind or "").strip() or None,
                          q=q, page=page)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _list_page(request, session, me, error=exc.message, status=exc.status)


@router.post("/cogovernance/volunteers")
def create(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = text_values(form)
    state = request.app.state
    try:
        org = _text(values, "org_id")
        data = VolunteerCreate(name=_text(values, "name"), kind=_text(values, "kind"),
                               place_code=_text(values, "place_code"), phone=_text(values, "phone"),
                               org_id=int(org) if org.isdigit() and len(org) < 10 else None)
        made = volunteers.create(session, me, data, profile=state.profile, cipher=state.cipher, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _list_page(request, session, me, values=values, error=message(exc, _problem), status=status_of(exc))
    return RedirectResponse(f"/cogovernance/volunteers/{made.id}?done=create", status_code=303)


@router.post("/cogovernance/volunteers/orgs")
def create_org(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = text_values(form)
    try:
        data = OrgCreate(name=_text(values, "name"), kind=_text(values, "kind"), area_code=_text(values, "area_code"),
                         contact=_text(values, "contact"))
        volunteers.create_org(session, me, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _list_page(request, session, me, values={"org": values}, error=message(exc, _problem),
                          status=status_of(exc))
    return RedirectResponse("/cogovernance/volunteers?done=org", status_code=303)


@router.get("/cogovernance/volunteers/ranking")
def ranking(request: Request, session: SessionDep, me: CogovernanceReader, area: AreaQuery = None,
            month: Annotated[str | None, Query(max_length=7)] = None):
    """The month's points ranking and the informants' reports per grid."""
    result = volunteers_reports.ranking(session, me, area=(area or "").strip() or None, month=month,
                                        profile=request.app.state.profile, now=utc_now())
    return _render(request, "cogovernance/volunteers/ranking.html", {
        "result": result, "area": area or "", "recognition": request.app.state.profile.recognition})


@router.get("/cogovernance/volunteers/roster")
def roster(request: Request, session: SessionDep, me: CogovernanceReader,
           grid: Annotated[str | None, Query(max_length=15)] = None):
    """Each micro-grid of a grid with its liaison and volunteers (ZJ§9) and what is missing."""
    code = (grid or "").strip() or (me.scope_code[:15] if len(me.scope_code) >= 15 else "")
    name, micros = volunteers_reports.roster(session, me, code, profile=request.app.state.profile) if code else ("", [])
    return _render(request, "cogovernance/volunteers/roster.html", {"grid": code, "grid_name": name,
                                                                     "micros": micros})


def _record(request: Request, session, me, volunteer_id: int, *, revealed=None, error=None, status=200):
    result = volunteers_reports.reports(session, me, volunteer_id, profile=request.app.state.profile)
    return _render(request, "cogovernance/volunteers/record.html", {
        "person": result.volunteer, "reports": result.items, "points": result.points, "may_keep": _keeps(me),
        "revealed": revealed, "error": error, "done": request.query_params.get("done") == "create",
        "recognition": request.app.state.profile.recognition}, status)


@router.get("/cogovernance/volunteers/{volunteer_id}")
def record_page(volunteer_id: IdPath, request: Request, session: SessionDep, me: CogovernanceReader):
    """A person's record: masked phone, place, its reports through the resident channel and its points."""
    return _record(request, session, me, volunteer_id)


@router.post("/cogovernance/volunteers/{volunteer_id}/deactivate")
def deactivate(volunteer_id: IdPath, request: Request, session: SessionDep, me: CogovernanceManager):
    try:
        volunteers.deactivate(session, me, volunteer_id, Deactivate(), profile=request.app.state.profile,
                              now=utc_now())
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return _record(request, session, me, volunteer_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/cogovernance/volunteers/{volunteer_id}", status_code=303)


@router.post("/cogovernance/volunteers/{volunteer_id}/reveal")
def reveal(volunteer_id: IdPath, request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = text_values(form)
    try:
        shown = volunteers.reveal(session, me, volunteer_id, RevealRequest(reason=_text(values, "reason")),
                                  cipher=request.app.state.cipher, now=utc_now(), ip=client_ip(request))
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _record(request, session, me, volunteer_id, error=message(exc, _problem), status=status_of(exc))
    return _record(request, session, me, volunteer_id, revealed=shown.phone)
