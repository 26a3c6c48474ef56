"""Register rows built straight from the models, for tests of what works on them (retention, the
information report) without going through the register's own services."""

from __future__ import annotations

from datetime import timedelta

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Address, House, Person

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
NOW = utc_now()
YEAR = timedelta(days=366)


class Register:
    """An address and a house in a grid (the demo town's first by default), and people in it."""

    def __init__(self, db, grid: str | None = None):
        self.db, self.cipher, self.n = db, FieldCipher(TEST_SECRET_KEY), 0
        self.grid = grid or demo_places(db, CITY).grid
        self.address = Address(code="T" + self.grid, area_code=self.grid[:12], canonical=f"测试地址 {self.grid}",
                               grid_code=self.grid, scope_code=self.grid, created_at=NOW, updated_at=NOW)
        db.add(self.address)
        db.flush()
        self.house = House(address_id=self.address.id, scope_code=self.grid, created_at=NOW, updated_at=NOW)
        db.add(self.house)
        db.flush()

    def person(self, name: str, status: str = "active", archived_years_ago: float | None = None,
               number: str | None = None, phone: str | None = None) -> Person:
        self.n += 1
        number = number or f"RETENTION-{self.n}"
        p = Person(name=name, id_kind="resident" if number[:1].isdigit() else "passport",
                   id_number_enc=self.cipher.encrypt(number),
                   phone_enc=self.cipher.encrypt(phone) if phone else None,
                   id_number_index=self.cipher.blind_index(number), id_number_mask="R****", status=status,
                   house_id=self.house.id, scope_code=self.grid, created_at=NOW, updated_at=NOW,
                   archived_at=None if archived_years_ago is None else NOW - archived_years_ago * YEAR)
        self.db.add(p)
        self.db.flush()
        return p
