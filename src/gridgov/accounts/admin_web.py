"""User administration pages: administrators create, disable, unlock and re-role the users of their
jurisdiction, and reset their passwords.

Each route resolves the administrator (``users.admin``), calls one function of
:mod:`gridgov.accounts.service` (the same ones the JSON API calls) and renders. A form that breaks a
rule is shown again with the Chinese reason, the input kept and the error's own 4xx status; nothing
is written. A success redirects (303) to the user's page with a fixed message key, so reloading the
page never repeats the change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.accounts import names, service
from gridgov.accounts.passwords import MIN_LENGTH
from gridgov.accounts.schemas import UserCreate, UserFilter, UserUpdate
from gridgov.authz import Principal
from gridgov.authz.principals import UserAdmin
from gridgov.deps import SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.models import User
from gridgov.models.accounts import DEPARTMENT_ROLES, ROLE_LABELS, Role
from gridgov.web.templating import is_htmx, templates

router = APIRouter()

PAGE_SIZE = 30
DONE_MESSAGES = {
    "created": "用户已创建",
    "updated": "修改已保存",
    "disabled": "账号已停用，该用户已有的登录全部失效",
    "enabled": "账号已启用",
    "unlocked": "已解除锁定",
    "password": "密码已重设：请把新密码当面或电话告知本人，其下次登录须修改密码",
}
FIELD_LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "password": "初始密码",
    "role": "角色",
    "scope_code": "辖区",
    "department_code": "所属部门",
}
PASSWORD_RULE = f"至少 {MIN_LENGTH} 位，须同时包含字母和数字，不能与用户名相同"


def _invalid_from(exc: ValidationError) -> Invalid:
    """A Chinese message for a form that pydantic refused (too long, too short, missing)."""
    parts = []
    for err in exc.errors():
        field = FIELD_LABELS.get(str(err["loc"][0]) if err.get("loc") else "", "输入")
        kind = err.get("type", "")
        reason = {"string_too_short": "太短或未填写", "string_too_long": "太长",
                  "missing": "未填写"}.get(kind, "格式不对")
        parts.append(f"{field}{reason}")
    return Invalid("；".join(parts))


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _form_context(request: Request, session: Session, me: Principal) -> dict:
    return {
        "roles": service.assignable_roles(me, request.app.state.profile),
        "departments": service.assignable_departments(session, me),
        "areas": service.area_choices(session, me),
        "department_roles": sorted(r.value for r in DEPARTMENT_ROLES) + [Role.PROFESSIONAL.value],
        "password_rule": PASSWORD_RULE,
    }


# ---------------------------------------------------------------- list


@router.get("/users")
def user_list(
    request: Request,
    session: SessionDep,
    me: UserAdmin,
    q: str | None = None,
    role: str | None = None,
    area: str | None = None,
    active: str | None = None,
    page: PageQuery = 1,
):
    flt = UserFilter(q=_blank(q), role=_blank(role), area=_blank(area),
                     active={"1": True, "0": False}.get((active or "").strip()))
    rows, total = service.search_users(session, me, flt, page=page, page_size=PAGE_SIZE)
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "flt": flt,
        "active": (active or "").strip(),
        "names": names.place_names(session, {u.scope_code for u in rows}),
        "role_labels": {r.value: label for r, label in ROLE_LABELS.items()},
        "now": utc_now(),
    }
    if is_htmx(request):
        return templates.TemplateResponse(request, "users/_table.html", context, headers={"Vary": "HX-Request"})
    context.update(roles=[(r.value, label) for r, label in ROLE_LABELS.items()],
                   areas=service.area_choices(session, me))
    return templates.TemplateResponse(request, "users/list.html", context, headers={"Vary": "HX-Request"})


# ---------------------------------------------------------------- create


@router.get("/users/new")
def user_new(request: Request, session: SessionDep, me: UserAdmin):
    form = {"username": "", "display_name": "", "role": "", "scope_code": me.scope_code, "department_code": "",
            "must_change_password": True}
    return templates.TemplateResponse(request, "users/new.html",
                                      {**_form_context(request, session, me), "form": form, "error": None})


@router.post("/users/new")
def user_create(
    request: Request,
    session: SessionDep,
    me: UserAdmin,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    scope_code: Annotated[str, Form()] = "",
    department_code: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
    must_change_password: Annotated[str, Form()] = "",
):
    form = {"username": username.strip(), "display_name": display_name.strip(), "role": role,
            "scope_code": scope_code.strip(), "department_code": department_code,
            "must_change_password": bool(must_change_password)}
    try:
        if not role:
            raise Invalid("请选择角色")
        if password != password2:
            raise Invalid("两次输入的初始密码不一致")
        try:
            data = UserCreate(username=form["username"], display_name=form["display_name"], password=password,
                              role=role, scope_code=form["scope_code"], department_code=_blank(department_code),
                              must_change_password=form["must_change_password"])
        except ValidationError as exc:
            raise _invalid_from(exc) from None
        with session.begin_nested():
            user = service.create_user(session, me, data, now=utc_now(), demo=request.app.state.settings.demo,
                                       profile=request.app.state.profile)
    except DomainError as exc:
        context = {**_form_context(request, session, me), "form": form, "error": exc.message}
        return templates.TemplateResponse(request, "users/new.html", context, status_code=exc.status)
    return RedirectResponse(f"/users/{user.id}?done=created", status_code=303)


# ---------------------------------------------------------------- detail and changes


def _detail(request: Request, session: Session, me: Principal, user: User, *, form: dict | None = None,
            error: str | None = None, error_in: str = "edit", status: int = 200, done: str | None = None):
    now = utc_now()
    form = form or {"display_name": user.display_name, "role": user.role, "scope_code": user.scope_code,
                    "department_code": user.department_code or ""}
    context = {
        **_form_context(request, session, me),
        "user": user,
        "form": form,
        "error": error,
        "error_in": error_in,
        "message": DONE_MESSAGES.get(done or ""),
        "role_label": {r.value: label for r, label in ROLE_LABELS.items()}.get(user.role, user.role),
        "names": names.place_names(session, {user.scope_code}),
        "locked": user.locked_until is not None and user.locked_until > now,
        "locked_until": local(user.locked_until) if user.locked_until else None,
        "last_login": local(user.last_login_at) if user.last_login_at else None,
        "is_self": user.id == me.user_id,
        "manage_problem": service.manage_problem(me, user),
    }
    return templates.TemplateResponse(request, "users/detail.html", context, status_code=status)


def _redirect(user_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/users/{user_id}?done={done}", status_code=303)


@router.get("/users/{user_id}")
def user_page(request: Request, session: SessionDep, me: UserAdmin, user_id: IdPath, done: str | None = None):
    return _detail(request, session, me, service.access_user(session, me, user_id), done=done)


@router.post("/users/{user_id}")
def user_edit(
    request: Request,
    session: SessionDep,
    me: UserAdmin,
    user_id: IdPath,
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    scope_code: Annotated[str, Form()] = "",
    department_code: Annotated[str, Form()] = "",
):
    user = service.access_user(session, me, user_id)
    form = {"display_name": display_name.strip(), "role": role, "scope_code": scope_code.strip(),
            "department_code": department_code}
    try:
        try:
            data = UserUpdate(display_name=form["display_name"], role=role or None, scope_code=form["scope_code"],
                              department_code=_blank(department_code))
        except ValidationError as exc:
            raise _invalid_from(exc) from None
        with session.begin_nested():
            service.update_user(session, me, user_id, data, now=utc_now(), profile=request.app.state.profile)
    except DomainError as exc:
        session.refresh(user)
        return _detail(request, session, me, user, form=form, error=exc.message, status=exc.status)
    return _redirect(user_id, "updated")


@router.post("/users/{user_id}/active")
def user_set_active(request: Request, session: SessionDep, me: UserAdmin, user_id: IdPath,
                    active: Annotated[str, Form()] = ""):
    user = service.access_user(session, me, user_id)
    if active not in ("0", "1"):
        return _detail(request, session, me, user, error="请求有误：缺少启用或停用的选择", error_in="active",
                       status=422)
    try:
        with session.begin_nested():
            service.update_user(session, me, user_id, UserUpdate(is_active=active == "1"), now=utc_now(),
                                profile=request.app.state.profile)
    except DomainError as exc:
        session.refresh(user)
        return _detail(request, session, me, user, error=exc.message, error_in="active", status=exc.status)
    return _redirect(user_id, "enabled" if active == "1" else "disabled")


@router.post("/users/{user_id}/unlock")
def user_unlock(request: Request, session: SessionDep, me: UserAdmin, user_id: IdPath):
    user = service.access_user(session, me, user_id)
    try:
        with session.begin_nested():
            service.unlock_user(session, me, user_id, now=utc_now())
    except DomainError as exc:
        session.refresh(user)
        return _detail(request, session, me, user, error=exc.message, error_in="active", status=exc.status)
    return _redirect(user_id, "unlocked")


@router.post("/users/{user_id}/password")
def user_reset_password(
    request: Request,
    session: SessionDep,
    me: UserAdmin,
    user_id: IdPath,
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
):
    user = service.access_user(session, me, user_id)
    try:
        if password != password2:
            raise Invalid("两次输入的新密码不一致")
        with session.begin_nested():
            service.reset_password(session, me, user_id, password, now=utc_now(), demo=request.app.state.settings.demo)
    except DomainError as exc:
        session.refresh(user)
        return _detail(request, session, me, user, error=exc.message, error_in="password", status=exc.status)
    return _redirect(user_id, "password")
