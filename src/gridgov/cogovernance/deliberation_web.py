"""Deliberation pages (议事协商) under ``/cogovernance/deliberations``: the list (names masked), a new topic,
and a topic's page with its participants (names in full, the view audited), meetings with minutes and
attachments, the decision, the follow-ups and publication. Usable on a phone: one column of forms.

Thin adapters over the same service as the JSON API (:mod:`.deliberation_api`); a refused form comes back
with the service's Chinese message, the input kept and the refusal's status; a form that succeeds
redirects (post/redirect/get) with a notice."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import CogovernanceReader, DeliberationWriter
from gridgov.cases import forms
from gridgov.cases import service as case_service
from gridgov.cases.deadlines import URGENCY_LABELS, Urgency
from gridgov.cogovernance import deliberation as service
from gridgov.cogovernance import deliberation_rules as rules
from gridgov.cogovernance.deliberation_schemas import (
    DeliberationCreate,
    DeliberationUpdate,
    FollowUpCreate,
    MeetingCreate,
    ParticipantIn,
)
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.models.accounts import AGENCY_ROLES
from gridgov.web.forms import by_location, optional_date
from gridgov.web.templating import templates

router = APIRouter(prefix="/cogovernance/deliberations")
DONE = {"created": "议题已登记", "status": "已更新", "participant": "参与人已添加", "meeting": "会议已记录",
        "follow_up": "跟进已创建", "publish": "公开设置已保存"}
BASE = "/cogovernance/deliberations"


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return str(value if isinstance(value, str) else "").strip()


def _int(values: dict, key: str, label: str) -> int | None:
    raw = _text(values, key)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 7:
        raise Invalid(f"{label}应为不大于 {10**6} 的非负整数")
    return int(raw)


def _message(exc: Exception) -> str:
    return forms.message(exc, by_location)


def _render(request: Request, name: str, context: dict, status: int = 200):
    base = {"statuses": rules.STATUS_LABELS, "kinds": rules.KIND_LABELS, "local_time": forms.local_time,
            "notice": DONE.get(request.query_params.get("done", ""))}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


@router.get("")
def list_page(request: Request, me: CogovernanceReader, session: SessionDep, page: PageQuery = 1, area: str = "",
              status: str = ""):
    area, status = area.strip()[:17], status.strip()[:12]
    found = service.list_deliberations(session, me, area=area or None, status=status or None, page=page)
    return _render(request, "cogovernance/deliberations.html", {
        "page": found, "area": area, "status": status, "may_write": me.can(Permission.DELIBERATION_WRITE),
        "base_params": [(k, v) for k, v in (("area", area), ("status", status)) if v]})


def _new_page(request: Request, me: Principal, values: dict, error: str | None = None, status: int = 200):
    return _render(request, "cogovernance/deliberation_new.html", {"values": values, "error": error}, status)


@router.get("/new")
def new_form(request: Request, me: DeliberationWriter):
    code = me.scope_code if len(me.scope_code) in (12, 15) else ""
    return _new_page(request, me, {"area_code": code, "raised_on": local(utc_now()).date().isoformat()})


@router.post("/new")
def create(request: Request, me: DeliberationWriter, session: SessionDep, form: FormDep):
    values = forms.text_values(form)
    try:
        people = [ParticipantIn(kind="resident", name=n.strip()) for n in _text(values, "names").split("、")
                  if n.strip()]
        count = _int(values, "headcount", "其他参与人数")
        if count:
            people.append(ParticipantIn(kind="resident", headcount=count))
        data = DeliberationCreate(area_code=_text(values, "area_code"), topic=_text(values, "topic"),
                                  description=_text(values, "description"), raised_by=_text(values, "raised_by"),
                                  raised_on=optional_date(_text(values, "raised_on"), "提出日期"), participants=people)
        row = service.create_deliberation(session, me, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _new_page(request, me, values, _message(exc), forms.status_of(exc))
    return RedirectResponse(f"{BASE}/{row.id}?done=created", status_code=303)


def _detail(request: Request, session: Session, me: Principal, deliberation_id: int, *, error: str | None = None,
            form: str | None = None, values: dict | None = None, status: int = 200):
    now = utc_now()
    item = service.deliberation_read(session, me, deliberation_id, now=now)
    writer = me.can(Permission.DELIBERATION_WRITE)
    grid = item.area_code if len(item.area_code) == 15 else ""
    profile = request.app.state.profile
    return _render(request, "cogovernance/deliberation.html", {
        "d": item, "writer": writer, "active": item.status in rules.ACTIVE, "error": error, "form": form,
        "values": values or {}, "moves": [(s, rules.STATUS_LABELS[s]) for s in sorted(rules.MOVES[item.status])],
        "may_case": writer and item.status == "decided" and me.can(Permission.CASES_CREATE),
        "may_task": writer and item.status == "decided" and me.role in AGENCY_ROLES,
        "category_list": case_service.category_choices(session, grid or item.area_code, local(now).date(), profile),
        "urgencies": list(Urgency), "urgency_labels": {str(k): v for k, v in URGENCY_LABELS.items()},
        "today": local(now).date().isoformat(),
    }, status)


@router.get("/{deliberation_id}")
def detail(request: Request, deliberation_id: IdPath, me: CogovernanceReader, session: SessionDep):
    return _detail(request, session, me, deliberation_id)


def _on(request: Request, session: Session, me: Principal, deliberation_id: int, name: str, run, raw):
    values = forms.text_values(raw)
    try:
        run(raw, values)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _detail(request, session, me, deliberation_id, error=_message(exc), form=name, values=values,
                       status=forms.status_of(exc))
    return RedirectResponse(f"{BASE}/{deliberation_id}?done={name}", status_code=303)


@router.post("/{deliberation_id}/status")
def set_status(request: Request, deliberation_id: IdPath, me: DeliberationWriter, session: SessionDep, fields: FormDep):
    def run(_raw, values):
        target = _text(values, "status") or None
        decision = {}
        if target == "decided":
            decision = {"decision": _text(values, "decision"),
                        "decided_on": optional_date(_text(values, "decided_on"), "决定日期"),
                        "decision_method": _text(values, "decision_method"),
                        "votes_for": _int(values, "votes_for", "赞成票"),
                        "votes_against": _int(values, "votes_against", "反对票"),
                        "votes_abstain": _int(values, "votes_abstain", "弃权票"),
                        "publish": _text(values, "publish") == "1"}
        data = DeliberationUpdate(status=target, **decision)
        service.update_deliberation(session, me, deliberation_id, data, now=utc_now())
    return _on(request, session, me, deliberation_id, "status", run, fields)


@router.post("/{deliberation_id}/participants")
def add_participant(request: Request, deliberation_id: IdPath, me: DeliberationWriter, session: SessionDep,
                    fields: FormDep):
    def run(_raw, values):
        data = ParticipantIn(kind=_text(values, "kind") or "resident", name=_text(values, "name"),
                             headcount=_int(values, "headcount", "人数") or 1,
                             organisation=_text(values, "organisation"))
        service.add_participant(session, me, deliberation_id, data, now=utc_now())
    return _on(request, session, me, deliberation_id, "participant", run, fields)


@router.post("/{deliberation_id}/meetings")
def add_meeting(request: Request, deliberation_id: IdPath, me: DeliberationWriter, session: SessionDep,
                fields: FormDep):
    def run(raw, values):
        held = optional_date(_text(values, "held_on"), "会议日期")
        if held is None:
            raise Invalid("请填写会议日期")
        attachments = forms.store_photos(request, raw, "attachments", [])
        data = MeetingCreate(held_on=held, place=_text(values, "place"),
                             attendance=_int(values, "attendance", "到会人数") or 0, minutes=_text(values, "minutes"),
                             attachments=attachments)
        service.add_meeting(session, me, deliberation_id, data, now=utc_now(),
                            media_root=request.app.state.settings.media_path)
    return _on(request, session, me, deliberation_id, "meeting", run, fields)


@router.post("/{deliberation_id}/follow-ups")
def add_follow_up(request: Request, deliberation_id: IdPath, me: DeliberationWriter, session: SessionDep,
                  fields: FormDep):
    def run(_raw, values):
        data = FollowUpCreate(kind=_text(values, "kind") or "case", title=_text(values, "title"),
                              description=_text(values, "description"), category=_text(values, "category"),
                              grid_code=_text(values, "grid_code") or None,
                              urgency=_text(values, "urgency") or "normal", address=_text(values, "address"),
                              due_at=forms.local_datetime(_text(values, "due_at"), "完成期限"))
        service.add_follow_up(session, me, deliberation_id, data, now=utc_now(), profile=request.app.state.profile,
                              cipher=request.app.state.cipher, media_root=request.app.state.settings.media_path,
                              case_types=request.app.state.case_types)
    return _on(request, session, me, deliberation_id, "follow_up", run, fields)


@router.post("/{deliberation_id}/publish")
def publish(request: Request, deliberation_id: IdPath, me: DeliberationWriter, session: SessionDep, fields: FormDep):
    def run(_raw, values):
        service.publish(session, me, deliberation_id, _text(values, "publish") == "1", now=utc_now())
    return _on(request, session, me, deliberation_id, "publish", run, fields)
