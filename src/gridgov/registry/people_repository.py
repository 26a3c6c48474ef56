"""Queries on the people of the register (实有人口), each through the one scope door
(:mod:`gridgov.authz.scope`): a person, a house, a tag is readable when its ``scope_code`` lies in the
principal's jurisdiction (and, for a department, only where the profile grants its kind the register:
the door's rule). Moves and relations are read for a person already opened through the door.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.models import Area, Grid, MicroGrid
from gridgov.models.registry import Address, House, Move, Person, PersonTag, Relation


def get_person(session: Session, principal: Principal, person_id: int, *, for_update: bool = False) -> Person | None:
    return get_visible(session, principal, Person, person_id, for_update=for_update)


def person_id_by_index(session: Session, index: str) -> int | None:
    """Whoever holds this ID number (by its blind index), anywhere: one person has one record (the
    system's view: a duplicate is refused wherever the first record lies)."""
    return session.scalar(scoped(select(Person.id).where(Person.id_number_index == index), SYSTEM, Person))


def _filtered(stmt, principal: Principal, *, q: str | None, index: str | None, grid: str | None,
              tag_index: str | None):
    if index is not None:
        stmt = stmt.where(Person.id_number_index == index)
    if q:
        stmt = stmt.where(Person.name.contains(q, autoescape=True))
    if grid:
        stmt = stmt.where(Person.scope_code.startswith(grid))
    if tag_index is not None:
        tagged = scoped(select(PersonTag.person_id).where(PersonTag.tag_index == tag_index), principal, PersonTag)
        stmt = stmt.where(Person.id.in_(tagged))
    return stmt


def list_people(session: Session, principal: Principal, *, q: str | None, index: str | None, grid: str | None,
                tag_index: str | None, offset: int, limit: int) -> tuple[Sequence[Person], int]:
    where = {"q": q, "index": index, "grid": grid, "tag_index": tag_index}
    total = session.scalar(_filtered(scoped(select(func.count()).select_from(Person), principal, Person),
                                     principal, **where)) or 0
    stmt = _filtered(scoped(select(Person), principal, Person), principal, **where)
    rows = session.scalars(stmt.order_by(Person.scope_code, Person.name, Person.id).offset(offset).limit(limit)).all()
    return rows, total


def get_house(session: Session, principal: Principal, house_id: int) -> House | None:
    return get_visible(session, principal, House, house_id)


def house_addresses(session: Session, principal: Principal, house_ids: Iterable[int]) -> dict[int, str]:
    """The canonical address of each readable house."""
    ids = sorted({i for i in house_ids if i is not None})
    if not ids:
        return {}
    stmt = scoped(select(House.id, Address.canonical).join(Address, Address.id == House.address_id)
                  .where(House.id.in_(ids)), principal, House)
    return dict(session.execute(stmt).all())


def visible_grid(session: Session, principal: Principal, code: str) -> bool:
    model = MicroGrid if len(code) == 17 else Grid
    return get_visible(session, principal, model, code) is not None


def visible_area(session: Session, principal: Principal, code: str) -> Area | None:
    return get_visible(session, principal, Area, code)


def moves_of(session: Session, person_id: int) -> Sequence[Move]:
    """The moves of a person the caller has already opened through the door."""
    return session.scalars(select(Move).where(Move.person_id == person_id).order_by(Move.moved_on, Move.id)).all()


def relations_of(session: Session, principal: Principal, person_id: int) -> list[tuple[Relation, str]]:
    """The relations of a person already opened, with the relative's name where the principal may
    read that relative (else an empty name)."""
    rels = session.scalars(select(Relation).where(Relation.person_id == person_id).order_by(Relation.id)).all()
    ids = [r.relative_id for r in rels]
    names = dict(session.execute(scoped(select(Person.id, Person.name).where(Person.id.in_(ids)), principal,
                                        Person)).all()) if ids else {}
    return [(r, names.get(r.relative_id, "")) for r in rels]


def relation_exists(session: Session, person_id: int, relative_id: int) -> bool:
    stmt = select(Relation.id).where(Relation.person_id == person_id, Relation.relative_id == relative_id)
    return session.scalar(stmt) is not None
