"""The request side of the door: find the principal, check the permission, check CSRF.

``require(permission)`` is the dependency every route declares. It resolves the principal from a
bearer token (API) or the session cookie (pages); with no valid credentials the API answers 401 and
pages redirect to the login page. A role without the permission gets 403 and the denial is logged.
Cookie-authenticated writes must carry the CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``) matching the CSRF cookie; so must the login form (see :func:`check_csrf`).

With ``GRIDGOV_REQUIRE_2FA=1`` a user of an administrative role (``TWO_FACTOR_ROLES``) who has not
enabled two-factor login is let through only to the enrolment pages (``require(..., enrolment=True)``):
everywhere else pages redirect to ``/account/2fa`` and the API answers 403
(:class:`TwoFactorEnrolmentRequired`).

An API client's key (``Bearer ggk_…``, :mod:`gridgov.interop.clients`) resolves to the client's
service account in the request's own session, and the call is audited; ``admit`` sends it through
``require``.

``admit(permission)`` is the same door for the busiest writing routes (intake, case actions),
which do their work in one trip to the thread pool (:func:`gridgov.deps.in_one_trip`). A bearer
token's signature and expiry are checked at once (401 without touching the database); looking the
user up and checking the role happen at the start of the route's trip, by :meth:`Pass.principal`,
with the same answers as ``require`` (401 for a disabled user or an ended token, 403 logged for a
role without the permission). The one difference: a request that also has a malformed body hears
422 before it hears that. Cookies, and requests without credentials, go through ``require``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.deps import SessionDep
from gridgov.errors import DomainError, Forbidden
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models.accounts import TWO_FACTOR_ROLES

SESSION_COOKIE = "gridgov_session"
CSRF_COOKIE = "gridgov_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CLIENT_KEY_PREFIX = "ggk_"
"""How an API client's key begins (``Authorization: Bearer ggk_…``): it is looked up, not verified
as a signed token (:mod:`gridgov.interop.clients`)."""


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


ENROL_MESSAGE = "管理员账号须先启用两步验证：请登录网页，在“我的账号 → 两步验证”中用手机验证器绑定后再使用"


class TwoFactorEnrolmentRequired(Forbidden):
    """An administrator who must use two-factor login and has not enrolled yet (pages redirect to
    the enrolment page, the API answers 403)."""

    code = "two_factor_enrolment_required"


def must_enrol(settings, role: str, *, enrolled: bool) -> bool:
    """Whether a user of ``role`` must enrol in two-factor login before doing anything else."""
    return bool(settings.require_2fa) and role in TWO_FACTOR_ROLES and not enrolled


def secure_cookies(settings, scheme: str) -> bool:
    """Cookies are ``Secure`` when the deployment says so (``GRIDGOV_SECURE_COOKIES``, behind a TLS
    proxy) or when the request itself came over https."""
    return bool(settings.secure_cookies) or scheme == "https"


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return "api", header[7:].strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return "session", cookie
    return None


def resolve_principal(request: Request, session=None) -> Principal | None:
    """The principal behind the request's credentials, or None (no or invalid credentials).
    Read in the request's own session when given (one transaction per request)."""
    found = _credentials(request)
    if found is None:
        return None
    purpose, token = found
    if purpose == "api" and token.startswith(CLIENT_KEY_PREFIX):
        # An API client's key (issue 17), set by create_app: gridgov.interop.clients.principal_for_key.
        # The call is audited in the request's session (a read's entries are written apart, see deps).
        client_principal_for = request.app.state.client_principal_for
        if session is not None:
            return client_principal_for(session, token, request, audit=True)
        with request.app.state.sessionmaker() as own:
            return client_principal_for(own, token, request, audit=False)
    settings = request.app.state.settings
    claims = tokens.verify(settings.secret_key, token, purpose=purpose, now=utc_now())
    if claims is None:
        return None
    # accounts' principal_for, set by create_app: authz sits below the domains and imports none of them
    # The profile says whether a staff account needs its pre-job training on record to act (B4).
    principal_for, profile = request.app.state.principal_for, request.app.state.profile
    if session is not None:
        return principal_for(session, claims.user_id, claims.version, via_cookie=purpose == "session", profile=profile)
    with request.app.state.sessionmaker() as own:
        return principal_for(own, claims.user_id, claims.version, via_cookie=purpose == "session", profile=profile)


def issue_session_cookie(response, request: Request, *, user_id: int, version: int) -> None:
    settings = request.app.state.settings
    token = tokens.issue(
        settings.secret_key,
        purpose="session",
        user_id=user_id,
        version=version,
        expires_at=utc_now() + timedelta(hours=settings.session_hours),
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings, request.url.scheme),
        path="/",
    )


