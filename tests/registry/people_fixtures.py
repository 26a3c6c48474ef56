"""Helpers of the people tests: valid fictional ID numbers (GB 11643 check digit computed, not
copied) and people placed at the demo city's places through the service, as the system."""

from __future__ import annotations

import itertools
from datetime import date

from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.registry import people
from gridgov.registry.people_schemas import PersonCreate
from gridgov.registry.rules import id_check_digit

from ..conftest import TEST_SECRET_KEY

CIPHER = FieldCipher(TEST_SECRET_KEY)
_serial = itertools.count(101)


def make_id(born: date = date(1990, 3, 7), region: str = "321102", *, male: bool = True,
            serial: int | None = None) -> str:
    """An 18-digit number with a valid check digit; the 17th digit odd for a man, even for a woman."""
    n = next(_serial) if serial is None else serial
    seq = f"{n % 100:02d}{(1 if male else 2) + 2 * (n % 4)}"
    shift = max(n - 101, 0) // 100  # the first hundred as they always were; then the region moves on
    region = f"{region[:4]}{(int(region[4:6]) + shift) % 100:02d}" if shift else region
    first17 = f"{region}{born:%Y%m%d}{seq}"  # the region's last digits move on every 100: never a repeat
    return first17 + id_check_digit(first17)


def id_ending_in_x() -> str:
    """A valid number whose check digit is X."""
    for n in range(1, 1000):
        number = make_id(serial=n)
        if number.endswith("X"):
            return number
    raise AssertionError("no number ending in X")


def add_person(db, *, name: str = "测试人员", grid: str | None = None, area: str | None = None,
               id_number: str | None = None, phone: str | None = "13812345678", **kw):
    """A person registered by the system at a grid (or a village), flushed so the app sees it."""
    data = PersonCreate(name=name, id_number=id_number or make_id(), phone=phone, grid_code=grid, area_code=area,
                        **kw)
    person = people.new_person(db, SYSTEM, data, cipher=CIPHER, now=utc_now())
    db.flush()
    return person
