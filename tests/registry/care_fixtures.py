"""Test data of the care tests: households and tagged people written straight into the tables with
the app's cipher (the people and places APIs are built in parallel, so these tests do not use them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.models import User
from gridgov.models.registry import Address, House, Person, PersonTag
from gridgov.registry import tags as rules

CITY = "321100000000"
_serial = itertools.count(1)


@dataclass
class Household:
    grid: str
    address: Address
    house: House
    people: list[Person] = field(default_factory=list)


def principal(session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     scope_code=user.scope_code, department_code=user.department_code)


def grids(session) -> tuple[str, str]:
    """The demo grid (worker, leader) and the grid of worker2 (another county)."""
    places = demo_places(session, CITY)
    return places.grid, places.grid2


def household(session, cipher, grid: str, road: str, names: list[str], *, now: datetime | None = None) -> Household:
    now = now or datetime.now(UTC)
    n = next(_serial)
    village = grid[:12]
    address = Address(code=f"T{grid}{n:05d}"[:24], area_code=village, road=road, house_no=f"{n}号",
                      canonical=f"测试社区{road}{n}号{grid[-3:]}", grid_code=grid, scope_code=grid, source="manual",
                      created_at=now, updated_at=now)
    session.add(address)
    session.flush()
    house = House(address_id=address.id, usage="own", scope_code=grid, created_at=now, updated_at=now)
    session.add(house)
    session.flush()
    found = Household(grid, address, house)
    for name in names:
        number = f"32110219{n:04d}{len(found.people):02d}01{n % 10}"
        person = Person(name=name, id_number_enc=cipher.encrypt(number), id_number_index=cipher.blind_index(number),
                        id_number_mask="*" * 14 + number[-4:], house_id=house.id, scope_code=grid,
                        created_at=now, updated_at=now)
        session.add(person)
        found.people.append(person)
    session.flush()
    return found


def tag(session, cipher, profile, person: Person, code: str, *, since: date, due: date | None = None) -> PersonTag:
    """Tags a person as the service does; ``due`` overrides the first due date."""
    table = rules.tag_table(profile)
    row = PersonTag(person_id=person.id, tag_enc=cipher.encrypt(code), tag_index=rules.tag_index(cipher, code),
                    since=since, visit_due_on=due or rules.next_due(since, table[code]), scope_code=person.scope_code,
                    created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row


def days_ago(n: int) -> date:
    return (datetime.now(UTC) + timedelta(hours=8)).date() - timedelta(days=n)