def issue_csrf_cookie(response, request: Request) -> str:
    """A new CSRF token in a new cookie (at login: a token seen before the login, e.g. planted by
    someone else, does not carry over into the session)."""
    token = secrets.token_urlsafe(32)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=secure_cookies(request.app.state.settings, request.url.scheme), path="/")
    return token


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser: the cookie's value, or a new one (set by the middleware)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def check_csrf(request: Request) -> None:
    """The request carries the CSRF token of its cookie (form field or header); 403 otherwise.
    Also a dependency of its own for public forms that must not be forged (the login form)."""
    expected = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = (await request.form()).get(CSRF_FIELD)
    if not expected or not given or not hmac.compare_digest(str(given), expected):
        raise Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def require(permission: Permission, *, enrolment: bool = False):
    """The dependency a route declares: returns the acting :class:`Principal` (None on a public
    route without credentials). ``enrolment`` marks the two-factor enrolment pages, the only ones
    an administrator who must enrol may reach."""

    async def dependency(request: Request, session: SessionDep) -> Principal | None:
        principal = await run_in_threadpool(resolve_principal, request, session)
        if principal is not None and principal.via_cookie and request.method not in SAFE_METHODS:
            await check_csrf(request)
        if permission == Permission.PUBLIC:
            if principal is None and request.method not in SAFE_METHODS and request.cookies.get(CSRF_COOKIE):
                await check_csrf(request)
            if principal is not None:  # a public page seen by a logged-in user keeps its header and menu
                request.state.principal = principal
            return principal
        return _admitted(request, principal, permission, enrolment=enrolment)

    dependency.permission = permission  # read by the route audit test
    dependency.__name__ = f"require_{permission.value.replace('.', '_')}"
    return dependency


@dataclass(frozen=True)
class Pass:
    """What :func:`admit` let through: a principal already resolved (cookies), or a bearer token's
    checked claims to resolve in the route's own trip to the thread pool."""

    request: Request
    permission: Permission
    claims: tokens.TokenClaims | None = None
    resolved: Principal | None = None

    def principal(self, session) -> Principal:
        """The acting principal (call it first in the route's trip): 401 if the user is disabled or
        the token ended, 403 (logged by the error handler) for a role without the permission."""
        if self.resolved is not None:
            return self.resolved
        principal = self.request.app.state.principal_for(session, self.claims.user_id, self.claims.version,
                                                         via_cookie=False, profile=self.request.app.state.profile)
        return _admitted(self.request, principal, self.permission)


def _admitted(request: Request, principal: Principal | None, permission: Permission, *,
              enrolment: bool = False) -> Principal:
    if principal is None:
        raise NotAuthenticated("请先登录")
    # Known before it is admitted: a refusal (403) is a page of the logged-in site (its header, its menu).
    request.state.principal = principal
    if not enrolment and must_enrol(request.app.state.settings, principal.role, enrolled=principal.two_factor):
        raise TwoFactorEnrolmentRequired(ENROL_MESSAGE)
    if principal.off_post and permission not in (Permission.SELF, Permission.PUBLIC):
        # A staff account off its post (B4) keeps only its own account; logged like any denial.
        raise Denied(principal.off_post, principal=principal, permission=permission)
    if not principal.can(permission):
        # Logged by the error handler once the request's own transaction has rolled back, in a
        # transaction of its own (so the denial is kept, and never waits on the request's lock).
        raise Denied(f"当前角色（{principal.role_label}）无权进行此操作", principal=principal, permission=permission)
    return principal


def admit(permission: Permission):
    """The dependency of the busiest writing routes: a :class:`Pass` whose ``principal(session)``
    the route calls at the start of its trip to the thread pool (see the module's docstring)."""
    if permission == Permission.PUBLIC:
        raise ValueError("admit() is for routes that need a login; public routes use require()")
    through_require = require(permission)

    async def dependency(request: Request, session: SessionDep) -> Pass:
        found = _credentials(request)
        if found is None or found[0] != "api" or found[1].startswith(CLIENT_KEY_PREFIX):
            return Pass(request, permission, resolved=await through_require(request, session))
        claims = tokens.verify(request.app.state.settings.secret_key, found[1], purpose="api", now=utc_now())
        if claims is None:
            raise NotAuthenticated("请先登录")
        return Pass(request, permission, claims=claims)

    dependency.permission = permission  # read by the route audit test
    dependency.__name__ = f"admit_{permission.value.replace('.', '_')}"
    return dependency


class Denied(Forbidden):
    """A role lacking a route's permission: a 403 that is written to the audit log."""

    def __init__(self, message: str, *, principal: Principal, permission: Permission):
        super().__init__(message)
        self.principal = principal
        self.permission = permission
