"""Staff pages: list (masked), detail with its forms, new record, staffing gaps, import.

Each form posts to its own route, which calls the same service as the JSON API. On bad input the
page is rendered again with a Chinese message next to the form and the user's input kept, with a
4xx status; on success the browser is redirected (post/redirect/get).
"""

from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import StaffReader, StaffRevealer, StaffWriter
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.policy.schema import VALUE_LABELS
from gridgov.staff import importing, posts, rules, service
from gridgov.staff.schemas import (
    ExclusionCreate,
    ExclusionLift,
    PostActivate,
    PostCreate,
    PostEnd,
    StaffCreate,
    StaffUpdate,
    TrainingCreate,
)
from gridgov.territory.service import area_options
from gridgov.web import forms
from gridgov.web.templating import is_htmx, templates

router = APIRouter()

PAGE_SIZE = 30
GAP_PAGE_SIZE = 100
VARY = {"Vary": "HX-Request"}
MESSAGES = {
    "saved": "档案已保存",
    "training": "培训已登记",
    "exclusion": "情形已登记",
    "lifted": "已登记解除",
    "photo": "照片已更新",
    "post": "岗位已新建（待上岗）",
    "activated": "岗位已生效",
    "ended": "岗位已结束",
}


def _refusal(exc: Exception) -> str:
    return forms.message(exc, prefix="请检查填写的内容：")


_date = forms.optional_date


def _form_values(form) -> dict:
    return {k: v for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}


# ---------------------------------------------------------------- list


