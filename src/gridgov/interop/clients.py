"""API clients: other systems that call gridgov with a key (issue 17).

``gridgov clients create NAME --kind hotline|department|open311 --area CODE [--department CODE]``
makes a client: a service account (a ``users`` row that cannot log in) in the role of its kind at its
area (and department), and a key ``ggk_<prefix>_<secret>`` shown once. Only the key's SHA-256 is kept.
A call with ``Authorization: Bearer <key>`` acts as that account through the usual door: its role's
permissions, the scope rules of its area or department, the case file's entries. Every call is
written to the audit log (``api_client_call``), which is also where a client's last use is read.
``gridgov clients revoke`` ends a key at once (the account is disabled too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.accounts.service import principal_for
from gridgov.audit.service import record
from gridgov.authz.dependencies import CLIENT_KEY_PREFIX
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.interop import repository as repo
from gridgov.models import User
from gridgov.models.accounts import CLIENT_ROLE_OF_KIND
from gridgov.models.interop import CLIENT_KIND_LABELS, CLIENT_KINDS, ApiClient

KEY_PREFIX = CLIENT_KEY_PREFIX
_KEY = re.compile(r"^ggk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
UNUSABLE_PASSWORD = "!api-client"
"""The password hash of a client's service account: no password verifies against it."""


def is_client_key(token: str) -> bool:
    """Whether a bearer token is an API client's key (not a signed login token)."""
    return token.startswith(KEY_PREFIX)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_client(session: Session, *, name: str, kind: str, area_code: str, department_code: str | None = None,
                  now: datetime) -> tuple[ApiClient, str]:
    """A new client and its key (the only time the key is seen). 422 for a bad kind, area or
    department; 409 for a name in use."""
    name = name.strip()
    if not 1 <= len(name) <= 50:
        raise Invalid("客户端名称须为 1–50 个字符")
    if kind not in CLIENT_KINDS:
        raise Invalid(f"客户端类型须为 {'、'.join(CLIENT_KINDS)} 之一")
    try:
        areas.area_level(area_code)
    except areas.CodeError as exc:
        raise Invalid(f"区域编码有误：{exc}") from exc
    if not repo.area_exists(session, area_code):
        raise Invalid(f"区域 {area_code} 不存在")
    if kind == "department":
        dept = repo.department(session, department_code) if department_code else None
        if dept is None or not dept.is_active:
            raise Invalid("部门系统客户端须用 --department 指定一个在用的联动部门")
        if not dept.area_code.startswith(areas.scope_prefix(area_code)):
            raise Invalid(f"部门 {dept.name} 不在区域 {area_code} 内")
    elif department_code:
        raise Invalid("只有部门系统客户端（--kind department）才能指定部门")
    if repo.name_taken(session, name):
        raise Conflict(f"客户端名称“{name}”已被使用")
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    username = f"api-{prefix}"
    user = User(username=username, display_name=name[:50], password_hash=UNUSABLE_PASSWORD,
                role=str(CLIENT_ROLE_OF_KIND[kind]), scope_code=area_code, department_code=department_code,
                is_active=True, created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    client = ApiClient(name=name, kind=kind, area_code=area_code, department_code=department_code, user_id=user.id,
                       key_prefix=prefix, key_hash=_digest(key), created_at=now)
    session.add(client)
    session.flush()
    record(session, actor=None, action="api_client_created", now=now, object_type="api_client", object_id=client.id,
           area_code=area_code, after={"name": name, "kind": kind, "department_code": department_code,
                                       "username": username})
    return client, key


def revoke_client(session: Session, name_or_id: str, *, now: datetime) -> ApiClient:
    """Ends a client's key and disables its account; 404 for an unknown client. Revoking twice is
    harmless (the first time stands)."""
    client = repo.client_by_name_or_id(session, name_or_id)
    if client is None:
        raise NotFound(f"接口客户端 {name_or_id} 不存在")
    if client.revoked_at is None:
        client.revoked_at = now
        user = repo.service_account(session, client.user_id)
        user.is_active = False
        user.session_version += 1
        user.updated_at = now
        record(session, actor=None, action="api_client_revoked", now=now, object_type="api_client",
               object_id=client.id, area_code=client.area_code, after={"name": client.name})
    return client


def list_clients(session: Session) -> list[dict]:
    """Every client as the CLI lists it (never its key)."""
    return [{"client_id": c.id, "name": c.name, "kind": c.kind, "kind_label": CLIENT_KIND_LABELS[c.kind],
             "area": c.area_code, "department": c.department_code,
             "created_at": c.created_at.isoformat(), "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
             "last_used_at": last.isoformat() if last else None}
            for c, last in repo.all_clients(session)]


def principal_for_key(session: Session, api_key: str, *, profile, now: datetime, call: str | None = None,
                      ip: str = "") -> Principal | None:
    """The principal of a client's key; None for a malformed, unknown or revoked key (or a disabled
    account). With ``call`` ("METHOD /path"), the call is written to the audit log in ``session``."""
    found = _KEY.match(api_key or "")
    if found is None:
        return None
    row = repo.client_by_prefix(session, found.group(1))
    if row is None:
        return None
    client, user = row
    if client.revoked_at is not None or not hmac.compare_digest(client.key_hash, _digest(api_key)):
        return None
    principal = principal_for(session, user.id, user.session_version, via_cookie=False, profile=profile)
    if principal is None:
        return None
    principal = dataclasses.replace(principal, client_id=client.id, client_kind=client.kind)
    if call is not None:
        record(session, actor=principal, action="api_client_call", now=now, object_type="api_client",
               object_id=client.id, area_code=client.area_code, detail=call[:200], ip=ip)
    return principal
