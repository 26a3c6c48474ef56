"""Catalogue pages for departments and agencies: applications (list, apply, follow one; review and
decide with the buttons its path allows) and rectification notices (the agency issues, the
department answers). The public pages (/catalogue, /catalogue/{area}) live elsewhere.

Thin adapters over the same services as the JSON API. Which forms a page shows is only a hint; the
service decides, so a refused form comes back with its Chinese message, the user's input kept and
the refusal's status (403/404/409/422); a form that succeeds redirects (post/redirect/get).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import CatalogueApplicant, CatalogueManager
from gridgov.catalogue import applications, filing, rectification
from gridgov.catalogue import rules as crules
from gridgov.catalogue.schemas import (
    ApplicationCreate,
    DecisionIn,
    MatterIn,
    RectificationAnswer,
    RectificationCreate,
    ReviewIn,
)
from gridgov.deps import FormDep, ProfileDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import SHANGHAI, local, utc_now
from gridgov.kit.params import IdPath
from gridgov.web.templating import templates

router = APIRouter()


STATUS_BADGES = {"submitted": "level", "reviewed": "urban", "approved": "rural", "refused": "retired",
                 "open": "dedicated", "answered": "rural", "forced_exit": "retired"}
DONE = {"submitted": "申请已提交", "review": "已审核", "approve": "已批准，清单已发布新版本", "refuse": "已不予批准",
        "issued": "整改通知已发出", "answered": "已答复整改通知", "filed": "已登记备案"}
MATTER_FORM_FIELDS = ("code", "name", "class_code", "description", "department_kind", "legal_basis", "power_type",
                      "on_site", "evidence", "handling_working_days")


def _when(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _form(form: FormDep) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "csrf_token"}


Values = Annotated[dict[str, str], Depends(_form)]


def _invalid_from(exc: ValidationError) -> Invalid:
    details = [{"field": ".".join(map(str, e["loc"])), "reason": "格式不对或超出长度"} for e in exc.errors()]
    return Invalid("表单内容有误：" + "、".join(d["field"] for d in details), details=details)


# ---------------------------------------------------------------- applications


@router.get("/catalogue/applications")
def application_list(request: Request, me: CatalogueApplicant, session: SessionDep, profile: ProfileDep,
                     status: str | None = None, done: str | None = None):
    return _list_page(request, session, me, profile, status=status, done=DONE.get(done or ""))


def _list_page(request, session, me: Principal, profile, *, status: str | None = None, done: str | None = None,
               error: str | None = None, values: dict[str, str] | None = None, http_status: int = 200):
    status = (status or "").strip() or None
    items = applications.list_read(session, me, status=status, profile=profile)
    return templates.TemplateResponse(request, "catalogue/manage/list.html", {
        "items": items, "status": status or "", "status_labels": crules.APPLICATION_STATUS_LABELS,
        "badge_class": STATUS_BADGES, "done": done, "can_apply": bool(applications.targets(session, me, profile)),
        "forced_exit": profile.catalogue.forced_exit, "when": _when, "error": error, "values": values or {},
        "filings": filing.pending_filings(session, me, profile=profile) if me.can(Permission.CATALOGUE_MANAGE) else [],
    }, status_code=http_status)


@router.post("/catalogue/versions/{version_id}/file")
def version_file(request: Request, me: CatalogueManager, version_id: IdPath, session: SessionDep, profile: ProfileDep,
                 values: Values):
    """The city agency records the filing of a county version (JM§9 报市网格化机构备案)."""
    try:
        filing.file_version(session, me, version_id, values.get("note", "")[:2000], profile=profile, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _list_page(request, session, me, profile, error=exc.message,
                          values={**values, "version_id": str(version_id)}, http_status=exc.status)
    return RedirectResponse("/catalogue/applications?done=filed#pending-filings", status_code=303)


@router.get("/catalogue/applications/new")
def application_form(request: Request, me: CatalogueApplicant, session: SessionDep, profile: ProfileDep,
                     list_id: str = "", kind: str = ""):
    return _new_page(request, session, me, profile, values={"list_id": list_id, "kind": kind or "admission"})


@router.post("/catalogue/applications/new")
def application_submit(request: Request, me: CatalogueApplicant, session: SessionDep, profile: ProfileDep,
                       values: Values):
    try:
        data = _application_from(values)
        app = applications.submit(session, me, data, profile=profile, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _new_page(request, session, me, profile, values=values, error=exc.message, details=exc.details,
                         status=exc.status)
    return RedirectResponse(f"/catalogue/applications/{app.id}?done=submitted", status_code=303)


@router.get("/catalogue/applications/{application_id}")
def application_page(request: Request, me: CatalogueApplicant, application_id: IdPath, session: SessionDep,
                     profile: ProfileDep, done: str | None = None):
    return _detail(request, session, me, profile, application_id, done=DONE.get(done or ""))


@router.post("/catalogue/applications/{application_id}/review")
def application_review(request: Request, me: CatalogueManager, application_id: IdPath, session: SessionDep,
                       profile: ProfileDep, values: Values):

    def step():
        data = ReviewIn(note=values.get("note", ""), expert_opinions=_opinions(values.get("expert_opinions", "")))
        applications.review(session, me, application_id, data, profile=profile, now=utc_now())

    return _act(request, session, me, profile, application_id, step, "review", values)


@router.post("/catalogue/applications/{application_id}/approve")
def application_approve(request: Request, me: CatalogueManager, application_id: IdPath, session: SessionDep,
                        profile: ProfileDep, values: Values):

    def step():
        data = DecisionIn(note=values.get("note", ""), document=values.get("document", ""))
        applications.approve(session, me, application_id, data, profile=profile, now=utc_now())

    return _act(request, session, me, profile, application_id, step, "approve", values)


@router.post("/catalogue/applications/{application_id}/refuse")
def application_refuse(request: Request, me: CatalogueManager, application_id: IdPath, session: SessionDep,
                       profile: ProfileDep, values: Values):

    def step():
        data = DecisionIn(note=values.get("note", ""), document=values.get("document", ""))
        applications.refuse(session, me, application_id, data, profile=profile, now=utc_now())

    return _act(request, session, me, profile, application_id, step, "refuse", values)


def _act(request, session, me, profile, application_id: int, step, done: str, values: dict[str, str]):
    try:
        step()
    except ValidationError as exc:
        session.rollback()
        err = _invalid_from(exc)
        return _detail(request, session, me, profile, application_id, error=err.message, status=err.status,
                       values=values)
    except DomainError as exc:
        session.rollback()
        return _detail(request, session, me, profile, application_id, error=exc.message, status=exc.status,
                       values=values)
    return RedirectResponse(f"/catalogue/applications/{application_id}?done={done}", status_code=303)


def _opinions(text: str) -> list[dict[str, str]]:
    """Expert opinions typed one per line as ``专家：意见`` (a line without a colon is an opinion)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[:：]", line, maxsplit=1)
        expert, opinion = (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else ("", line)
        out.append({"expert": expert, "opinion": opinion})
    return out


def _application_from(values: dict[str, str]) -> ApplicationCreate:
    kind = values.get("kind", "").strip()
    list_id = values.get("list_id", "").strip()
    if not list_id.isdigit():
        raise Invalid("请选择清单", details=[{"field": "list_id", "reason": "请选择清单"}])
    matter_id = values.get("matter_id", "").strip()
    end = values.get("end_date", "").strip()
    try:
        end_date = datetime.strptime(end, "%Y-%m-%d").date() if end else None
    except ValueError:
        raise Invalid("截止日期格式应为 年-月-日", details=[{"field": "end_date", "reason": "日期格式不对"}]) from None
    matter: MatterIn | None = None
    try:
        if kind in (crules.ADMISSION, crules.TEMPORARY):
            matter = MatterIn(**_matter_fields(values, keep_empty=True))
        elif kind == crules.CHANGE:
            matter = MatterIn(**_matter_fields(values, keep_empty=False))
        return ApplicationCreate(kind=kind, list_id=int(list_id), reason=values.get("reason", ""), end_date=end_date,
                                 matter_id=int(matter_id) if matter_id.isdigit() else None, matter=matter)
    except ValidationError as exc:
        raise _invalid_from(exc) from exc


def _matter_fields(values: dict[str, str], *, keep_empty: bool) -> dict[str, Any]:
    """The matter fields of the form. For a change, a field left empty is left unchanged."""
    out: dict[str, Any] = {}
    for name in ("code", "name", "class_code", "description", "department_kind", "legal_basis", "power_type",
                 "evidence"):
        value = values.get(name, "").strip()
        if value or (keep_empty and name != "power_type"):
            out[name] = value
    on_site = values.get("on_site", "")
    if on_site in ("yes", "no"):
        out["on_site"] = on_site == "yes"
    elif keep_empty:
        out["on_site"] = False
    days = values.get("handling_working_days", "").strip()
    if days:
        if not days.isdigit():
            raise Invalid("部门办理时限应为正整数（工作日）",
                          details=[{"field": "handling_working_days", "reason": "应为正整数"}])
        out["limits"] = {"handling_working_days": int(days)}
    resources = {k: values.get(f"resources_{k}", "").strip() for k in crules.RESOURCE_KINDS}
    if any(resources.values()):
        out["resources"] = resources
    if keep_empty:
        out.setdefault("code", "")
    return out


def _new_page(request, session, me: Principal, profile, *, values: dict[str, str], error: str | None = None,
              details: Any = None, status: int = 200):
    targets = applications.targets(session, me, profile)
    matters = applications.form_matters(session, me, targets)
    kinds = sorted({k for t in targets for k in t["kinds"]}, key=crules.APPLICATION_KINDS.index)
    context = {
        "values": values, "error": error, "details": details if isinstance(details, list) else None,
        "targets": targets, "matters": matters, "kinds": [(k, crules.APPLICATION_KIND_LABELS[k]) for k in kinds],
        "power_types": list(crules.POWER_TYPE_LABELS.items()),
        "resource_kinds": list(crules.RESOURCE_LABELS.items()),
        "department_kinds": [(d.code, d.name) for d in profile.departments],
        "temporary": profile.catalogue.temporary_admission,
        "requires_end_date": profile.catalogue.temporary_requires_end_date,
        "forbidden": [crules.POWER_TYPE_LABELS[p] for p in sorted(crules.forbidden_power_types(profile.catalogue))],
        "paths": {k: crules.approval_path(profile.catalogue, k) for k, _ in crules.APPLICATION_KIND_LABELS.items()},
    }
    return templates.TemplateResponse(request, "catalogue/manage/new.html", context, status_code=status)


def _detail(request, session, me: Principal, profile, application_id: int, *, error: str | None = None,
            status: int = 200, done: str | None = None, values: dict[str, str] | None = None):
    seen = applications.detail(session, me, application_id, profile=profile)
    app = seen.application
    manager = me.can(Permission.CATALOGUE_MANAGE) and seen.is_agency
    return templates.TemplateResponse(request, "catalogue/manage/detail.html", {
        "item": seen.item, "list": seen.list, "names": seen.names, "department": seen.department,
        "current": seen.current, "path": seen.path,
        "can_review": manager and crules.step_problem(crules.REVIEW, app.status) is None,
        "can_decide": manager and crules.step_problem(crules.APPROVE, app.status) is None,
        "can_refuse": manager and crules.step_problem(crules.REFUSE, app.status) is None,
        "error": error, "done": done, "values": values or {}, "badge_class": STATUS_BADGES,
        "when": {"submitted": _when(app.submitted_at), "reviewed": _when(app.reviewed_at),
                 "decided": _when(app.decided_at)},
        "field_labels": crules.FIELD_LABELS, "power_labels": crules.POWER_TYPE_LABELS,
    }, status_code=status)


# ---------------------------------------------------------------- rectification notices


@router.get("/catalogue/rectifications")
def rectification_list(request: Request, me: CatalogueApplicant, session: SessionDep, profile: ProfileDep,
                       done: str | None = None):
    return _notices_page(request, session, me, profile, done=DONE.get(done or ""))


@router.post("/catalogue/rectifications")
def rectification_issue(request: Request, me: CatalogueManager, session: SessionDep, profile: ProfileDep,
                        values: Values):
    try:
        data = _notice_from(values)
        rectification.issue(session, me, data, profile=profile, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _notices_page(request, session, me, profile, values=values, error=exc.message, status=exc.status)
    return RedirectResponse("/catalogue/rectifications?done=issued", status_code=303)


@router.post("/catalogue/rectifications/{notice_id}/answer")
def rectification_answer(request: Request, me: CatalogueApplicant, notice_id: IdPath, session: SessionDep,
                         profile: ProfileDep, values: Values):
    try:
        rectification.answer(session, me, notice_id, RectificationAnswer(answer=values.get("answer", "")[:4000]),
                             now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _notices_page(request, session, me, profile, values={**values, "notice_id": str(notice_id)},
                             error=exc.message, status=exc.status)
    return RedirectResponse("/catalogue/rectifications?done=answered", status_code=303)


def _notice_from(values: dict[str, str]) -> RectificationCreate:
    matter_id = values.get("matter_id", "").strip()
    if not matter_id.isdigit():
        raise Invalid("请选择事项", details=[{"field": "matter_id", "reason": "请选择事项"}])
    raw = values.get("deadline", "").strip()
    try:
        deadline = datetime.strptime(raw, "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise Invalid("请填写整改期限（年-月-日 时:分）",
                      details=[{"field": "deadline", "reason": "时间格式不对"}]) from None
    try:
        return RectificationCreate(matter_id=int(matter_id), content=values.get("content", ""), deadline=deadline,
                                   department_code=values.get("department_code", "").strip() or None)
    except ValidationError as exc:
        raise _invalid_from(exc) from exc


def _notices_page(request, session, me: Principal, profile, *, values: dict[str, str] | None = None,
                  error: str | None = None, status: int = 200, done: str | None = None):
    notices = rectification.list_read(session, me)
    can_issue = me.can(Permission.CATALOGUE_MANAGE) and profile.catalogue.forced_exit and not me.department_code
    matters = rectification.issuable_matters(session, me) if can_issue else []
    return templates.TemplateResponse(request, "catalogue/manage/rectifications.html", {
        "notices": notices, "can_issue": can_issue, "matters": matters, "values": values or {}, "error": error,
        "done": done, "forced_exit": profile.catalogue.forced_exit, "my_department": me.department_code,
        "badge_class": STATUS_BADGES, "when": _when, "now": utc_now(),
    }, status_code=status)
