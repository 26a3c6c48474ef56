"""What the people API (实有人口) reads and writes. A person answers with masks only
(``id_number_masked``, ``phone_masked``: :mod:`gridgov.kit.masking`) and a birth year, never the birth
date; the full ID number and phone leave the server only through :class:`PersonRevealed`, one
request at a time, audited and logged in the person's access log."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gridgov.kit.params import MAX_PAGE, IdField

ID_NUMBER_MAX = 24
"""Room for an 18-digit number with spaces, or a passport/permit number."""


class PersonCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    id_kind: str = Field("resident", max_length=12, description="resident 居民身份证、passport 护照、permit 其他证件")
    id_number: str = Field(min_length=1, max_length=ID_NUMBER_MAX)
    gender: str | None = Field(None, max_length=1, description="GB/T 2261.1 代码；居民身份证号码可推出时可不填")
    ethnicity: str = Field("", max_length=2, description="GB/T 3304 两位代码")
    birth_date: date | None = Field(None, description="居民身份证号码可推出时可不填，填写须一致")
    phone: str | None = Field(None, max_length=20)
    residence_kind: str = Field("registered", max_length=12,
                                description="registered 户籍、floating 流动、overseas 境外")
    house_id: IdField | None = Field(None, description="居住的房屋（辖区内）")
    grid_code: str | None = Field(None, max_length=17, description="无房屋时：所在网格（或微网格）编码")
    area_code: str | None = Field(None, max_length=12, description="无房屋时：所在村（社区）区划代码")


class PersonUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=50)
    id_kind: str | None = Field(None, max_length=12)
    id_number: str | None = Field(None, min_length=1, max_length=ID_NUMBER_MAX)
    gender: str | None = Field(None, max_length=1)
    ethnicity: str | None = Field(None, max_length=2)
    birth_date: date | None = None
    phone: str | None = Field(None, max_length=20, description="空字符串清除手机号")
    residence_kind: str | None = Field(None, max_length=12)
    house_id: IdField | None = None
    grid_code: str | None = Field(None, max_length=17)
    area_code: str | None = Field(None, max_length=12)


class PersonSearch(BaseModel):
    """The list's filter as a JSON body (POST /people/search): an ID number stays out of the URL."""

    q: str | None = Field(None, max_length=50, description="姓名（包含）")
    id_number: str | None = Field(None, max_length=ID_NUMBER_MAX, description="证件号码（精确匹配）")
    grid: str | None = Field(None, max_length=17)
    tag: str | None = Field(None, max_length=40)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=200)


class MoveRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    moved_on: date
    house_id: int | None
    address: str = ""
    note: str


class RelationRead(BaseModel):
    id: int
    relative_id: int
    relative_name: str
    relation: str
    relation_label: str


class PersonListItem(BaseModel):
    id: int
    name: str
    id_kind: str
    id_number_masked: str
    gender: str
    gender_label: str
    birth_year: int | None = Field(description="出生年份（出生日期不显示，见脱敏规则）")
    phone_masked: str
    residence_kind: str
    residence_kind_label: str
    house_id: int | None
    address: str = ""
    scope_code: str
    status: str
    status_label: str


class PersonRead(PersonListItem):
    id_kind_label: str
    ethnicity: str
    ethnicity_label: str
    archived_at: datetime | None
    source: str
    moves: list[MoveRead]
    relations: list[RelationRead]
    created_at: datetime
    updated_at: datetime


class PersonPage(BaseModel):
    items: list[PersonListItem]
    total: int
    page: int
    page_size: int


class RevealRequest(BaseModel):
    reason: str = Field(max_length=24, description="verify_identity 核实身份、contact 联系本人、"
                                                   "case_handling 办理事件、visit 走访服务、other 其他（须写明理由）")
    reason_text: str = Field("", max_length=200)


class PersonRevealed(BaseModel):
    id: int
    name: str
    id_number: str
    phone: str | None


class AccessRead(BaseModel):
    id: int
    at: datetime
    username: str
    action: str
    action_label: str
    fields: str
    reason: str
    reason_label: str
    reason_text: str


class AccessPage(BaseModel):
    items: list[AccessRead]
    total: int
    page: int
    page_size: int


class MoveCreate(BaseModel):
    kind: str = Field(max_length=8, description="in 迁入、out 迁出、death 死亡")
    moved_on: date
    house_id: IdField | None = None
    note: str = Field("", max_length=500)


class RelationCreate(BaseModel):
    relative_id: IdField
    relation: str = Field(max_length=12)
