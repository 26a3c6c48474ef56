"""Accounts JSON API: tokens, the current user, password change, user administration."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gridgov.accounts import service
from gridgov.accounts.schemas import (
    Me,
    PasswordChange,
    TokenRequest,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from gridgov.authz import Permission, Principal, require
from gridgov.deps import SessionDep
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath

router = APIRouter(tags=["accounts"])

Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
Self = Annotated[Principal, Depends(require(Permission.SELF))]
Admin = Annotated[Principal, Depends(require(Permission.USERS_ADMIN))]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def log_in(request: Request, session, username: str, password: str, *, now):
    """Authenticate under the deployment's lockout rules; a failure is committed before it is
    raised, so the failure count and its audit entry survive the failed request."""
    settings = request.app.state.settings
    try:
        return service.authenticate(
            session, username, password, now=now, max_failures=settings.login_max_failures,
            lockout_minutes=settings.lockout_minutes, demo=settings.demo, ip=client_ip(request),
        )
    except service.LoginFailed:
        session.commit()
        raise


@router.post("/auth/token", response_model=TokenResponse, summary="用户名密码换取访问令牌")
def issue_token(data: TokenRequest, request: Request, session: SessionDep, _: Public) -> TokenResponse:
    settings = request.app.state.settings
    now = utc_now()
    user = log_in(request, session, data.username, data.password, now=now)
    token = tokens.issue(
        settings.secret_key, purpose="api", user_id=user.id, version=user.session_version,
        expires_at=now + timedelta(hours=settings.token_hours),
    )
    return TokenResponse(access_token=token, expires_in=settings.token_hours * 3600)


@router.get("/auth/me", response_model=Me, summary="当前用户")
def me(principal: Self) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        role_label=principal.role_label,
        scope_code=principal.scope_code,
        department_code=principal.department_code,
        permissions=service.permission_labels(principal),
    )


@router.post("/auth/password", status_code=204, summary="修改密码（之后原有令牌失效）")
def change_password(data: PasswordChange, request: Request, session: SessionDep, principal: Self) -> None:
    service.change_password(
        session, principal, data.old_password, data.new_password, now=utc_now(), demo=request.app.state.settings.demo
    )


@router.get("/users", response_model=list[UserRead], summary="辖区内的用户")
def list_users(session: SessionDep, principal: Admin, q: str | None = None) -> list[UserRead]:
    return [service.user_read(u) for u in service.list_users(session, principal, q=q)]


@router.post("/users", response_model=UserRead, status_code=201, summary="新建用户")
def create_user(data: UserCreate, request: Request, session: SessionDep, principal: Admin) -> UserRead:
    user = service.create_user(session, principal, data, now=utc_now(), demo=request.app.state.settings.demo)
    return service.user_read(user)


@router.get("/users/{user_id}", response_model=UserRead, summary="用户详情")
def get_user(user_id: IdPath, session: SessionDep, principal: Admin) -> UserRead:
    return service.user_read(service.access_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserRead, summary="修改用户：改名、改角色或辖区、停用、解锁")
def update_user(user_id: IdPath, data: UserUpdate, session: SessionDep, principal: Admin) -> UserRead:
    return service.user_read(service.update_user(session, principal, user_id, data, now=utc_now()))
