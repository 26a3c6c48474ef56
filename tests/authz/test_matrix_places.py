"""The jurisdiction matrix of standard addresses, houses and units (issue 15): every demo account ×
every list and detail of them, over a register laid across the demo city (two grids of the demo
town, a village of it outside any grid, another county's grid).

The machinery is the one of ``test_matrix.py`` (``Universe``, ``check_list``, ``Seen``): the expected
answer comes from the account's scope and plain reads of the tables, never from the code under test.
Who may read the register is written here by hand from the brief (grid staff, agencies, departments
hold ``registry.read``; auditors and security administrators do not); departments hold it yet see
nothing (no profile grant).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.authz.permissions import Permission
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Grid
from gridgov.models.registry import Address, House, Unit
from gridgov.registry import addresses, houses, units
from gridgov.registry.places_schemas import AddressCreate, HouseCreate, UnitCreate

from ..conftest import TEST_SECRET_KEY
from ..registry.places_common import point_in
from .matrix_common import Failures
from .test_matrix import HTML, List, Seen, Universe, check_list, get

_R = Permission.REGISTRY_READ
READS_REGISTER = {"city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "leader", "dept_cg",
                  "dept_sc"}
DEPARTMENTS = {"dept_cg", "dept_sc"}


@pytest.fixture
def register(db):
    """Addresses (each with a house and a unit) in the demo grid, another grid of the demo town in another
    village, worker2's grid, and one in the demo grid's village outside any grid."""
    u = Universe(db, "worker")
    p = u.places
    other = db.scalar(select(Grid.code).where(Grid.code.startswith(p.town[:9]), Grid.status == "active",
                                              ~Grid.code.startswith(p.village)).order_by(Grid.code).limit(1))
    now, cipher = utc_now(), FieldCipher(TEST_SECRET_KEY)
    made = []
    for n, grid in enumerate((p.grid, other, p.grid2)):
        lon, lat = point_in(db, grid)
        made.append(addresses.create_address(db, SYSTEM, AddressCreate(area_code=grid[:12], road="矩阵路",
                                                                       house_no=str(n + 1), lon=lon, lat=lat), now=now))
    made.append(addresses.create_address(db, SYSTEM, AddressCreate(area_code=p.village, road="矩阵路", house_no="99"),
                                         now=now))
    for a in made:
        houses.create_house(db, SYSTEM, HouseCreate(address_id=a.id), now=now)
        units.create_unit(db, SYSTEM, UnitCreate(name=f"矩阵单位{a.id}", address_id=a.id, contact_phone="13800001111"),
                          cipher=cipher, now=now)
    db.commit()
    assert {a.scope_code for a in made} == {p.grid, other, p.grid2, p.village}
    return made


class Register(Universe):
    def __init__(self, db, username: str):
        super().__init__(db, username)
        self.rows = {"address": dict(db.execute(select(Address.id, Address.scope_code)).all()),
                     "house": dict(db.execute(select(House.id, House.scope_code)).all()),
                     "unit": dict(db.execute(select(Unit.id, Unit.scope_code)).all())}
        # the detail pages are opened for every row the tests registered and three of the demo
        # register's of each kind (thousands of synthetic rows, all alike): the lists cover them all
        self.sample = {}
        for kind, model in (("address", Address), ("house", House), ("unit", Unit)):
            own = db.scalars(select(model.id).where(model.source != "demo")).all()
            demo = db.scalars(select(model.id).where(model.source == "demo").order_by(model.id).limit(3)).all()
            self.sample[kind] = {str(i) for i in (*own, *demo)}

    def can(self, permission: Permission) -> bool:
        assert permission == _R
        return self.username in READS_REGISTER

    def seen_of(self, kind: str) -> set[str]:
        if self.username in DEPARTMENTS:
            return set()
        return {str(i) for i, scope in self.rows[kind].items() if self.covers(scope)}


def _api(path: str, kind: str):
    def fetch(c, u: Register) -> Seen:
        seen, page = {}, 1
        while True:
            body = get(c, path, page=page, page_size=200).json()
            seen.update({str(i["id"]): i["scope_code"] for i in body["items"]})
            if page * 200 >= body["total"]:
                assert body["total"] == len(seen)
                return Seen(seen)
            page += 1

    return fetch


def _page(path: str, attr: str, total_id: str):
    def fetch(c, u: Register) -> Seen:
        html = get(c, path, html=True).text
        total = int(re.search(rf'id="{total_id}" data-total="(\d+)"', html).group(1))
        return Seen(dict(re.findall(rf'data-{attr}="(\d+)" data-scope="(\d+)"', html)), total)

    return fetch


LISTS = [
    List("标准地址 API", _R, _api("/api/v1/addresses", "address"), lambda u: u.seen_of("address")),
    List("标准地址页面", _R, _page("/registry/addresses", "address", "address-total"), lambda u: u.seen_of("address")),
    List("实有房屋 API", _R, _api("/api/v1/houses", "house"), lambda u: u.seen_of("house")),
    List("实有单位 API", _R, _api("/api/v1/units", "unit"), lambda u: u.seen_of("unit")),
    List("实有单位页面", _R, _page("/registry/units", "unit", "unit-total"), lambda u: u.seen_of("unit")),
]

DETAILS = [
    ("标准地址 API", "/api/v1/addresses/{id}", "address", False),
    ("标准地址页面", "/registry/addresses/{id}", "address", True),
    ("实有房屋 API", "/api/v1/houses/{id}", "house", False),
    ("实有房屋页面", "/registry/houses/{id}", "house", True),
    ("实有单位 API", "/api/v1/units/{id}", "unit", False),
    ("实有单位页面", "/registry/units/{id}", "unit", True),
]
MISSING = "2000000000"


def _message(r) -> str:
    if r.headers.get("content-type", "").startswith("application/json"):
        return r.json()["detail"]
    return re.search(r'class="error-page__message">([^<]*)<', r.text).group(1)


def check_details(c, u: Register, fail: Failures) -> None:
    for name, url, kind, html in DETAILS:
        headers = HTML if html else {}
        inside = u.seen_of(kind) & u.sample[kind]
        if not u.can(_R):
            some = next(iter(u.rows[kind]))
            r = c.get(url.format(id=some), headers=headers)
            fail.check(r.status_code == 403, f"{name}: 无权限的角色 {u.role} 得到 {r.status_code}")
            continue
        for key in inside:
            r = c.get(url.format(id=key), headers=headers)
            fail.check(r.status_code == 200, f"{name}: 辖区内 {key} 得到 {r.status_code}")
        missing = c.get(url.format(id=MISSING), headers=headers)
        fail.check(missing.status_code == 404, f"{name}: 不存在的得到 {missing.status_code}")
        for key in u.sample[kind] - inside:
            r = c.get(url.format(id=key), headers=headers)
            fail.check(r.status_code == 404 and _message(r) == _message(missing),
                       f"{name}: 辖区外 {key} 得到 {r.status_code}")


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_sees_exactly_the_register_of_its_jurisdiction(username, register, client_as, db):
    u = Register(db, username)
    c = client_as(username)
    fail = Failures()
    for row in LISTS:
        check_list(row, c, u, fail)
    check_details(c, u, fail)
    if username in ("worker", "worker2", "town_dispatcher", "city_admin"):
        fail.check(bool(u.seen_of("address")), f"{username} 应能看到登记的地址")
    assert not fail.items, f"{username}（{u.role}，前缀 {u.prefix}）：\n" + "\n".join(fail.items)


def test_the_register_matrix_covers_every_demo_account():
    assert READS_REGISTER | {"auditor", "security_admin"} == {a.username for a in DEMO_ACCOUNTS}
