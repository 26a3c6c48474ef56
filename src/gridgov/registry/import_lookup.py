"""The look-ups an import makes, in chunks (a file may name 100,000 codes): every query through
the jurisdiction door. Uniqueness is checked across the whole register (:data:`SYSTEM`), since the
database's unique keys are, but a duplicate outside the importer's jurisdiction is never named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.models import Area, Grid
from gridgov.models.registry import Address, House, Person, Unit
from gridgov.models.territory import AreaLevel, GridStatus

__all__ = ["SYSTEM", "covers"]

CHUNK = 500


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted({v for v in values if v is not None and v != ""})
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def covers(me: Principal, code: str) -> bool:
    return scope.covers(me, code)


def villages(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Village/community code → the names of its county, its town and itself (the start of a
    canonical address, as a registration writes it)."""
    out: dict[str, str] = {}
    for chunk in _chunks(codes):
        rows = session.execute(scoped_areas(chunk)).all()
        towns = dict(session.execute(scope.scoped(select(Area.code, Area.parent_code).where(
            Area.code.in_({r.parent_code for r in rows})), SYSTEM, Area)).all()) if rows else {}
        wanted = set(towns) | set(towns.values())
        names = dict(session.execute(scope.scoped(select(Area.code, Area.name).where(Area.code.in_(wanted)),
                                                  SYSTEM, Area)).all()) if wanted else {}
        out |= {r.code: names.get(towns.get(r.parent_code, ""), "") + names.get(r.parent_code, "") + r.name
                for r in rows}
    return out


def scoped_areas(chunk: list[str]):
    return scope.scoped(select(Area.code, Area.name, Area.parent_code)
                        .where(Area.code.in_(chunk), Area.level == AreaLevel.VILLAGE), SYSTEM, Area)


def grids(session: Session, codes: Iterable[str]) -> set[str]:
    """The codes among ``codes`` of grids in force."""
    out: set[str] = set()
    for chunk in _chunks(codes):
        out |= set(session.scalars(scope.scoped(
            select(Grid.code).where(Grid.code.in_(chunk), Grid.status == GridStatus.ACTIVE), SYSTEM, Grid)))
    return out


def addresses(session: Session, me: Principal, codes: Iterable[str]) -> dict[str, Any]:
    """Address code → (id, scope_code) of the addresses the importer may see."""
    out: dict[str, Any] = {}
    for chunk in _chunks(codes):
        for row in session.execute(scope.scoped(
                select(Address.id, Address.code, Address.scope_code).where(Address.code.in_(chunk)), me, Address)):
            out[row.code] = row
    return out


def addresses_taken(session: Session, me: Principal, canonicals: Iterable[str]) -> dict[str, str]:
    """Canonical text → the code of the address already registered with it (its code only when the
    importer may see it, else "")."""
    out: dict[str, str] = {}
    for chunk in _chunks(canonicals):
        for row in session.execute(scope.scoped(
                select(Address.canonical, Address.code, Address.scope_code).where(Address.canonical.in_(chunk)),
                SYSTEM, Address)):
            out[row.canonical] = row.code if scope.covers(me, row.scope_code) else ""
    return out


def addresses_with_house(session: Session, me: Principal, address_ids: Iterable[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(address_ids):
        out |= set(session.scalars(scope.scoped(select(House.address_id).where(House.address_id.in_(chunk)),
                                                SYSTEM, House)))
    return out


def houses_at(session: Session, me: Principal, address_ids: Iterable[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for chunk in _chunks(address_ids):
        out |= dict(session.execute(scope.scoped(
            select(House.address_id, House.id).where(House.address_id.in_(chunk)), me, House)).all())
    return out


def people_by_index(session: Session, me: Principal, indexes: Iterable[str]) -> dict[str, int]:
    """Blind index → person id, of the people ``me`` may see (:data:`SYSTEM`: anyone)."""
    out: dict[str, int] = {}
    for chunk in _chunks(indexes):
        out |= dict(session.execute(scope.scoped(
            select(Person.id_number_index, Person.id).where(Person.id_number_index.in_(chunk)), me, Person)).all())
    return {k: v for k, v in out.items()}


def uscc_taken(session: Session, codes: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(codes):
        out |= set(session.scalars(scope.scoped(select(Unit.uscc).where(Unit.uscc.in_(chunk)), SYSTEM, Unit)))
    return out
