"""Accounts: passwords, and administrators managing users (logging in: :mod:`gridgov.accounts.login`).

An administrator manages only users inside its own jurisdiction, and can give a user only a scope
inside it. Every change is written to the audit log with before and after.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import Session

from gridgov.accounts import repository as repo
from gridgov.accounts.passwords import hash_password, password_problem, verify_password
from gridgov.accounts.schemas import UserCreate, UserFilter, UserRead, UserUpdate
from gridgov.audit.service import record
from gridgov.authz.permissions import ROLE_PERMISSIONS, Permission
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible
from gridgov.db import Prebuilt
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.models import Area, Department, Grid, MicroGrid, User
from gridgov.models.accounts import (
    CLIENT_ROLES,
    DEPARTMENT_ROLES,
    GRID_ROLES,
    MICRO_GRID_ROLES,
    ROLE_LABELS,
    SECURITY_ROLES,
    STAFF_POST_ROLES,
    Role,
)
from gridgov.models.staff import Post, Training
from gridgov.staff import lookup as staff_lookup
from gridgov.territory import lookup as territory_lookup
from gridgov.territory import rules

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,31}$")


# Every request with credentials runs it: built once, on the table rather than the entity, and
# run on the cursor (see db.Prebuilt). The grids' version comes along: most writes locate a point
# next, and on PostgreSQL a round trip costs as much as the rest of the statement.
_users = User.__table__
_posts, _trainings = Post.__table__, Training.__table__
_ON_POST = exists().where(
    _posts.c.staff_id == _users.c.staff_id, _posts.c.role == _users.c.role,
    _posts.c.scope_code == _users.c.scope_code, _posts.c.status == staff_lookup.ACTIVE,
)
"""The account's own staff record holds an active post of the account's role at the account's place."""
_PASSED = and_(_trainings.c.staff_id == _users.c.staff_id, _trainings.c.kind == "pre_job", _trainings.c.passed)
_PRINCIPAL_ROW = Prebuilt(select(
    _users.c.id, _users.c.username, _users.c.display_name, _users.c.role, _users.c.scope_code,
    _users.c.department_code, _users.c.is_active, _users.c.session_version, _users.c.totp_enabled_at,
    territory_lookup.GRIDS_VERSION_NOW.label("grids_version"),
    _users.c.staff_id, _ON_POST.label("on_post"), exists().where(_PASSED).label("trained"),
).where(_users.c.id == bindparam("user_id")))


def principal_for(session: Session, user_id: int, version: int, *, via_cookie: bool,
                  profile=None) -> Principal | None:
    """The principal of an active user whose tokens of ``version`` still stand; None otherwise.

    An account whose role is a staff post (a grid worker, a liaison, an instructor…) carries
    ``off_post``, why it may not act now, unless its staff record holds an active post of that role
    at that place and (where ``profile`` asks for it) passed pre-job training (B4): the door then
    lets it reach nothing but its own account (:func:`gridgov.authz.dependencies.require`)."""
    user = _PRINCIPAL_ROW.first(session, {"user_id": user_id})  # the id is the key: one row or none
    if user is None:
        return None
    territory_lookup.note_grids_version(session, user.grids_version)
    if not user.is_active or user.session_version != version:
        return None
    off_post = None
    if user.role in STAFF_POST_ROLES:
        off_post = staff_lookup.serving_problem(
            profile.staff if profile is not None else None, role=user.role, linked=user.staff_id is not None,
            on_post=bool(user.on_post), trained=bool(user.trained))
    granted = user.role in DEPARTMENT_ROLES and registry_granted(session, profile, user.department_code)
    return _principal(user, via_cookie=via_cookie, off_post=off_post, registry_granted=granted)


def registry_granted(session: Session, profile, department_code: str | None) -> bool:
    """Whether the profile's ``registry.department_access`` (empty by default: no query) names the kind."""
    kinds = getattr(getattr(profile, "registry", None), "department_access", None)
    if not kinds or not department_code:
        return False
    dept = get_visible(session, SYSTEM, Department, department_code)
    return dept is not None and dept.is_active and dept.kind in kinds


