"""API client queries. A key is looked up before anyone is known (the key is what says who calls):
those reads are unscoped by nature and listed in ``tests/authz/test_scope_door.py``; the CLI's
lists are the system's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models import Address, Area, AuditEntry, Department, User
from gridgov.models.interop import ApiClient


def client_by_prefix(session: Session, prefix: str) -> tuple[ApiClient, User] | None:
    """The client a key's prefix names and its service account, before anyone is known."""
    row = session.execute(select(ApiClient, User).join(User, User.id == ApiClient.user_id)
                          .where(ApiClient.key_prefix == prefix)).first()
    return None if row is None else (row[0], row[1])


def client_by_name_or_id(session: Session, name_or_id: str) -> ApiClient | None:
    """A client by its name, or by its id when the text is a number (the CLI's argument)."""
    where = ApiClient.name == name_or_id
    if name_or_id.isdigit():
        where = or_(where, ApiClient.id == int(name_or_id))
    return session.scalars(select(ApiClient).where(where).order_by(ApiClient.id)).first()


def name_taken(session: Session, name: str) -> bool:
    return session.scalar(select(func.count()).select_from(ApiClient).where(ApiClient.name == name)) > 0


def area_exists(session: Session, code: str) -> bool:
    return session.get(Area, code) is not None


def department(session: Session, code: str) -> Department | None:
    return session.get(Department, code)


def service_account(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_clients(session: Session) -> Sequence[tuple[ApiClient, datetime | None]]:
    """Every client with its last call (the newest audit entry of its service account)."""
    last = (select(func.max(AuditEntry.at)).where(AuditEntry.actor_id == ApiClient.user_id)
            .correlate(ApiClient).scalar_subquery())
    return [(c, at) for c, at in session.execute(select(ApiClient, last).order_by(ApiClient.id))]


def address_named(session: Session, principal: Principal, text: str) -> Address | None:
    """The standard address whose canonical text is ``text``, inside the client's area, with a point
    (where a hotline call or an Open311 request gives an address and no point)."""
    stmt = scoped(select(Address).where(Address.canonical == text, Address.lon.is_not(None)), principal, Address)
    return session.scalar(stmt.limit(1))
