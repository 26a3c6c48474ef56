"""Demo rows say so (issue 15: the demo register is "clearly marked as demo data"): a person or an
address whose source is ``demo`` shows 演示数据 on its page; a real one does not."""

from __future__ import annotations

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import utc_now
from gridgov.models import Address, House

from .people_fixtures import add_person

CITY = "321100000000"
HTML = {"accept": "text/html"}


def test_demo_people_and_addresses_are_marked_and_real_ones_are_not(db, client_as):
    grid = demo_places(db, CITY).grid
    real, demo = add_person(db, name="真实人员", grid=grid), add_person(db, name="演示人员", grid=grid)
    demo.source = "demo"
    db.flush()
    c = client_as("city_admin")
    assert "演示数据" in c.get(f"/registry/people/{demo.id}", headers=HTML).text
    assert "演示数据" not in c.get(f"/registry/people/{real.id}", headers=HTML).text
    address = db.get(Address, db.get(House, demo.house_id).address_id) if demo.house_id else None
    if address is None:
        address = Address(code=f"{grid[:12]}-999999", area_code=grid[:12], canonical=f"演示地址 {grid}",
                          grid_code=grid, scope_code=grid, created_at=utc_now(), updated_at=utc_now())
        db.add(address)
    address.source = "manual"
    db.flush()
    assert "演示数据" not in c.get(f"/registry/addresses/{address.id}", headers=HTML).text
    address.source = "demo"
    db.flush()
    assert "演示数据" in c.get(f"/registry/addresses/{address.id}", headers=HTML).text
