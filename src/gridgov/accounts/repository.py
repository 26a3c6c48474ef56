"""Account queries. Lists take the acting principal and pass through the one scope door
(:mod:`gridgov.authz.scope`); the few reads made before anyone is known (a login, a verified
token's own account) are named as such and listed in ``tests/authz/test_scope_door.py``.

The principal's row read on every request (``service._PRINCIPAL_ROW``) stays beside
:func:`gridgov.accounts.service.principal_for`: it is the hot path, a prebuilt statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from gridgov.accounts.schemas import UserFilter
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models import Area, AuditEntry, Department, Grid, MicroGrid, User
from gridgov.models.territory import AreaLevel
from gridgov.territory import rules

# ---------------------------------------------------------------- one account


def get_user(session: Session, user_id: int) -> User | None:
    """An account by its id, unscoped: the principal's own (its id comes from the verified token)
    or the one a verified pending-login token names."""
    return session.get(User, user_id)


def user_by_username(session: Session, username: str) -> User | None:
    """The account of a username: a login, before anyone is known."""
    return session.scalar(select(User).where(User.username == username))


def username_taken(session: Session, username: str) -> bool:
    """Usernames are unique city-wide: whether anyone, anywhere, holds it."""
    return bool(session.scalar(select(func.count()).select_from(User).where(User.username == username)))


# ---------------------------------------------------------------- lists


def list_users(session: Session, principal: Principal, *, q: str | None = None) -> Sequence[User]:
    stmt = scoped(select(User), principal, User).order_by(User.username)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    return session.scalars(stmt).all()


def _user_filter(stmt, flt: UserFilter):
    """``stmt``, already through the door, narrowed by the filter."""
    if flt.q:
        like = f"%{flt.q.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    if flt.role:
        stmt = stmt.where(User.role == flt.role)
    if flt.area:
        stmt = stmt.where(User.scope_code.startswith(rules.area_prefix(flt.area)))
    if flt.active is not None:
        stmt = stmt.where(User.is_active.is_(flt.active))
    return stmt


def page_of_users(session: Session, principal: Principal, flt: UserFilter, *, page: int,
                  page_size: int) -> tuple[Sequence[User], int]:
    """One page of the users in the jurisdiction matching the filter, by username, and the total."""
    total = session.scalar(_user_filter(scoped(select(func.count()).select_from(User), principal, User), flt)) or 0
    rows = session.scalars(
        _user_filter(scoped(select(User), principal, User), flt).order_by(User.username)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return rows, total


def active_departments(session: Session, principal: Principal) -> Sequence[Department]:
    """Active departments of the areas inside the jurisdiction."""
    stmt = scoped(select(Department), principal, Department).where(Department.is_active)
    return session.scalars(stmt.order_by(Department.area_code, Department.kind)).all()


def areas_down_to_towns(session: Session, principal: Principal) -> Sequence[Area]:
    """Areas down to the town level inside the jurisdiction, by code."""
    stmt = scoped(select(Area), principal, Area).where(
        Area.level.in_([AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWN])
    )
    return session.scalars(stmt.order_by(Area.code)).all()


def place_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The name of each area, grid or micro-grid code (for showing a user's scope)."""
    names: dict[str, str] = {}
    for model, length in ((Area, rules.AREA_CODE_LEN), (Grid, rules.GRID_CODE_LEN),
                          (MicroGrid, rules.MICRO_GRID_CODE_LEN)):
        wanted = [c for c in codes if len(c) == length]
        if wanted:
            names.update({code: name for code,
                          name in session.execute(select(model.code, model.name).where(model.code.in_(wanted)))})
    return names


# ---------------------------------------------------------------- login limits (read from the audit log)


def recent_failures(session: Session, actions: Sequence[str], *where, since: datetime, limit: int) -> list[datetime]:
    """When the latest failed logins (``actions``) matching ``where`` happened, newest first."""
    return list(session.scalars(
        select(AuditEntry.at).where(AuditEntry.action.in_(actions), AuditEntry.at > since, *where)
        .order_by(AuditEntry.at.desc()).limit(limit)
    ))


def last_reset(session: Session, name: str, user: User | None, ip: str, resets: Sequence[str]) -> datetime | None:
    """The last success of this username at this address, or the last ``resets`` action on the user."""
    cond = and_(AuditEntry.ip == ip, AuditEntry.action == "login_succeeded", AuditEntry.actor == name)
    if user is not None:
        cond = or_(cond, and_(AuditEntry.action.in_(resets), AuditEntry.object_type == "user",
                              AuditEntry.object_id == str(user.id)))
    return session.scalar(select(func.max(AuditEntry.at)).where(cond))


def lock_logins_from(session: Session, ip: str) -> None:
    """Serialises the logins of one address until the transaction ends (PostgreSQL; SQLite's
    writers are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(f"login:{ip}".encode(), digest_size=8).digest(), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
