"""The API of standard addresses, houses (with rentals) and units: lists within the jurisdiction,
one item (404 outside), registration. Contact phones and ID numbers are masked in every answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.authz.principals import RegistryReader, RegistryWriter
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import MAX_ID, IdPath, PageQuery
from gridgov.registry import addresses, houses, units
from gridgov.registry.places_schemas import (
    AddressCreate,
    AddressDetail,
    AddressPage,
    AddressRead,
    HouseCreate,
    HouseDetail,
    HousePage,
    RentalCreate,
    UnitCreate,
    UnitPage,
    UnitRead,
    Usage,
)

router = APIRouter(tags=["registry"])

PageSize = Annotated[int, Query(ge=1, le=200, description="每页条数")]
GridQuery = Annotated[str | None, Query(pattern=r"^\d{15,17}$", description="网格（或微网格）编码")]
TextQuery = Annotated[str | None, Query(max_length=100)]


@router.get("/addresses", response_model=AddressPage, summary="辖区内的标准地址（按地址全文查找）")
def list_addresses(session: SessionDep, me: RegistryReader, q: TextQuery = None, grid: GridQuery = None,
                   page: PageQuery = 1, page_size: PageSize = 50) -> AddressPage:
    return addresses.list_addresses(session, me, q=q, grid=grid, page=page, page_size=page_size)


@router.post("/addresses", response_model=AddressRead, status_code=201, summary="登记标准地址（重复的地址不再登记）")
def create_address(data: AddressCreate, session: SessionDep, me: RegistryWriter) -> AddressRead:
    return addresses.address_read(addresses.create_address(session, me, data, now=utc_now()))


@router.get("/addresses/{address_id}", response_model=AddressDetail, summary="标准地址（含房屋、单位、居住人数）")
def get_address(address_id: IdPath, session: SessionDep, me: RegistryReader) -> AddressDetail:
    return addresses.address_detail(session, me, address_id)


@router.get("/houses", response_model=HousePage, summary="辖区内的实有房屋")
def list_houses(session: SessionDep, me: RegistryReader, grid: GridQuery = None,
                address: Annotated[int | None, Query(ge=1, le=MAX_ID, description="标准地址编号")] = None,
                usage: Usage | None = None, page: PageQuery = 1, page_size: PageSize = 50) -> HousePage:
    return houses.list_houses(session, me, grid=grid, address_id=address, usage=usage, page=page,
                              page_size=page_size)


@router.post("/houses", response_model=HouseDetail, status_code=201, summary="登记实有房屋")
def create_house(data: HouseCreate, session: SessionDep, me: RegistryWriter) -> HouseDetail:
    house = houses.create_house(session, me, data, now=utc_now())
    return houses.house_detail(session, me, house.id)


@router.get("/houses/{house_id}", response_model=HouseDetail, summary="实有房屋（居住人员脱敏、出租记录）")
def get_house(house_id: IdPath, session: SessionDep, me: RegistryReader) -> HouseDetail:
    return houses.house_detail(session, me, house_id)


@router.post("/houses/{house_id}/rentals", response_model=HouseDetail, status_code=201, summary="登记出租记录")
def add_rental(house_id: IdPath, data: RentalCreate, session: SessionDep, me: RegistryWriter) -> HouseDetail:
    houses.add_rental(session, me, house_id, data, now=utc_now())
    return houses.house_detail(session, me, house_id)


@router.get("/units", response_model=UnitPage, summary="辖区内的实有单位")
def list_units(session: SessionDep, me: RegistryReader,
               uscc: Annotated[str | None, Query(max_length=24, description="统一社会信用代码（精确匹配）")] = None,
               q: TextQuery = None, grid: GridQuery = None, page: PageQuery = 1, page_size: PageSize = 50) -> UnitPage:
    return units.list_units(session, me, uscc=uscc, q=q, grid=grid, page=page, page_size=page_size)


@router.post("/units", response_model=UnitRead, status_code=201, summary="登记实有单位")
def create_unit(data: UnitCreate, request: Request, session: SessionDep, me: RegistryWriter) -> UnitRead:
    unit = units.create_unit(session, me, data, cipher=request.app.state.cipher, now=utc_now())
    return units.unit_read(session, me, unit)


@router.get("/units/{unit_id}", response_model=UnitRead, summary="实有单位（联系电话脱敏）")
def get_unit(unit_id: IdPath, session: SessionDep, me: RegistryReader) -> UnitRead:
    return units.get_unit(session, me, unit_id)