@router.get("/staff")
def staff_list(request: Request, me: StaffReader, session: SessionDep, area: str | None = None, q: str | None = None,
               page: PageQuery = 1, grid: str | None = None):
    area, q, grid = (area or "").strip() or None, (q or "").strip() or None, (grid or "").strip() or None
    result = service.list_staff(session, me, area=area, q=q, page=page, page_size=PAGE_SIZE,
                                cipher=request.app.state.cipher, grid=grid)
    context = {"result": result, "area": area, "q": q or "", "grid": grid,
               "pages": max(1, -(-result.total // PAGE_SIZE))}
    if is_htmx(request):
        return templates.TemplateResponse(request, "staff/_table.html", context, headers=VARY)
    context["area_options"] = area_options(session, me, selected=area)
    return templates.TemplateResponse(request, "staff/list.html", context, headers=VARY)


# ---------------------------------------------------------------- new record


def _new_page(request: Request, values: dict, error: str | None = None, status: int = 200):
    return templates.TemplateResponse(request, "staff/new.html", {"values": values, "error": error},
                                      status_code=status)


@router.get("/staff/new")
def staff_new(request: Request, me: StaffWriter):
    return _new_page(request, {"area_code": me.scope_code[:12], "gender": "男"})


@router.post("/staff/new")
def staff_create(request: Request, me: StaffWriter, session: SessionDep, fields: FormDep):
    values = _form_values(fields)
    try:
        data = StaffCreate(
            name=values.get("name", ""), gender=values.get("gender", ""),
            birth_date=_date(values.get("birth_date", ""), "出生日期"),
            id_number=values.get("id_number", "").strip() or None, phone=values.get("phone", "").strip() or None,
            work_phone=values.get("work_phone", "").strip(), area_code=values.get("area_code", "").strip())
        staff = service.create_staff(session, me, data, cipher=request.app.state.cipher, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _new_page(request, values, _refusal(exc), forms.status_of(exc))
    return RedirectResponse(f"/staff/{staff.id}", status_code=303)


# ---------------------------------------------------------------- gaps


@router.get("/staff/gaps")
def staff_gaps(request: Request, me: StaffReader, session: SessionDep, area: str | None = None,
               page: PageQuery = 1):
    area = (area or "").strip() or None
    report = posts.gaps_page(posts.staffing_gaps(session, me, area, profile=request.app.state.profile), page,
                             GAP_PAGE_SIZE)
    return templates.TemplateResponse(request, "staff/gaps.html", {
        "report": report, "rows": report.gaps, "pages": max(1, -(-report.total // GAP_PAGE_SIZE)),
        "base_params": [("area", report.area_code)],
        "labels": rules.GAP_LABELS, "area_options": area_options(session, me, selected=report.area_code),
        "staff_policy": request.app.state.profile.staff,
    })


# ---------------------------------------------------------------- import


@router.get("/staff/import")
def staff_import_form(request: Request, me: StaffWriter):
    return templates.TemplateResponse(request, "staff/import.html", {"columns": importing.COLUMNS, "result": None,
                                                                      "error": None, "problems": []})


@router.post("/staff/import")
def staff_import(request: Request, me: StaffWriter, session: SessionDep, file: UploadFile = File(None)):
    context = {"columns": importing.COLUMNS, "result": None, "error": None, "problems": []}
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的 Excel 文件")
        content = file.file.read()
        context["result"] = importing.import_staff(session, me, content, filename=file.filename,
                                                   profile=request.app.state.profile,
                                                   cipher=request.app.state.cipher, now=utc_now())
    except DomainError as exc:
        session.rollback()
        context["error"] = exc.message
        context["problems"] = exc.details or []
        return templates.TemplateResponse(request, "staff/import.html", context, status_code=exc.status)
    return templates.TemplateResponse(request, "staff/import.html", context)


# ---------------------------------------------------------------- detail and its forms


def _detail(request: Request, session: Session, me: Principal, staff_id: int, *, form: str | None = None,
            error: str | None = None, values: dict | None = None, status: int = 200, message: str | None = None):
    staff = service.get_staff_read(session, me, staff_id)
    profile = request.app.state.profile
    return templates.TemplateResponse(request, "staff/detail.html", {
        "staff": staff,
        "roles": [(r, rules.role_label(r)) for r in profile.staff.roles],
        "leader_bases": [(b, rules.leader_basis_label(b)) for b in profile.staff.leader_eligible_from],
        "exclusion_kinds": [(k, VALUE_LABELS.get(k, k)) for k in profile.staff.fulltime_eligibility.exclusions],
        "staff_policy": profile.staff,
        "can_write": me.can(Permission.STAFF_WRITE),
        "area_options": area_options(session, me, selected=None) if me.can(Permission.STAFF_WRITE) else [],
        "can_reveal": me.can(Permission.STAFF_REVEAL),
        "form": form, "error": error, "values": values or {}, "message": message,
    }, status_code=status)


@router.get("/staff/{staff_id:int}")
def staff_detail(request: Request, staff_id: IdPath, me: StaffReader, session: SessionDep, message: str | None = None):
    return _detail(request, session, me, staff_id, message=MESSAGES.get(message or ""))


def _run(request: Request, session: Session, me: Principal, staff_id: int, form: str, action, done: str, fields):
    """Runs one form's action; on a refusal re-renders the detail page with the message and input."""
    values = _form_values(fields)
    try:
        action(values)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _detail(request, session, me, staff_id, form=form, error=_refusal(exc), values=values,
                       status=forms.status_of(exc))
    return RedirectResponse(f"/staff/{staff_id}?message={done}", status_code=303)


@router.post("/staff/{staff_id:int}/edit")
def staff_edit(request: Request, staff_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    def act(v):
        data = StaffUpdate(name=v.get("name"), gender=v.get("gender"), work_phone=v.get("work_phone", ""),
                           area_code=v.get("area_code") or None)
        if v.get("phone", "").strip():
            data.phone = v["phone"].strip()
        if v.get("id_number", "").strip():
            data.id_number = v["id_number"].strip()
        service.update_staff(session, me, staff_id, data, cipher=request.app.state.cipher, now=utc_now())

    return _run(request, session, me, staff_id, "edit", act, "saved", fields)


@router.post("/staff/{staff_id:int}/reveal")
def staff_reveal(request: Request, staff_id: IdPath, me: StaffRevealer, session: SessionDep):
    revealed = service.reveal(session, me, staff_id, cipher=request.app.state.cipher, now=utc_now(),
                              ip=request.client.host if request.client else "")
    return templates.TemplateResponse(request, "staff/_revealed.html", {"revealed": revealed})


@router.post("/staff/{staff_id:int}/trainings")
def staff_training(request: Request, staff_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    def act(v):
        score = v.get("score", "").strip()
        held_on = _date(v.get("held_on", ""), "培训日期")
        if held_on is None:
            raise Invalid("请填写培训日期")
        data = TrainingCreate(kind=v.get("kind", "pre_job"), held_on=held_on,
                              passed=v.get("passed") == "1", score=int(score) if score.isdigit() else None,
                              note=v.get("note", ""))
        service.record_training(session, me, staff_id, data, now=utc_now())

    return _run(request, session, me, staff_id, "training", act, "training", fields)


@router.post("/staff/{staff_id:int}/exclusions")
def staff_exclusion(request: Request, staff_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    def act(v):
        data = ExclusionCreate(kind=v.get("kind", ""), evidence=v.get("evidence", ""),
                               lifted_on=_date(v.get("lifted_on", ""), "解除日期"))
        service.record_exclusion(session, me, staff_id, data, profile=request.app.state.profile, now=utc_now())

    return _run(request, session, me, staff_id, "exclusion", act, "exclusion", fields)


@router.post("/staff/{staff_id:int}/exclusions/{exclusion_id:int}/lift")
def staff_exclusion_lift(request: Request, staff_id: IdPath, exclusion_id: IdPath, me: StaffWriter, session: SessionDep,
                         fields: FormDep):
    def act(v):
        lifted = _date(v.get("lifted_on", ""), "解除日期")
        if lifted is None:
            raise Invalid("请填写解除日期")
        service.lift_exclusion(session, me, staff_id, exclusion_id, ExclusionLift(lifted_on=lifted), now=utc_now())

    return _run(request, session, me, staff_id, "exclusion", act, "lifted", fields)


@router.post("/staff/{staff_id:int}/photo")
def staff_photo(request: Request, staff_id: IdPath, me: StaffWriter, session: SessionDep,
                photo: UploadFile = File(None)):
    try:
        content = photo.file.read(service.MAX_PHOTO_BYTES + 1) if photo is not None else b""
        service.set_photo(session, me, staff_id, content, media_root=request.app.state.settings.media_path,
                          now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _detail(request, session, me, staff_id, form="photo", error=exc.message, status=exc.status)
    return RedirectResponse(f"/staff/{staff_id}?message=photo", status_code=303)


@router.post("/staff/{staff_id:int}/posts")
def staff_post_create(request: Request, staff_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    def act(v):
        start = _date(v.get("start_date", ""), "上岗日期")
        if start is None:
            raise Invalid("请填写上岗日期")
        data = PostCreate(staff_id=staff_id, role=v.get("role", ""), grid_code=v.get("grid_code", "").strip() or None,
                          micro_grid_code=v.get("micro_grid_code", "").strip() or None,
                          area_code=v.get("area_code", "").strip() or None,
                          department_code=v.get("department_code", "").strip() or None, start_date=start,
                          leader_basis=v.get("leader_basis", "").strip() or None)
        posts.create_post(session, me, data, profile=request.app.state.profile, now=utc_now())

    return _run(request, session, me, staff_id, "post", act, "post", fields)


@router.post("/staff/posts/{post_id:int}/activate")
def staff_post_activate(request: Request, post_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    post = posts.access_post(session, me, post_id)

    def act(v):
        posts.activate_post(session, me, post_id, PostActivate(start_date=_date(v.get("start_date", ""), "上岗日期")),
                            profile=request.app.state.profile, now=utc_now())

    return _run(request, session, me, post.staff_id, f"post-{post_id}", act, "activated", fields)


@router.post("/staff/posts/{post_id:int}/end")
def staff_post_end(request: Request, post_id: IdPath, me: StaffWriter, session: SessionDep, fields: FormDep):
    post = posts.access_post(session, me, post_id)

    def act(v):
        posts.end_post(session, me, post_id, PostEnd(end_date=_date(v.get("end_date", ""), "离岗日期")), now=utc_now())

    return _run(request, session, me, post.staff_id, f"post-{post_id}", act, "ended", fields)