def _principal(user, *, via_cookie: bool = False, off_post: str | None = None,
               registry_granted: bool = False) -> Principal:
    """From a User or a row with its columns."""
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        scope_code=user.scope_code,
        department_code=user.department_code,
        via_cookie=via_cookie,
        two_factor=user.totp_enabled_at is not None,
        off_post=off_post,
        registry_granted=registry_granted,
    )


def change_password(
    session: Session, principal: Principal, old: str, new: str, *, now: datetime, demo: bool
) -> User:
    user = _user(session, principal.user_id)
    if not verify_password(user.password_hash, old):
        raise Invalid("原密码不正确")
    problem = password_problem(new, username=user.username, demo=demo)
    if problem:
        raise Invalid(problem)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.must_change_password = False
    user.session_version += 1
    record(session, actor=principal, action="password_changed", now=now, object_type="user", object_id=user.id)
    return user


def log_out(session: Session, principal: Principal, *, now: datetime, ip: str = "") -> None:
    """Ends every session and token of the user at once (cookie and bearer alike): they all carry
    the session version, which moves on. Audited as ``logout``."""
    user = _user(session, principal.user_id)
    user.session_version += 1
    record(session, actor=principal, action="logout", now=now, object_type="user", object_id=user.id, ip=ip)


def _user(session: Session, user_id: int) -> User:
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def access_user(session: Session, principal: Principal, user_id: int) -> User:
    """A user inside the administrator's jurisdiction; 404 otherwise."""
    user = get_visible(session, principal, User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def list_users(session: Session, principal: Principal, *, q: str | None = None) -> Sequence[User]:
    return repo.list_users(session, principal, q=q)


def search_users(
    session: Session, principal: Principal, flt: UserFilter, *, page: int = 1, page_size: int = 50
) -> tuple[Sequence[User], int]:
    """One page of the users in the jurisdiction matching the filter, by username, and the total."""
    if flt.area:
        try:
            rules.area_level(flt.area)
        except rules.CodeError as exc:
            raise Invalid(str(exc)) from exc
        if get_visible(session, principal, Area, flt.area, ancestors=True) is None:
            raise NotFound(f"区域 {flt.area} 不存在")
    page, page_size = max(page, 1), min(max(page_size, 1), 200)
    return repo.page_of_users(session, principal, flt, page=page, page_size=page_size)


def grant_problem(principal: Principal | None, role: Role) -> str | None:
    """Why ``principal`` may not give ``role`` to a user, or change a user holding it (None: it may).

    Separation of duties (等保 三员):

    * auditors and security administrators (:data:`SECURITY_ROLES`) are created and changed only by
      a holder of ``users.security`` (the security administrator);
    * any other role only by a holder of ``users.admin`` who holds every permission of that role,
      so no one hands out a power it does not have (an agency administrator cannot make a system
      administrator, a security administrator cannot make an agency administrator).

    ``None`` is the system itself (the CLI, the demo builder): it may give any role.
    """
    if role in CLIENT_ROLES:
        return "接口客户端账号只能用 gridgov clients create 命令创建，不能在用户管理中创建或修改"
    if principal is None or principal.system:
        return None
    if role in SECURITY_ROLES:
        if not principal.can(Permission.USERS_SECURITY):
            return "审计员和安全管理员账号只能由安全管理员创建和管理"
        return None
    if not principal.can(Permission.USERS_ADMIN):
        return f"{principal.role_label}无权管理用户"
    if not ROLE_PERMISSIONS[role] <= ROLE_PERMISSIONS.get(_role_of(principal.role), frozenset()):
        return (f"{ROLE_LABELS[role]}拥有{principal.role_label}没有的权限，"
                f"{principal.role_label}不能创建或管理该角色的账号")
    return None


def _role_of(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def check_may_grant(principal: Principal | None, role: Role) -> None:
    problem = grant_problem(principal, role)
    if problem:
        raise Forbidden(problem)


def manage_problem(principal: Principal | None, user: User) -> str | None:
    """Why the administrator may not change this user (None: it may): it could not have given the
    user's current role."""
    role = _role_of(user.role)
    if role is None:
        return "该用户的角色无法识别，只能在命令行处理"
    return grant_problem(principal, role)


def check_may_manage(principal: Principal, user: User) -> None:
    problem = manage_problem(principal, user)
    if problem:
        raise Forbidden(problem)


def profile_role_problem(profile, role: Role) -> str | None:
    """Why the deployment's policy profile has no place for an account of ``role`` (None: it has).

    The staff posts (grid workers, liaisons, instructors…) are the profile's own list
    (``staff.roles``, B1): an account may hold only a post the text sets up (LZ§11 has no 网格长).
    Agency, department and administrative roles exist under every profile."""
    if role in STAFF_POST_ROLES and not profile.staff.uses(str(role)):
        allowed = "、".join(ROLE_LABELS[Role(r)] for r in profile.staff.roles)
        return (f"本地政策（{profile.label}）未设置“{ROLE_LABELS[role]}”岗位，不能创建或授予该角色的账号"
                f"（可设岗位：{allowed}）")
    return None


def check_role_and_scope(
    session: Session,
    principal: Principal | None,
    role: str,
    scope_code: str,
    department_code: str | None,
    staff_id: int | None = None,
    *,
    profile,
) -> Role:
    """A role the administrator may give and the policy profile has (``profile`` None: not checked,
    for disabling an account), its scope a known code of the right kind inside the
    administrator's jurisdiction, department staff naming a department of that scope, and a linked
    staff record inside both the jurisdiction and the user's scope.

    Whatever lies outside the jurisdiction (scope, department, staff record) is reported exactly
    like an unknown one (404, same message), so an administrator cannot probe which codes exist
    elsewhere; what exists inside but does not fit the user's scope is a 422.
    """
    role_ = _role_of(role)
    if role_ is None:
        raise Invalid(f"未知的角色 {role!r}")
    check_may_grant(principal, role_)
    if profile is not None and (problem := profile_role_problem(profile, role_)):
        raise Invalid(problem, details=[{"field": "role", "error": "本地政策未设置该岗位"}])
    scope_code = scope_code or ""
    if not scope_code.isdigit() or len(scope_code) not in (rules.AREA_CODE_LEN, rules.GRID_CODE_LEN,
                                                           rules.MICRO_GRID_CODE_LEN):
        raise Invalid("辖区应为 12 位区划代码、15 位网格编码或 17 位微网格编码")
    if len(scope_code) == rules.AREA_CODE_LEN:
        if get_visible(session, principal, Area, scope_code) is None:
            raise NotFound(f"区域 {scope_code} 不存在")
        if role_ in GRID_ROLES:
            raise Invalid(f"{ROLE_LABELS[role_]}应绑定到网格（15 位网格编码）")
    elif len(scope_code) == rules.GRID_CODE_LEN:
        if get_visible(session, principal, Grid, scope_code) is None:
            raise NotFound(f"网格 {scope_code} 不存在")
        if role_ not in GRID_ROLES:
            raise Invalid(f"{ROLE_LABELS[role_]}应绑定到区域（12 位区划代码）")
    else:
        if get_visible(session, principal, MicroGrid, scope_code) is None:
            raise NotFound(f"微网格 {scope_code} 不存在")
        if role_ not in MICRO_GRID_ROLES:
            raise Invalid("只有微网格联络员和志愿者绑定到微网格")
    if role_ in DEPARTMENT_ROLES and not department_code:
        raise Invalid("联动部门人员必须指定所属部门")
    if department_code:
        if role_ not in DEPARTMENT_ROLES and role_ != Role.PROFESSIONAL:
            raise Invalid("只有联动部门人员和专业网格员可以指定部门")
        dept = get_visible(session, principal, Department, department_code, ancestors=True)
        if dept is None:
            raise NotFound(f"部门 {department_code} 不存在")
        if role_ in DEPARTMENT_ROLES and dept.area_code != scope_code:
            raise Invalid(f"部门 {dept.name} 不属于辖区 {scope_code}")
        if role_ == Role.PROFESSIONAL and not scope_code.startswith(rules.scope_prefix(dept.area_code)):
            raise Invalid(f"部门 {dept.name} 不管辖网格 {scope_code}")
    if staff_id is not None:
        check_staff_link(session, principal, staff_id, role_, scope_code)
    return role_


def check_staff_link(session: Session, principal: Principal | None, staff_id: int, role: Role, scope_code: str) -> None:
    """A staff record a user may be tied to: readable by the administrator (else 404, as missing)
    and lying in the user's own scope, managed there or holding a post there (else 422)."""
    if staff_lookup.get_staff(session, principal, staff_id) is None:
        raise NotFound("网格员档案不存在")
    scope = Principal(user_id=0, username="", display_name="", role=role, scope_code=scope_code)
    if staff_lookup.get_staff(session, scope, staff_id) is None:
        raise Invalid(f"网格员档案不在该用户的辖区 {scope_code} 内，不能绑定")


def assignable_roles(principal: Principal, profile) -> list[tuple[str, str]]:
    """(value, Chinese label) of the roles this administrator may give under the profile, in the
    order of the enum."""
    return [(r.value, ROLE_LABELS[r]) for r in Role
            if grant_problem(principal, r) is None and profile_role_problem(profile, r) is None]


def assignable_departments(session: Session, principal: Principal) -> Sequence[Department]:
    """Active departments of the areas inside the jurisdiction (the only ones a user may join)."""
    return repo.active_departments(session, principal)


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "scope_code": user.scope_code,
        "department_code": user.department_code,
        "staff_id": user.staff_id,
        "is_active": user.is_active,
    }


def deployment_profile(profile=None):
    """``profile``, or the deployment's own (``GRIDGOV_PROFILE``) when the caller has none at hand: the
    accounts a deployment creates always follow its profile."""
    if profile is not None:
        return profile
    import os

    from gridgov.config import Settings
    from gridgov.policy.loader import load_profile

    return load_profile(os.environ.get("GRIDGOV_PROFILE") or Settings.model_fields["profile"].default)


def create_user(session: Session, principal: Principal, data: UserCreate, *, now: datetime, demo: bool,
                profile=None) -> User:
    username = data.username.strip().lower()
    if not USERNAME_RE.match(username):
        raise Invalid("用户名应为 3–32 位小写字母、数字或下划线，并以字母开头")
    if repo.username_taken(session, username):
        raise Conflict(f"用户名 {username} 已被使用")
    problem = password_problem(data.password, username=username, demo=demo)
    if problem:
        raise Invalid(problem)
    role = check_role_and_scope(session, principal, data.role, data.scope_code, data.department_code, data.staff_id,
                                profile=deployment_profile(profile))
    user = User(
        username=username,
        display_name=data.display_name.strip(),
        password_hash=hash_password(data.password),
        role=role.value,
        scope_code=data.scope_code,
        department_code=data.department_code,
        staff_id=data.staff_id,
        is_active=True,
        failed_logins=0,
        session_version=1,
        must_change_password=data.must_change_password,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    record(session, actor=principal, action="user_created", now=now, object_type="user", object_id=user.id,
           area_code=user.scope_code, after=_snapshot(user))
    return user


def update_user(session: Session, principal: Principal, user_id: int, data: UserUpdate, *, now: datetime,
                profile=None) -> User:
    """Re-role, re-scope, rename, disable or enable a user; ends its sessions when access changes.

    A change that only disables or enables the account is logged as such (``user_disabled`` /
    ``user_enabled``), so the log can be filtered for it.
    """
    user = access_user(session, principal, user_id)
    check_may_manage(principal, user)
    before = _snapshot(user)
    role = str(data.role.value if data.role is not None else user.role)
    scope = data.scope_code if data.scope_code is not None else user.scope_code
    dept = data.department_code if data.department_code is not None else user.department_code
    if _role_of(role) not in DEPARTMENT_ROLES and data.department_code is None and role != Role.PROFESSIONAL:
        dept = None
    relinked = "staff_id" in data.model_fields_set
    staff_id = data.staff_id if relinked else user.staff_id
    if user.id == principal.user_id and (data.is_active is False or data.role not in (None, user.role)):
        raise Forbidden("不能停用自己或修改自己的角色")
    # The link is checked when it is set, or when the user moves (it must follow it into the scope).
    check_link = staff_id if relinked or (role, scope) != (user.role, user.scope_code) else None
    # An account of a role the profile has no place for may still be disabled, nothing else.
    check_role_and_scope(session, principal, role, scope, dept, check_link,
                         profile=None if data.is_active is False else deployment_profile(profile))
    if data.display_name is not None:
        user.display_name = data.display_name.strip()
    access_changed = (role, scope, dept) != (user.role, user.scope_code, user.department_code) or (
        data.is_active is not None and data.is_active != user.is_active
    )
    user.role, user.scope_code, user.department_code, user.staff_id = role, scope, dept, staff_id
    if data.is_active is not None:
        user.is_active = data.is_active
    if data.unlock:
        user.locked_until = None
        user.failed_logins = 0
    if access_changed:
        user.session_version += 1
    user.updated_at = now
    after = _snapshot(user)
    changed = {k for k in after if after[k] != before[k]}
    action = "user_updated"
    if changed == {"is_active"}:
        action = "user_enabled" if user.is_active else "user_disabled"
    record(session, actor=principal, action=action, now=now, object_type="user", object_id=user.id,
           area_code=user.scope_code, before=before, after=after)
    if data.unlock:  # the entry that lifts the login locks of every address (see accounts.login)
        record(session, actor=principal, action="user_unlocked", now=now, object_type="user", object_id=user.id,
               area_code=user.scope_code, after={"locked": False, "failed_logins": 0})
    return user


def unlock_user(session: Session, principal: Principal, user_id: int, *, now: datetime) -> User:
    """Lift a lockout after too many wrong passwords (the password itself stays)."""
    user = access_user(session, principal, user_id)
    check_may_manage(principal, user)
    before = {"locked": user.locked_until is not None and user.locked_until > now, "failed_logins": user.failed_logins}
    user.locked_until = None
    user.failed_logins = 0
    user.updated_at = now
    record(session, actor=principal, action="user_unlocked", now=now, object_type="user", object_id=user.id,
           area_code=user.scope_code, before=before, after={"locked": False, "failed_logins": 0})
    return user


def reset_password(
    session: Session, principal: Principal, user_id: int, new_password: str, *, now: datetime, demo: bool
) -> User:
    """An administrator sets a new initial password for a user who forgot theirs.

    The user must change it at the next login, the lockout is lifted and every earlier session and
    token ends. The audit entry says that it happened, never the password. Administrators change
    their own password on their account page (with the old one), not here.
    """
    user = access_user(session, principal, user_id)
    check_may_manage(principal, user)
    if user.id == principal.user_id:
        raise Forbidden("请在“我的账号”页面修改自己的密码")
    problem = password_problem(new_password, username=user.username, demo=demo)
    if problem:
        raise Invalid(problem)
    before = {"must_change_password": user.must_change_password}
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.must_change_password = True
    user.locked_until = None
    user.failed_logins = 0
    user.session_version += 1
    user.updated_at = now
    record(session, actor=principal, action="password_reset", now=now, object_type="user", object_id=user.id,
           area_code=user.scope_code, before=before, after={"must_change_password": True})
    return user


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=ROLE_LABELS.get(Role(user.role), user.role),
        scope_code=user.scope_code,
        department_code=user.department_code,
        is_active=user.is_active,
        locked=user.locked_until is not None,
        last_login_at=user.last_login_at,
    )


def permission_labels(principal: Principal) -> list[str]:
    return sorted(p.value for p in Permission if principal.can(p))


def area_choices(session: Session, principal: Principal) -> Sequence[Area]:
    """Areas down to the town level inside the jurisdiction, for pickers (villages and grids are
    typed as codes: a city has too many of them for a list)."""
    return repo.areas_down_to_towns(session, principal)
