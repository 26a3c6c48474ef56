"""Two registrations of one address at once: the second waits for the first (the village's counter
row is locked until the first ends) and is refused with 409 naming it, never a 500 from the unique
index (on PostgreSQL the check before the insert could not see the first's uncommitted row)."""

from __future__ import annotations

import threading
import time

from gridgov.authz.scope import SYSTEM
from gridgov.errors import Conflict
from gridgov.kit.clock import utc_now
from gridgov.registry import addresses
from gridgov.registry.places_schemas import AddressCreate

from .places_common import places_of, point_in


def test_two_registrations_of_one_address_at_once_give_one_address_and_one_409(committed):
    app, factory = committed
    write = app.state.write_sessionmaker
    with factory() as s:
        places = places_of(s)
        lon, lat = point_in(s, places.grid)
    data = AddressCreate(area_code=places.village, road="并发路", house_no="1", lon=lon, lat=lat)
    first = write()
    made = addresses.create_address(first, SYSTEM, data, now=utc_now())
    outcome: dict[str, str] = {}

    def second() -> None:
        with write() as s:
            try:
                addresses.create_address(s, SYSTEM, data, now=utc_now())
                s.commit()
                outcome["answer"] = "created"
            except Conflict as exc:
                outcome["answer"] = exc.message
            except Exception as exc:  # noqa: BLE001 - what the old order raised (IntegrityError): the finding
                outcome["answer"] = type(exc).__name__

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # waiting for the first
    code = made.code
    first.commit()
    first.close()
    thread.join(30)
    assert outcome["answer"].startswith("该地址已登记") and code in outcome["answer"], outcome
