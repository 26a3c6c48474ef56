"""The pages of legal professionals in the grids (法律进网格, issue 18): ``/cogovernance/legal`` (the
register, schedules with their next dates, visits; the agency records a visit there) and
``/cogovernance/legal/referrals`` (a legal professional's own page: the cases referred to it, its
schedules, and its own visits). The same services as the API (:mod:`.legal_api`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gridgov.authz.permissions import Permission
from gridgov.authz.principals import CogovernanceManager, CogovernancePartner, CogovernanceReader
from gridgov.cases.workflow import STATE_LABELS
from gridgov.cogovernance import legal
from gridgov.cogovernance.legal_schemas import MyVisitIn, ProfessionalIn, ScheduleIn, VisitIn
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.recurrence import NTH_LABELS, WEEKDAY_LABELS
from gridgov.models.legal import LEGAL_SERVICE_LABELS
from gridgov.web.templating import templates

router = APIRouter()
Done = Annotated[str | None, Query(max_length=10)]
SCHEDULE_FORM = "安排填写有误：网格编码 15 位或区划代码 12 位，日期写作 2026-12-01，多个日期用逗号分开"


def _text(form, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _visit_fields(form) -> dict:
    try:
        visited = date.fromisoformat(_text(form, "visited_on", 10))
    except ValueError:
        raise Invalid("请填写进网格日期，例如 2026-12-01") from None
    people = _text(form, "people_served", 6) or "0"
    if not people.isdigit():
        raise Invalid("服务人次应为非负整数")
    return {"grid_code": _text(form, "grid_code", 15), "visited_on": visited,
            "services": [s for s in form.getlist("services") if isinstance(s, str)][:10],
            "people_served": int(people), "notes": _text(form, "notes", 2000)}


def _schema(model, values: dict, message: str = "填写的内容无效：网格编码应为 15 位数字，说明不超过 2000 字"):
    try:
        return model(**values)
    except ValidationError:
        raise Invalid(message) from None


def _register_page(request: Request, session, me, *, error: str | None = None, done: str | None = None,
                   values: dict | None = None, status: int = 200):
    now = utc_now()
    return templates.TemplateResponse(request, "cogovernance/legal.html", {
        "register": legal.register_view(session, me, now=now), "visits": legal.list_visits(session, me, page_size=20),
        "may_manage": me.can(Permission.COGOVERNANCE_MANAGE), "services": LEGAL_SERVICE_LABELS,
        "kinds": legal.KINDS, "weekdays": WEEKDAY_LABELS, "nths": NTH_LABELS, "home": me.scope_code[:12],
        "today": local(now).date().isoformat(), "error": error, "done": done, "values": values or {}},
        status_code=status)


@router.get("/cogovernance/legal")
def register_page(request: Request, session: SessionDep, me: CogovernanceReader, done: Done = None):
    return _register_page(request, session, me, done=done)


@router.post("/cogovernance/legal/visits")
def record_visit(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = {}
    try:
        values = _visit_fields(form)
        pid = _text(form, "professional_id", 10)
        if not pid.isdigit():
            raise Invalid("请选择法律服务人员")
        legal.record_visit(session, me, _schema(VisitIn, {**values, "professional_id": int(pid)}), now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _register_page(request, session, me, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/cogovernance/legal?done=visit", status_code=303)


@router.post("/cogovernance/legal/professionals")
def create_professional(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = {k: _text(form, k, 100) for k in ("name", "kind", "institution", "title", "public_phone", "area_code")}
    try:
        data = _schema(ProfessionalIn, {**values, "area_code": values["area_code"] or me.scope_code[:12]},
                       "请填写姓名、类别、单位；所属区域为 12 位区划代码")
        legal.create_professional(session, me, data, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _register_page(request, session, me, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/cogovernance/legal?done=professional", status_code=303)


@router.post("/cogovernance/legal/schedules")
def add_schedule(request: Request, session: SessionDep, me: CogovernanceManager, form: FormDep):
    values = {k: _text(form, k, 1000) for k in ("area_code", "rule", "weekday", "nth", "dates", "hours", "place",
                                                "valid_from", "valid_to")}
    try:
        pid = _text(form, "professional_id", 10)
        if not pid.isdigit() or not 0 < int(pid) < 2**31:
            raise Invalid("请选择法律服务人员")
        raw = {**values, "weekday": values["weekday"] or None, "nth": values["nth"] or None,
               "valid_to": values["valid_to"] or None,
               "dates": [d.strip() for d in values["dates"].replace("，", ",").split(",") if d.strip()]}
        data = _schema(ScheduleIn, raw, SCHEDULE_FORM)
        legal.add_schedule(session, me, int(pid), data, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _register_page(request, session, me, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/cogovernance/legal?done=schedule", status_code=303)


def _mine_page(request: Request, session, me, *, error: str | None = None, done: str | None = None,
               status: int = 200):
    now = utc_now()
    linked = legal.linked_or_none(session, me, now=now)
    return templates.TemplateResponse(request, "cogovernance/legal_referrals.html", {
        "referrals": legal.my_referrals(session, me), "linked": linked, "states": STATE_LABELS,
        "services": LEGAL_SERVICE_LABELS, "today": local(now).date().isoformat(), "error": error, "done": done},
        status_code=status)


@router.get("/cogovernance/legal/referrals")
def referrals_page(request: Request, session: SessionDep, me: CogovernancePartner, done: Done = None):
    return _mine_page(request, session, me, done=done)


@router.post("/cogovernance/legal/mine/visits")
def record_my_visit(request: Request, session: SessionDep, me: CogovernancePartner, form: FormDep):
    try:
        legal.record_my_visit(session, me, _schema(MyVisitIn, _visit_fields(form)), now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _mine_page(request, session, me, error=exc.message, status=exc.status)
    return RedirectResponse("/cogovernance/legal/referrals?done=visit", status_code=303)
