"""Actual houses (实有房屋) at standard addresses, and their rental records (出租登记).

A house takes its address's place (``scope_code``): one house per address. Its owner is a
registered person (seen through the door) or a name; its occupants are the people whose
``house_id`` is the house, shown by name and masked ID number only. Services take ``now`` and
never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.masking import mask_id_number
from gridgov.kit.pagination import PAGE_SIZE
from gridgov.models.registry import House, Rental
from gridgov.registry import places_repository as repo
from gridgov.registry.addresses import access_address
from gridgov.registry.places_rules import HOUSE_USAGES
from gridgov.registry.places_schemas import (
    HouseCreate,
    HouseDetail,
    HousePage,
    HouseRead,
    Occupant,
    RentalCreate,
    RentalRead,
)

HOUSE_MISSING = "房屋不存在"


def access_house(session: Session, principal: Principal, house_id: int) -> House:
    """A house the principal may see; outside the jurisdiction it does not exist (404)."""
    house = repo.get_house(session, principal, house_id)
    if house is None:
        raise NotFound(HOUSE_MISSING)
    return house


def _check_person(session: Session, principal: Principal, person_id: int | None, label: str) -> None:
    if person_id is not None and repo.get_person(session, principal, person_id) is None:
        raise Invalid(f"{label}（实有人口编号 {person_id}）不存在或不在你的辖区内")


def create_house(session: Session, principal: Principal, data: HouseCreate, *, now: datetime,
                 source: str = "manual") -> House:
    address = access_address(session, principal, data.address_id)
    existing = repo.house_at(session, address.id)
    if existing is not None:
        raise Conflict(f"该地址已登记房屋（房屋编号 {existing.id}）：{address.canonical}",
                       details=[{"field": "address_id", "house_id": existing.id}])
    _check_person(session, principal, data.owner_person_id, "产权人")
    house = House(address_id=address.id, usage=data.usage, owner_person_id=data.owner_person_id,
                  owner_name=data.owner_name, area_m2=data.area_m2, note=data.note, scope_code=address.scope_code,
                  source=source, created_at=now, updated_at=now)
    repo.add_unique(session, house, f"该地址已登记房屋：{address.canonical}")
    record(session, actor=principal, action="house_created", now=now, object_type="house", object_id=house.id,
           area_code=address.area_code, after={"address": address.code, "usage": house.usage})
    return house


def house_read(house: House, address_text: str) -> HouseRead:
    return HouseRead(id=house.id, address_id=house.address_id, address=address_text, usage=house.usage,
                     usage_label=HOUSE_USAGES.get(house.usage, house.usage), owner_person_id=house.owner_person_id,
                     owner_name=house.owner_name, area_m2=house.area_m2, note=house.note,
                     scope_code=house.scope_code)


def list_houses(session: Session, principal: Principal, *, grid: str | None = None, address_id: int | None = None,
                usage: str | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> HousePage:
    rows, total = repo.list_houses(session, principal, grid=grid or None, address_id=address_id, usage=usage or None,
                                   offset=(page - 1) * page_size, limit=page_size)
    addresses = repo.addresses_by_id(session, principal, [h.address_id for h in rows])
    items = [house_read(h, addresses[h.address_id].canonical if h.address_id in addresses else "") for h in rows]
    return HousePage(items=items, total=total, page=page, page_size=page_size)


def house_detail(session: Session, principal: Principal, house_id: int) -> HouseDetail:
    house = access_house(session, principal, house_id)
    address = repo.addresses_by_id(session, principal, [house.address_id]).get(house.address_id)
    occupants = [Occupant(id=p.id, name=p.name, id_number_mask=mask_id_number(p.id_number_mask))
                 for p in repo.occupants(session, principal, house.id)]
    rentals = repo.rentals_of(session, house.id)
    names = repo.person_names(session, principal, [r.tenant_person_id for r in rentals])
    owner = repo.person_names(session, principal, [house.owner_person_id]).get(house.owner_person_id)
    read = house_read(house, address.canonical if address else "")
    if owner and not read.owner_name:
        read.owner_name = owner
    return HouseDetail(**read.model_dump(), occupants=occupants,
                       rentals=[RentalRead(id=r.id, tenant_person_id=r.tenant_person_id,
                                           tenant_name=names.get(r.tenant_person_id, ""),
                                           tenant_unit_id=r.tenant_unit_id, start_on=r.start_on, end_on=r.end_on,
                                           note=r.note) for r in rentals])


def add_rental(session: Session, principal: Principal, house_id: int, data: RentalCreate, *,
               now: datetime) -> Rental:
    house = access_house(session, principal, house_id)
    _check_person(session, principal, data.tenant_person_id, "承租人")
    if data.tenant_unit_id is not None and repo.get_unit(session, principal, data.tenant_unit_id) is None:
        raise Invalid(f"承租单位（编号 {data.tenant_unit_id}）不存在或不在你的辖区内")
    rental = Rental(house_id=house.id, tenant_person_id=data.tenant_person_id, tenant_unit_id=data.tenant_unit_id,
                    start_on=data.start_on, end_on=data.end_on, note=data.note, created_at=now)
    session.add(rental)
    house.updated_at = now
    session.flush()
    record(session, actor=principal, action="rental_recorded", now=now, object_type="house", object_id=house.id,
           area_code=house.scope_code[:12], after={"rental": rental.id, "start_on": str(rental.start_on)})
    return rental
