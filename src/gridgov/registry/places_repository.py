"""Queries of standard addresses, houses, rentals and units, each through the scope door
(:mod:`gridgov.authz.scope`): every row lies where its ``scope_code`` says (its grid, else its
village/community); departments see none of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.errors import Conflict
from gridgov.models import Area, Counter, Grid
from gridgov.models.registry import Address, House, Person, Rental, Unit


def visible_area(session: Session, principal: Principal, code: str) -> Area | None:
    """An area inside the jurisdiction or above it (a worker's village lies above its grid)."""
    return get_visible(session, principal, Area, code, ancestors=True)


def visible_grid(session: Session, principal: Principal, code: str) -> Grid | None:
    return get_visible(session, principal, Grid, code)


def add_unique(session: Session, row, refusal: str) -> None:
    """Adds ``row`` in a savepoint: a unique column another transaction took meanwhile (the check
    before raced it) is a 409 with ``refusal``, not a 500, and the transaction goes on."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(refusal) from None


def next_number(session: Session, name: str) -> int:
    """Bumps the counter ``name`` and returns its new value, in the caller's transaction (the row
    lock, or SQLite's write lock, holds until it ends; a rollback gives the number back)."""
    table = Counter.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(name=name, value=1).on_conflict_do_update(
        index_elements=[table.c.name], set_={"value": table.c.value + 1}).returning(table.c.value)
    return int(session.execute(stmt).scalar_one())


def reserve_numbers(session: Session, name: str, count: int) -> int:
    """Bumps the counter ``name`` by ``count`` and returns the first of the numbers reserved (a bulk
    import or the demo numbers a village's addresses in one step, as :func:`next_number` does one)."""
    table = Counter.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(name=name, value=count).on_conflict_do_update(
        index_elements=[table.c.name], set_={"value": table.c.value + count}).returning(table.c.value)
    return int(session.execute(stmt).scalar_one()) - count + 1


# ---------------------------------------------------------------- addresses


def get_address(session: Session, principal: Principal, address_id: int) -> Address | None:
    return get_visible(session, principal, Address, address_id)


def address_by_canonical(session: Session, canonical: str) -> Address | None:
    """The address with this canonical text anywhere (the system's view: a place is registered once)."""
    return session.scalar(scoped(select(Address).where(Address.canonical == canonical), SYSTEM, Address))


def _address_filter(stmt, q: str | None, grid: str | None):
    if q:
        stmt = stmt.where(Address.canonical.contains(q, autoescape=True))
    if grid:
        stmt = stmt.where(Address.scope_code.startswith(grid, autoescape=True))
    return stmt


def list_addresses(session: Session, principal: Principal, *, q: str | None, grid: str | None, offset: int,
                   limit: int) -> tuple[Sequence[Address], int]:
    total = session.scalar(_address_filter(
        scoped(select(func.count()).select_from(Address), principal, Address), q, grid)) or 0
    stmt = _address_filter(scoped(select(Address), principal, Address), q, grid)
    rows = session.scalars(stmt.order_by(Address.canonical, Address.id).offset(offset).limit(limit)).all()
    return rows, total


def addresses_by_id(session: Session, principal: Principal, ids: Sequence[int]) -> dict[int, Address]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    rows = session.scalars(scoped(select(Address).where(Address.id.in_(ids)), principal, Address))
    return {a.id: a for a in rows}


# ---------------------------------------------------------------- houses


def get_house(session: Session, principal: Principal, house_id: int) -> House | None:
    return get_visible(session, principal, House, house_id)


def house_at(session: Session, address_id: int) -> House | None:
    """The house at an address (one per address; the system's view, for the duplicate check)."""
    return session.scalar(scoped(select(House).where(House.address_id == address_id), SYSTEM, House))


def _house_filter(stmt, grid: str | None, address_id: int | None, usage: str | None):
    if grid:
        stmt = stmt.where(House.scope_code.startswith(grid, autoescape=True))
    if address_id is not None:
        stmt = stmt.where(House.address_id == address_id)
    if usage:
        stmt = stmt.where(House.usage == usage)
    return stmt


def list_houses(session: Session, principal: Principal, *, grid: str | None, address_id: int | None,
                usage: str | None, offset: int, limit: int) -> tuple[Sequence[House], int]:
    where = (grid, address_id, usage)
    total = session.scalar(_house_filter(
        scoped(select(func.count()).select_from(House), principal, House), *where)) or 0
    stmt = _house_filter(scoped(select(House), principal, House), *where)
    return session.scalars(stmt.order_by(House.id).offset(offset).limit(limit)).all(), total


def occupants(session: Session, principal: Principal, house_id: int) -> Sequence[Person]:
    stmt = scoped(select(Person).where(Person.house_id == house_id, Person.archived_at.is_(None)), principal, Person)
    return session.scalars(stmt.order_by(Person.name, Person.id)).all()


def count_occupants(session: Session, principal: Principal, house_id: int) -> int:
    stmt = scoped(select(func.count()).select_from(Person).where(Person.house_id == house_id,
                                                                 Person.archived_at.is_(None)), principal, Person)
    return session.scalar(stmt) or 0


def rentals_of(session: Session, house_id: int) -> Sequence[Rental]:
    """The rentals of a house the caller has already opened through the door."""
    return session.scalars(select(Rental).where(Rental.house_id == house_id)
                           .order_by(Rental.start_on.desc(), Rental.id.desc())).all()


def get_person(session: Session, principal: Principal, person_id: int) -> Person | None:
    return get_visible(session, principal, Person, person_id)


def person_names(session: Session, principal: Principal, ids: Sequence[int]) -> dict[int, str]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    return dict(session.execute(scoped(select(Person.id, Person.name).where(Person.id.in_(ids)), principal,
                                       Person)).all())


# ---------------------------------------------------------------- units


def get_unit(session: Session, principal: Principal, unit_id: int) -> Unit | None:
    return get_visible(session, principal, Unit, unit_id)


def unit_by_uscc(session: Session, uscc: str) -> Unit | None:
    """The unit with this code anywhere (the system's view: a code names one unit)."""
    return session.scalar(scoped(select(Unit).where(Unit.uscc == uscc), SYSTEM, Unit))


def _unit_filter(stmt, uscc: str | None, q: str | None, grid: str | None):
    if uscc:
        stmt = stmt.where(Unit.uscc == uscc)
    if q:
        stmt = stmt.where(Unit.name.contains(q, autoescape=True))
    if grid:
        stmt = stmt.where(Unit.scope_code.startswith(grid, autoescape=True))
    return stmt


def list_units(session: Session, principal: Principal, *, uscc: str | None, q: str | None, grid: str | None,
               offset: int, limit: int) -> tuple[Sequence[Unit], int]:
    where = (uscc, q, grid)
    total = session.scalar(_unit_filter(
        scoped(select(func.count()).select_from(Unit), principal, Unit), *where)) or 0
    stmt = _unit_filter(scoped(select(Unit), principal, Unit), *where)
    return session.scalars(stmt.order_by(Unit.name, Unit.id).offset(offset).limit(limit)).all(), total


def units_at(session: Session, principal: Principal, address_id: int) -> Sequence[Unit]:
    stmt = scoped(select(Unit).where(Unit.address_id == address_id), principal, Unit)
    return session.scalars(stmt.order_by(Unit.name, Unit.id)).all()


def villages(session: Session, principal: Principal, limit: int = 2000) -> Sequence[Area]:
    """The villages/communities an address may be registered in: those inside the jurisdiction, or
    the one above a worker's grid."""
    stmt = scoped(select(Area).where(Area.level == "village"), principal, Area, ancestors=True)
    return session.scalars(stmt.order_by(Area.code).limit(limit)).all()
