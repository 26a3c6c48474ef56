"""Accounts JSON API: tokens, the current user, password change, user administration."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from gridgov.accounts import login, service, twofactor
from gridgov.accounts.schemas import (
    Me,
    PasswordChange,
    TokenRequest,
    TokenResponse,
    UserCreate,
    UserFilter,
    UserRead,
    UserUpdate,
)
from gridgov.authz import Permission, Principal, require
from gridgov.authz.dependencies import (
    ENROL_MESSAGE,
    TwoFactorEnrolmentRequired,
    must_enrol,
)
from gridgov.authz.principals import SignedIn, UserAdmin
from gridgov.deps import SessionDep, client_ip
from gridgov.errors import DomainError
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery

router = APIRouter(tags=["accounts"])

Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


@contextmanager
def kept_on_failure(session):
    """A refused login is committed before it is raised: its audit entry is what the login limits
    count (see :mod:`gridgov.accounts.login`), so it must survive the failed request."""
    try:
        yield
    except DomainError:
        session.commit()
        raise


def check_password(request: Request, session, username: str, password: str, *, now):
    """The user whose password this is, under the deployment's login limits (second factor still to check)."""
    settings = request.app.state.settings
    with kept_on_failure(session):
        return login.authenticate(session, username, password, now=now, limits=login.Limits.of(settings),
                                  demo=settings.demo, ip=client_ip(request))


def check_second_factor(request: Request, session, user, code: str, *, now) -> str:
    settings = request.app.state.settings
    with kept_on_failure(session):
        return login.second_factor(session, user, code, cipher=request.app.state.cipher, now=now,
                                   limits=login.Limits.of(settings), ip=client_ip(request))


@router.post("/auth/token", response_model=TokenResponse, summary="用户名密码（及动态验证码）换取访问令牌")
def issue_token(data: TokenRequest, request: Request, session: SessionDep, _: Public) -> TokenResponse:
    """A user with two-factor login gives ``otp`` too (401 ``otp_required`` without it); an
    administrator who must enrol first (``GRIDGOV_REQUIRE_2FA``) gets 403. Too many failures: 429."""
    settings = request.app.state.settings
    now = utc_now()
    user = check_password(request, session, data.username, data.password, now=now)
    if twofactor.enabled(user):
        if not data.otp:
            raise login.OtpRequired("需要动态验证码：此账号已启用两步验证，请在 otp 中提供验证器显示的 6 "
                                    "位数字或一个恢复码")
        check_second_factor(request, session, user, data.otp, now=now)
    elif must_enrol(settings, user.role, enrolled=False):
        raise TwoFactorEnrolmentRequired(ENROL_MESSAGE)
    login.succeed(session, user, now=now, ip=client_ip(request))
    token = tokens.issue(
        settings.secret_key, purpose="api", user_id=user.id, version=user.session_version,
        expires_at=now + timedelta(hours=settings.token_hours),
    )
    return TokenResponse(access_token=token, expires_in=settings.token_hours * 3600)


@router.get("/auth/me", response_model=Me, summary="当前用户")
def me(principal: SignedIn) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        role_label=principal.role_label,
        scope_code=principal.scope_code,
        department_code=principal.department_code,
        permissions=service.permission_labels(principal),
    )


@router.post("/auth/logout", status_code=204, summary="退出登录（该用户所有令牌和会话立即失效）")
def log_out(request: Request, session: SessionDep, principal: SignedIn) -> None:
    service.log_out(session, principal, now=utc_now(), ip=client_ip(request))


@router.post("/auth/password", status_code=204, summary="修改密码（之后原有令牌失效）")
def change_password(data: PasswordChange, request: Request, session: SessionDep, principal: SignedIn) -> None:
    service.change_password(
        session, principal, data.old_password, data.new_password, now=utc_now(), demo=request.app.state.settings.demo
    )


@router.get("/users", response_model=Page[UserRead], summary="辖区内的用户（可筛选、分页，按用户名排序）")
def list_users(
    session: SessionDep, principal: UserAdmin,
    q: Annotated[str | None, Query(max_length=50, title="用户名或姓名")] = None,
    role: Annotated[str | None, Query(max_length=32, title="角色")] = None,
    area: Annotated[str | None, Query(max_length=12, title="区划代码（其下的用户）")] = None,
    active: bool | None = None, page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50,
) -> Page[UserRead]:
    flt = UserFilter(q=q or None, role=role or None, area=area or None, active=active)
    rows, total = service.search_users(session, principal, flt, page=page, page_size=page_size)
    return Page(items=[service.user_read(u) for u in rows], total=total, page=page, page_size=page_size)


@router.post("/users", response_model=UserRead, status_code=201, summary="新建用户")
def create_user(data: UserCreate, request: Request, session: SessionDep, principal: UserAdmin) -> UserRead:
    user = service.create_user(session, principal, data, now=utc_now(), demo=request.app.state.settings.demo,
                               profile=request.app.state.profile)
    return service.user_read(user)


@router.get("/users/{user_id}", response_model=UserRead, summary="用户详情")
def get_user(user_id: IdPath, session: SessionDep, principal: UserAdmin) -> UserRead:
    return service.user_read(service.access_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserRead, summary="修改用户：改名、改角色或辖区、停用、解锁")
def update_user(user_id: IdPath, data: UserUpdate, request: Request, session: SessionDep,
                principal: UserAdmin) -> UserRead:
    return service.user_read(service.update_user(session, principal, user_id, data, now=utc_now(),
                                                 profile=request.app.state.profile))
