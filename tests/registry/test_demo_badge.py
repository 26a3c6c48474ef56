"""Demo rows say so (issue 15: the demo register is "clearly marked as demo data"): a person or an
address whose source is ``demo`` shows 演示数据 on its page; a real one does not."""

from __future__ import annotations

from gridgov.accounts.demo import demo_places
from gridgov.models import Address

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
    demo_address = db.query(Address).filter(Address.source == "demo").first()
    assert demo_address is not None  # the demo town's register
    assert "演示数据" in c.get(f"/registry/addresses/{demo_address.id}", headers=HTML).text
