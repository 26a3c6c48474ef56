"""What the accounts API reads and writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from gridgov.kit.params import IdField
from gridgov.models.accounts import Role


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    otp: str | None = Field(None, max_length=32,
                            description="动态验证码（验证器上的 6 位数字）或一个恢复码；启用了两步验证的账号必填")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=32)
    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)
    role: Role = Field(description="角色")
    scope_code: str = Field(min_length=12, max_length=17)
    department_code: str | None = None
    staff_id: IdField | None = None
    must_change_password: bool = True


class UserUpdate(BaseModel):
    display_name: str | None = Field(None, min_length=1, max_length=50)
    role: Role | None = Field(None, description="角色")
    scope_code: str | None = Field(None, min_length=12, max_length=17)
    department_code: str | None = None
    staff_id: IdField | None = Field(None, description="绑定的网格员档案；给 null 表示解除绑定，不给则不变")
    is_active: bool | None = None
    unlock: bool = False


class UserFilter(BaseModel):
    """What the users list may be narrowed by (the page and, later, the API share it)."""

    q: str | None = None
    role: str | None = None
    area: str | None = None
    active: bool | None = None


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    scope_code: str
    department_code: str | None
    is_active: bool
    locked: bool
    last_login_at: datetime | None


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str
    scope_code: str
    department_code: str | None
    permissions: list[str]
