"""What the API of standard addresses, houses and units reads and writes. Contact phones leave the
server masked only (:mod:`gridgov.kit.masking`); occupants show their name and masked ID number."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gridgov.kit.params import IdField
from gridgov.registry.places_rules import UNIT_KINDS as UNIT_KIND_LABELS

Crs = Literal["wgs84", "gcj02", "bd09"]
Usage = Literal["own", "rented", "vacant", "business", "other"]
UnitKind = Literal["enterprise", "individual", "institution", "government", "social", "other"]


class AddressCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    area_code: str = Field(pattern=r"^\d{12}$", title="村（社区）代码")
    road: str = Field("", max_length=60, title="街路巷或村民小组")
    house_no: str = Field("", max_length=20, title="门牌号")
    building: str = Field("", max_length=20, title="楼栋")
    unit: str = Field("", max_length=20, title="单元")
    room: str = Field("", max_length=20, title="室")
    lon: float | None = Field(None, ge=-180, le=180, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    crs: Crs = Field("wgs84", title="坐标系")
    grid_code: str | None = Field(None, pattern=r"^\d{15}$", title="网格编码（无坐标时）")

    @model_validator(mode="after")
    def _complete(self) -> AddressCreate:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if not (self.road or self.house_no):
            raise ValueError("请填写街路巷（村民小组）或门牌号")
        return self


class AddressRead(BaseModel):
    id: int
    code: str
    area_code: str
    area_name: str = ""
    road: str
    house_no: str
    building: str
    unit: str
    room: str
    canonical: str
    lon: float | None
    lat: float | None
    grid_code: str | None
    scope_code: str
    source: str


class AddressDetail(AddressRead):
    house_id: int | None = None
    house_usage: str | None = None
    units: list[UnitListItem] = []
    people: int = 0
    """How many people live in the house at this address (a count, no names)."""


class AddressPage(BaseModel):
    items: list[AddressRead]
    total: int
    page: int
    page_size: int


class HouseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    address_id: IdField
    usage: Usage = "own"
    owner_person_id: IdField | None = None
    owner_name: str = Field("", max_length=100, title="产权人（未登记为实有人口时）")
    area_m2: float | None = Field(None, ge=0, le=1_000_000, title="面积（平方米）")
    note: str = Field("", max_length=2000)


class RentalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tenant_person_id: IdField | None = None
    tenant_unit_id: IdField | None = None
    start_on: date
    end_on: date | None = None
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _tenant(self) -> RentalCreate:
        if (self.tenant_person_id is None) == (self.tenant_unit_id is None):
            raise ValueError("承租人须为一个实有人口或一个实有单位")
        if self.end_on is not None and self.end_on < self.start_on:
            raise ValueError("结束日期不能早于开始日期")
        return self


class RentalRead(BaseModel):
    id: int
    tenant_person_id: int | None
    tenant_name: str = ""
    tenant_unit_id: int | None
    start_on: date
    end_on: date | None
    note: str


class Occupant(BaseModel):
    id: int
    name: str
    id_number_mask: str


class HouseRead(BaseModel):
    id: int
    address_id: int
    address: str
    usage: str
    usage_label: str
    owner_person_id: int | None
    owner_name: str
    area_m2: float | None
    note: str
    scope_code: str


class HouseDetail(HouseRead):
    occupants: list[Occupant] = []
    rentals: list[RentalRead] = []


class HousePage(BaseModel):
    items: list[HouseRead]
    total: int
    page: int
    page_size: int


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, title="单位名称")
    uscc: str | None = Field(None, max_length=24, title="统一社会信用代码")
    kind: UnitKind = "enterprise"
    address_id: IdField
    contact_name: str = Field("", max_length=50, title="联系人")
    contact_phone: str = Field("", max_length=20, title="联系电话")
    dedicated_grid_code: str | None = Field(None, pattern=r"^\d{15}$", title="所属专属网格")


class UnitListItem(BaseModel):
    id: int
    name: str
    uscc: str | None
    kind: str
    kind_label: str
    address_id: int | None
    address: str = ""
    contact_name: str
    contact_phone_mask: str
    dedicated_grid_code: str | None
    status: str
    scope_code: str

    @classmethod
    def of(cls, unit, address_text: str = "") -> UnitListItem:
        """The item of a unit row (its contact phone as the stored mask)."""
        return cls(id=unit.id, name=unit.name, uscc=unit.uscc, kind=unit.kind,
                   kind_label=UNIT_KIND_LABELS.get(unit.kind, unit.kind), address_id=unit.address_id,
                   address=address_text, contact_name=unit.contact_name, contact_phone_mask=unit.contact_phone_mask,
                   dedicated_grid_code=unit.dedicated_grid_code, status=unit.status, scope_code=unit.scope_code)


class UnitRead(UnitListItem):
    pass


class UnitPage(BaseModel):
    items: list[UnitListItem]
    total: int
    page: int
    page_size: int


AddressDetail.model_rebuild()
