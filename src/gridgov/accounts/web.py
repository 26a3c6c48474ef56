"""Login, logout and the user's own account page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from gridgov.accounts import service
from gridgov.accounts.api import client_ip, log_in
from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.accounts.passwords import DEMO_PASSWORD
from gridgov.authz import Permission, Principal, require
from gridgov.authz.dependencies import SESSION_COOKIE, issue_session_cookie
from gridgov.deps import SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import utc_now
from gridgov.web.templating import templates

router = APIRouter()

Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
Self = Annotated[Principal, Depends(require(Permission.SELF))]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL an attacker could slip in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, *, error: str | None = None, username: str = "", next_: str = "/", status: int = 200):
    demo = request.app.state.settings.demo
    return templates.TemplateResponse(
        request,
        "accounts/login.html",
        {
            "error": error,
            "username": username,
            "next": next_,
            "demo_accounts": DEMO_ACCOUNTS if demo else [],
            "demo_password": DEMO_PASSWORD if demo else None,
        },
        status_code=status,
    )


@router.get("/login")
def login_form(request: Request, _: Public, next: str | None = None):
    return _login_page(request, next_=_safe_next(next))


def landing_page(role: str) -> str:
    """Where a login without ``next`` lands: the first page of the navigation that belongs to the
    role's work (an auditor has no territory pages, so it lands on the audit log rather than a 403);
    pages open to every user, like the public list of grid work, are not anyone's workplace."""
    from gridgov.authz.permissions import role_can
    from gridgov.web.templating import NAV

    return next((href for href, _label, perm in NAV
                 if perm != Permission.SELF and role_can(role, Permission(perm))), "/account")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    _: Public,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    settings = request.app.state.settings
    try:
        user = log_in(request, session, username, password, now=utc_now())
    except service.LoginFailed as exc:
        return _login_page(request, error=exc.message, username=username, next_=_safe_next(next), status=401)
    target = "/account" if user.must_change_password and not settings.demo else _safe_next(next)
    if target == "/":
        target = landing_page(user.role)
    response = RedirectResponse(target, status_code=303)
    issue_session_cookie(response, request, user_id=user.id, version=user.session_version)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: Public):
    if principal is not None:
        service.log_out(session, principal, now=utc_now(), ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, principal: Self):
    return templates.TemplateResponse(request, "accounts/account.html", {"me": principal, "message": None, "error": None})


@router.post("/account/password")
def account_password(
    request: Request,
    session: SessionDep,
    principal: Self,
    old_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password2: Annotated[str, Form()] = "",
):
    context = {"me": principal, "message": None, "error": None}
    try:
        if new_password != new_password2:
            raise DomainError("两次输入的新密码不一致")
        user = service.change_password(
            session, principal, old_password, new_password, now=utc_now(), demo=request.app.state.settings.demo
        )
    except DomainError as exc:
        context["error"] = exc.message
        return templates.TemplateResponse(request, "accounts/account.html", context, status_code=422)
    context["message"] = "密码已修改，其他设备上的登录已失效"
    response = templates.TemplateResponse(request, "accounts/account.html", context)
    issue_session_cookie(response, request, user_id=user.id, version=user.session_version)
    return response
