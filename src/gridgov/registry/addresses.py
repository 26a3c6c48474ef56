"""Standard addresses (标准地址): register one, find them by text within the jurisdiction, read one.

An address lies in its village/community (``area_code``) and, where its point (WGS84, GCJ-02 or
BD-09 in; WGS84 stored) falls in a grid, in that grid: ``scope_code`` is the grid code, else the
village's code. Without a point the user may name the grid. Its canonical text
(:mod:`.places_rules`) is unique: the same place typed twice is refused with the one on file named.
Its code is the village's code and the village's next number (the counters table). Services take
``now`` and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.geo.crs import to_wgs84
from gridgov.kit.pagination import PAGE_SIZE
from gridgov.models.registry import Address
from gridgov.models.territory import AreaLevel, GridKind, GridStatus
from gridgov.registry import places_repository as repo
from gridgov.registry import places_rules as rules
from gridgov.registry.places_schemas import (
    AddressCreate,
    AddressDetail,
    AddressPage,
    AddressRead,
    UnitListItem,
)
from gridgov.territory.service import area_chain, get_locator

register_labels({"address_created": "登记标准地址", "house_created": "登记实有房屋",
                 "rental_recorded": "登记出租记录", "unit_created": "登记实有单位"})

ADDRESS_MISSING = "地址不存在"
NAME_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE)
"""The areas whose names start the canonical text."""


def access_address(session: Session, principal: Principal, address_id: int) -> Address:
    """An address the principal may see; outside the jurisdiction it does not exist (404)."""
    address = repo.get_address(session, principal, address_id)
    if address is None:
        raise NotFound(ADDRESS_MISSING)
    return address


def _village(session: Session, principal: Principal, code: str):
    area = repo.visible_area(session, principal, code)
    if area is None:
        raise NotFound(f"区域 {code} 不存在")
    if area.level != AreaLevel.VILLAGE:
        raise Invalid("地址所在区域应为村（社区）")
    return area


def _place(session: Session, principal: Principal,
           data: AddressCreate) -> tuple[float | None, float | None, str | None]:
    """The point in WGS84 and the grid it lies in (or the grid named), checked against the village
    and the jurisdiction."""
    lon = lat = None
    grid_code = None
    if data.lon is not None and data.lat is not None:
        try:
            lon, lat = (float(v) for v in to_wgs84(data.lon, data.lat, data.crs))
            grid_code = get_locator(session).locate(lon, lat)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        if data.grid_code and grid_code != data.grid_code:
            raise Invalid(f"坐标不在填写的网格 {data.grid_code} 内")
    elif data.grid_code:
        grid = repo.visible_grid(session, principal, data.grid_code)
        if grid is None or grid.status != GridStatus.ACTIVE:
            raise Invalid(f"网格 {data.grid_code} 不存在或不在你的辖区内")
        grid_code = grid.code
    if grid_code is not None and not grid_code.startswith(data.area_code):
        raise Invalid("该位置不在所选村（社区）的网格内，请核对坐标或所在村（社区）")
    scope = grid_code or data.area_code
    if not covers(principal, scope):
        raise Invalid("该位置不在你辖区的网格内；请给出辖区内的坐标或网格编码")
    return lon, lat, grid_code


def canonical_of(session: Session, area_code: str, parts: dict) -> str:
    names = [a.name for a in area_chain(session, area_code) if a.level in NAME_LEVELS]
    return rules.canonical_text(names, parts)


def create_address(session: Session, principal: Principal, data: AddressCreate, *, now: datetime,
                   source: str = "manual") -> Address:
    area = _village(session, principal, data.area_code)
    lon, lat, grid_code = _place(session, principal, data)
    raw = {name: getattr(data, name) for name in rules.PART_ORDER}
    parts = rules.canonical_parts(raw)
    canonical = canonical_of(session, area.code, raw)
    if len(canonical) > 200:
        raise Invalid("地址全文过长（最多 200 字）")
    # The village's number first: its counter row stays locked until this transaction ends, so two
    # registrations in one village take turns and the second sees the first's text (409, not a 500).
    seq = repo.next_number(session, rules.counter_name(area.code))
    existing = repo.address_by_canonical(session, canonical)
    if existing is not None:
        raise Conflict(f"该地址已登记：{existing.code} {existing.canonical}",
                       details=[{"field": "address", "code": existing.code, "canonical": existing.canonical}])
    address = Address(code=rules.address_code(area.code, seq), area_code=area.code, canonical=canonical,
                      lon=lon, lat=lat, grid_code=grid_code, scope_code=grid_code or area.code, source=source,
                      created_by=principal.user_id if principal else None, created_at=now, updated_at=now, **parts)
    session.add(address)
    session.flush()
    record(session, actor=principal, action="address_created", now=now, object_type="address",
           object_id=address.id, area_code=area.code, after={"code": address.code, "scope_code": address.scope_code})
    return address


def address_read(address: Address, area_names: dict[str, str] | None = None) -> AddressRead:
    return AddressRead(
        id=address.id, code=address.code, area_code=address.area_code,
        area_name=(area_names or {}).get(address.area_code, ""), road=address.road, house_no=address.house_no,
        building=address.building, unit=address.unit, room=address.room, canonical=address.canonical,
        lon=address.lon, lat=address.lat, grid_code=address.grid_code, scope_code=address.scope_code,
        source=address.source)


def list_addresses(session: Session, principal: Principal, *, q: str | None = None, grid: str | None = None,
                   page: int = 1, page_size: int = PAGE_SIZE) -> AddressPage:
    rows, total = repo.list_addresses(session, principal, q=rules.search_text(q) or None, grid=grid or None,
                                      offset=(page - 1) * page_size, limit=page_size)
    return AddressPage(items=[address_read(a) for a in rows], total=total, page=page, page_size=page_size)


def address_detail(session: Session, principal: Principal, address_id: int) -> AddressDetail:
    address = access_address(session, principal, address_id)
    house = repo.house_at(session, address.id)
    house = house if house is not None and repo.get_house(session, principal, house.id) is not None else None
    units = [UnitListItem.of(u, address.canonical) for u in repo.units_at(session, principal, address.id)]
    people = repo.count_occupants(session, principal, house.id) if house is not None else 0
    return AddressDetail(**address_read(address).model_dump(), house_id=house.id if house else None,
                         house_usage=house.usage if house else None, units=units, people=people)


def is_dedicated(grid) -> bool:
    return grid is not None and grid.kind == GridKind.DEDICATED and grid.status == GridStatus.ACTIVE


def village_options(session: Session, principal: Principal) -> list[dict]:
    """The villages/communities offered in the address form."""
    return [{"code": a.code, "name": a.name} for a in repo.villages(session, principal)]
