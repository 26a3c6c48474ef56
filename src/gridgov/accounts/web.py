"""Login, logout and the user's own account page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from gridgov.accounts import names, service, twofactor
from gridgov.accounts.api import (
    check_password,
    check_second_factor,
    kept_on_failure,
)
from gridgov.accounts.demo import demo_accounts
from gridgov.accounts.login import LoginThrottled, succeed
from gridgov.accounts.passwords import DEMO_PASSWORD
from gridgov.authz import Permission, Principal, require
from gridgov.authz.dependencies import (
    SESSION_COOKIE,
    check_csrf,
    issue_csrf_cookie,
    issue_session_cookie,
    must_enrol,
)
from gridgov.authz.principals import Enrolling, SignedIn
from gridgov.deps import SessionDep, client_ip
from gridgov.errors import DomainError
from gridgov.kit import tokens
from gridgov.kit.clock import local, utc_now
from gridgov.models import User
from gridgov.web.navigation import landing_page
from gridgov.web.templating import templates

router = APIRouter()

Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL an attacker could slip in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, *, error: str | None = None, username: str = "", next_: str = "/", status: int = 200,
                headers: dict | None = None):
    demo = request.app.state.settings.demo
    return templates.TemplateResponse(
        request,
        "accounts/login.html",
        {
            "error": error,
            "username": username,
            "next": next_,
            "demo_accounts": demo_accounts(request.app.state.profile) if demo else [],
            "demo_password": DEMO_PASSWORD if demo else None,
        },
        status_code=status,
        headers=headers,
    )


@router.get("/login")
def login_form(request: Request, _: Public, next: str | None = None):
    return _login_page(request, next_=_safe_next(next))


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    session: SessionDep,
    _: Public,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """The password step; a user with two-factor login goes on to the code step (``/login/2fa``).
    The form must carry its CSRF token even without a session (no one may log a browser into an
    account of theirs)."""
    now = utc_now()
    try:
        user = check_password(request, session, username, password, now=now)
    except DomainError as exc:
        return _login_page(request, error=exc.message, username=username, next_=_safe_next(next), status=exc.status,
                           headers=exc.headers)
    if twofactor.enabled(user):
        return _code_page(request, _pending(request, user, now), next_=_safe_next(next))
    return _logged_in(request, session, user, next, now=now)


PENDING_MINUTES = 5
"""How long the code step may follow the password step."""


def _pending(request: Request, user: User, now) -> str:
    """A short-lived signed note that this user gave the right password (the code step's ticket)."""
    return tokens.issue(request.app.state.settings.secret_key, purpose="login2fa", user_id=user.id,
                        version=user.session_version, expires_at=now + timedelta(minutes=PENDING_MINUTES))


def _code_page(request: Request, pending: str, *, next_: str, error: str | None = None, status: int = 200):
    return templates.TemplateResponse(request, "accounts/login_otp.html",
                                      {"pending": pending, "next": next_, "error": error}, status_code=status)


@router.post("/login/2fa", dependencies=[Depends(check_csrf)])
def login_code(
    request: Request,
    session: SessionDep,
    _: Public,
    pending: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """The code step: a TOTP code or a recovery code, after the password step."""
    now = utc_now()
    claims = tokens.verify(request.app.state.settings.secret_key, pending, purpose="login2fa", now=now)
    user = twofactor.pending_user(session, claims.user_id) if claims is not None else None
    if user is None or user.session_version != claims.version or not user.is_active or not twofactor.enabled(user):
        return _login_page(request, error="登录已过期，请重新输入用户名和密码", next_=_safe_next(next), status=401)
    try:
        check_second_factor(request, session, user, code, now=now)
    except LoginThrottled as exc:
        return _login_page(request, error=exc.message, next_=_safe_next(next), status=exc.status, headers=exc.headers)
    except DomainError as exc:
        return _code_page(request, pending, next_=_safe_next(next), error=exc.message, status=exc.status)
    return _logged_in(request, session, user, next, now=now)


def _logged_in(request: Request, session, user: User, next_: str, *, now):
    """Records the login, sets the session cookie and a new CSRF token, and sends the user on: to
    the two-factor enrolment if it must enrol, to its account page if it must change its password."""
    settings = request.app.state.settings
    succeed(session, user, now=now, ip=client_ip(request))
    if must_enrol(settings, user.role, enrolled=twofactor.enabled(user)):
        target = "/account/2fa"
    elif user.must_change_password and not settings.demo:
        target = "/account"
    else:
        target = _safe_next(next_)
        if target == "/":
            target = landing_page(user.role)
    response = RedirectResponse(target, status_code=303)
    issue_session_cookie(response, request, user_id=user.id, version=user.session_version)
    issue_csrf_cookie(response, request)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: Public):
    if principal is not None:
        service.log_out(session, principal, now=utc_now(), ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, session: SessionDep, principal: SignedIn):
    return templates.TemplateResponse(request, "accounts/account.html",
                                      {"me": principal, "message": None, "error": None,
                                       "names": names.own_names(session, principal)})


@router.post("/account/password")
def account_password(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    old_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password2: Annotated[str, Form()] = "",
):
    context = {"me": principal, "message": None, "error": None, "names": names.own_names(session, principal)}
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


# ---------------------------------------------------------------- two-factor enrolment

"""The enrolment pages: open to a user who must enrol before anything else."""


def _two_factor_page(request: Request, session, principal: Principal, *, codes: list[str] | None = None,
                     message: str | None = None, error: str | None = None, status: int = 200):
    settings = request.app.state.settings
    user = twofactor.own_user(session, principal)
    secret = twofactor.pending_secret(user, request.app.state.cipher)
    qr_svg = None
    if secret is not None:
        qr_svg = twofactor.qr_svg(twofactor.provisioning_uri(secret, user.username))  # segno's markup: paths only
    context = {
        "me": principal,
        "enabled": twofactor.enabled(user),
        "enabled_at": local(user.totp_enabled_at) if user.totp_enabled_at else None,
        "remaining": len(user.recovery_codes or []),
        "secret": secret,
        "secret_spaced": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) if secret else "",
        "qr_svg": qr_svg,
        "codes": codes,
        "required": must_enrol(settings, user.role, enrolled=twofactor.enabled(user)),
        "message": message,
        "error": error,
    }
    response = templates.TemplateResponse(request, "accounts/two_factor.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # the secret and the recovery codes
    return response


@router.get("/account/2fa")
def two_factor(request: Request, session: SessionDep, principal: Enrolling):
    return _two_factor_page(request, session, principal)


@router.post("/account/2fa/start")
def two_factor_start(request: Request, session: SessionDep, principal: Enrolling):
    try:
        twofactor.start_enrolment(session, principal, cipher=request.app.state.cipher, now=utc_now())
    except DomainError as exc:
        return _two_factor_page(request, session, principal, error=exc.message, status=exc.status)
    return RedirectResponse("/account/2fa", status_code=303)


@router.post("/account/2fa/confirm")
def two_factor_confirm(request: Request, session: SessionDep, principal: Enrolling,
                       code: Annotated[str, Form()] = ""):
    try:
        with kept_on_failure(session):
            codes = twofactor.confirm_enrolment(session, principal, code, cipher=request.app.state.cipher,
                                                now=utc_now(), ip=client_ip(request))
    except DomainError as exc:
        return _two_factor_page(request, session, principal, error=exc.message, status=exc.status)
    return _two_factor_page(request, session, principal, codes=codes, message="两步验证已启用")


@router.post("/account/2fa/disable")
def two_factor_disable(request: Request, session: SessionDep, principal: Enrolling,
                       password: Annotated[str, Form()] = "", code: Annotated[str, Form()] = ""):
    try:
        with kept_on_failure(session):
            twofactor.disable(session, principal, password, code, cipher=request.app.state.cipher, now=utc_now(),
                              ip=client_ip(request))
    except DomainError as exc:
        return _two_factor_page(request, session, principal, error=exc.message, status=exc.status)
    return _two_factor_page(request, session, principal, message="两步验证已停用")
