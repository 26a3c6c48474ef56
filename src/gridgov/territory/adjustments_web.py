"""Grid adjustment pages: the list, the proposal form (plan as an uploaded or pasted GeoJSON file),
and the detail page with a before/after map and the buttons the user may press.

Each route calls the same service functions as the JSON API. A refused form is shown again with the
Chinese reasons and the user's input kept, at the refusal's status (422, 403 or 404).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import (
    AdjustmentApprover,
    AdjustmentFiler,
    AdjustmentProposer,
)
from gridgov.deps import ProfileDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.inputguard import load_json
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath
from gridgov.models.territory import (
    ADJUSTMENT_KIND_LABELS,
    ADJUSTMENT_STATUS_LABELS,
    AreaLevel,
)
from gridgov.policy.schema import ADJUSTMENT_TRIGGER_LABELS
from gridgov.territory import adjustment_rules as arules
from gridgov.territory import adjustments, history, service
from gridgov.territory.schemas import AdjustmentCreate, AdjustmentPlan
from gridgov.web.templating import templates

router = APIRouter()


MAX_PLAN_BYTES = 20 * 1024 * 1024
STATUS_BADGES = {"proposed": "level", "approved": "urban", "filed": "urban", "effective": "rural",
                 "rejected": "retired"}
"""Which existing badge colour shows each status."""


@router.get("/adjustments")
def adjustment_list(request: Request, me: AdjustmentProposer, session: SessionDep, status: str | None = None):
    status = (status or "").strip() or None
    items = adjustments.to_read(session, adjustments.list_adjustments(session, me, status=status))
    return templates.TemplateResponse(
        request,
        "adjustments/list.html",
        {"items": items, "status": status or "", "badge_class": STATUS_BADGES,
         "status_labels": {str(k): v for k, v in ADJUSTMENT_STATUS_LABELS.items()},
         "can_propose": arules.actor_problem(arules.PROPOSE, me.level) is None},
    )


@router.get("/adjustments/new")
def adjustment_form(request: Request, me: AdjustmentProposer, session: SessionDep, profile: ProfileDep):
    return _form(request, session, me, profile, values={}, error=None, details=None)


@router.post("/adjustments/new")
def adjustment_propose(
    request: Request,
    me: AdjustmentProposer,
    session: SessionDep,
    profile: ProfileDep,
    kind: Annotated[str, Form()] = "",
    town_code: Annotated[str, Form()] = "",
    trigger: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    committee_opinion: Annotated[str, Form()] = "",
    effective_on: Annotated[str, Form()] = "",
    retire: Annotated[str, Form()] = "",
    plan_text: Annotated[str, Form()] = "",
    plan_file: Annotated[UploadFile | None, File()] = None,
):
    values = {"kind": kind, "town_code": town_code, "trigger": trigger, "reason": reason,
              "committee_opinion": committee_opinion, "effective_on": effective_on, "retire": retire,
              "plan_text": plan_text}
    try:
        upload = plan_file.file.read(MAX_PLAN_BYTES + 1) if plan_file is not None and plan_file.filename else b""
        data = _create_from_form(values, upload)
        adj = adjustments.propose(session, me, data, profile=profile, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _form(request, session, me, profile, values=values, error=exc.message, details=exc.details,
                     status=exc.status)
    return RedirectResponse(f"/adjustments/{adj.id}", status_code=303)


@router.get("/adjustments/{adjustment_id}")
def adjustment_page(request: Request, me: AdjustmentProposer, adjustment_id: IdPath, session: SessionDep):
    return _detail(request, session, me, adjustment_id)


@router.post("/adjustments/{adjustment_id}/approve")
def adjustment_approve(request: Request, me: AdjustmentApprover, adjustment_id: IdPath, session: SessionDep,
                       note: Annotated[str, Form()] = ""):
    return _act(request, session, me, adjustment_id,
                lambda: adjustments.approve(session, me, adjustment_id, note, now=utc_now()))


@router.post("/adjustments/{adjustment_id}/reject")
def adjustment_reject(request: Request, me: AdjustmentApprover, adjustment_id: IdPath, session: SessionDep,
                      note: Annotated[str, Form()] = ""):
    return _act(request, session, me, adjustment_id,
                lambda: adjustments.reject(session, me, adjustment_id, note, now=utc_now()))


@router.post("/adjustments/{adjustment_id}/file")
def adjustment_file(request: Request, me: AdjustmentFiler, adjustment_id: IdPath, session: SessionDep,
                    note: Annotated[str, Form()] = ""):
    return _act(request, session, me, adjustment_id,
                lambda: adjustments.file(session, me, adjustment_id, note, now=utc_now()))


# ---------------------------------------------------------------- helpers


def _act(request: Request, session, me: Principal, adjustment_id: int, step):
    try:
        step()
    except DomainError as exc:
        session.rollback()
        return _detail(request, session, me, adjustment_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/adjustments/{adjustment_id}", status_code=303)


def _create_from_form(values: dict[str, str], upload: bytes) -> AdjustmentCreate:
    """The proposal from the form: the plan is a GeoJSON FeatureCollection (or ``{features,
    retire}``) uploaded or pasted; codes to retire may also be typed, separated by spaces or commas."""
    if len(upload) > MAX_PLAN_BYTES:
        raise Invalid("方案文件超过 20 MB")
    text = upload.decode("utf-8", errors="replace") if upload else values["plan_text"].strip()
    features: list[Any] = []
    retire = [c for c in re.split(r"[\s,，、;；]+", values["retire"]) if c]
    if text:
        try:
            data = load_json(upload or text.encode("utf-8"), "调整方案")
        except ValueError as exc:
            raise Invalid(f"调整方案不是有效的 JSON：{exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("features", []), list):
            raise Invalid("调整方案应为 GeoJSON FeatureCollection（含 features 数组）")
        features = data.get("features", [])
        extra = data.get("retire", [])
        if not isinstance(extra, list):
            raise Invalid("调整方案的 retire 应为网格编码数组")
        retire += [str(c) for c in extra if str(c) not in retire]
    effective = history.parse_day(values["effective_on"], "生效日期")
    if effective is None:
        raise Invalid("请填写生效日期", details=[{"field": "effective_on", "reason": "请填写生效日期"}])
    try:
        return AdjustmentCreate(
            kind=values["kind"], town_code=values["town_code"], trigger=values["trigger"], reason=values["reason"],
            committee_opinion=values["committee_opinion"], effective_on=effective,
            plan=AdjustmentPlan(features=features, retire=retire),
        )
    except ValidationError as exc:
        raise Invalid("表单内容有误",
                      details=[{"field": ".".join(map(str, e["loc"])),
                                "reason": e["msg"]} for e in exc.errors()]) from exc


def _towns(session, me: Principal) -> list[dict]:
    """The towns the principal may propose for: its own town, or the towns of its county."""
    if me.level == AreaLevel.TOWN:
        area = service.get_area_read(session, me, me.scope_code)
        return [{"code": area.code, "name": area.name}]
    if me.level == AreaLevel.COUNTY:
        return [{"code": a.code, "name": a.name} for a in service.list_areas(session, me, me.scope_code)]
    return []


def _form(request, session, me, profile, *, values, error, details, status: int = 200):
    triggers = [(t, ADJUSTMENT_TRIGGER_LABELS.get(t, t)) for t in profile.territory.adjustment_triggers]
    context = {
        "values": values,
        "error": error,
        "details": details if isinstance(details, list) else None,
        "towns": _towns(session, me),
        "kinds": [(str(k), v) for k, v in ADJUSTMENT_KIND_LABELS.items()],
        "triggers": triggers,
        "needs_opinion": profile.territory.consult_village_committee,
        "filed_with_city": profile.territory.filed_with_city,
        "may_propose": arules.actor_problem(arules.PROPOSE, me.level),
    }
    return templates.TemplateResponse(request, "adjustments/new.html", context, status_code=status)


def _detail(request, session, me: Principal, adjustment_id: int, *, error: str | None = None, status: int = 200):
    adj = adjustments.get_adjustment(session, me, adjustment_id)
    item = adjustments.to_read(session, [adj])[0]
    names = adjustments.people_of(session, adj)
    can_decide = (me.can(Permission.ADJUSTMENT_APPROVE) and arules.actor_problem(arules.APPROVE, me.level) is None
                  and arules.step_problem(arules.APPROVE, adj.status, requires_filing=item.requires_filing) is None)
    can_file = (me.can(Permission.ADJUSTMENT_FILE) and arules.actor_problem(arules.FILE, me.level) is None
                and arules.step_problem(arules.FILE, adj.status, requires_filing=item.requires_filing) is None)
    when = {key: local(value).strftime("%Y-%m-%d %H:%M") if value else ""
            for key, value in (("proposed", adj.proposed_at), ("decided", adj.decided_at), ("filed", adj.filed_at))}
    settings = getattr(request.app.state, "settings", None)
    config = {
        "tile_url": getattr(settings, "tile_url", "") or "",
        "tile_attribution": getattr(settings, "tile_attribution", "") or "",
        **adjustments.outlines(session, adj),
    }
    return templates.TemplateResponse(
        request,
        "adjustments/detail.html",
        {"item": item, "names": names, "can_decide": can_decide, "can_file": can_file, "error": error,
         "map_config": config, "badge_class": STATUS_BADGES, "when": when},
        status_code=status,
    )
