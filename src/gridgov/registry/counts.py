"""Counts of the register by place (issue 16, for the governance index): residents, houses and
houses with a resident, under an area, grouped by the first digits of the rows' ``scope_code`` (a
county's 6, a town's 9, a village's 12, a grid's 15). The register keeps its present state, not
its history: the counts are as of now. Read through the scope door: the caller's jurisdiction only
(departments see none of the register unless the profile grants it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped, starts_with
from gridgov.models.registry import House, Person

ACTIVE = "active"


@dataclass
class RegisterCount:
    residents: int = 0
    """People registered under the place whose status is active (not moved out, died or archived)."""
    houses: int = 0
    occupied_houses: int = 0
    """Houses at least one active resident is registered in."""


def register_counts(session: Session, principal: Principal, *, prefix: str, key_len: int) -> dict[str, RegisterCount]:
    """The counts of the register rows under ``prefix`` by ``scope_code[:key_len]``; the key ``""``
    holds the total under the prefix."""
    out: dict[str, RegisterCount] = {"": RegisterCount()}

    def add(key: str, field: str, n: int) -> None:
        for k in (key, ""):
            count = out.setdefault(k, RegisterCount())
            setattr(count, field, getattr(count, field) + n)

    key = func.substr(Person.scope_code, 1, key_len)
    people = scoped(select(key, func.count(), func.count(distinct(Person.house_id)))
                    .where(starts_with(Person.scope_code, prefix), Person.status == ACTIVE).group_by(key),
                    principal, Person)
    for k, residents, occupied in session.execute(people):
        add(k, "residents", residents)
        add(k, "occupied_houses", occupied)
    hkey = func.substr(House.scope_code, 1, key_len)
    houses = scoped(select(hkey, func.count()).where(starts_with(House.scope_code, prefix)).group_by(hkey),
                    principal, House)
    for k, n in session.execute(houses):
        add(k, "houses", n)
    return out
