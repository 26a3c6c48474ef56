"""The shapes of special-group tags, visits and the due list in and out of the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gridgov.cases.deadlines import Urgency
from gridgov.kit.params import IdField

SHA256 = r"^[0-9a-f]{64}$"


class TagRead(BaseModel):
    """A special group the caller's role may see."""

    code: str
    name: str
    sensitivity: str
    sensitivity_label: str
    visit_every_days: int


class PersonTagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tag: str = Field(min_length=1, max_length=32, title="标签代码", description="见 GET /api/v1/registry/tags")
    since: date | None = Field(None, title="认定日期（默认今天）")


class PersonTagRead(BaseModel):
    code: str
    name: str
    sensitivity: str
    since: date
    visit_every_days: int
    visit_due_on: date | None
    due_status: str
    due_status_label: str


class VisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["visit", "patrol"] = Field("visit", title="类别（走访或巡查）")
    person_id: IdField | None = Field(None, title="走访对象（人员）")
    house_id: IdField | None = Field(None, title="走访的户（房屋）")
    unit_id: IdField | None = Field(None, title="走访的单位")
    visited_at: datetime | None = Field(None, title="走访时间（默认现在）")
    lon: float | None = Field(None, ge=-180, le=180, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    crs: Literal["wgs84", "gcj02", "bd09"] = Field("wgs84", title="坐标系")
    note: str = Field("", max_length=2000, title="走访情况")
    needs: str = Field("", max_length=2000, title="发现的需求或问题")
    services: str = Field("", max_length=2000, title="提供的服务")
    photos: list[str] = Field(default_factory=list, max_length=9, title="照片（先上传得到的 SHA-256）")

    @field_validator("visited_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("走访时间须带时区，例如 2026-11-24T09:30:00+08:00")
        return value

    @field_validator("photos")
    @classmethod
    def _hashes(cls, value: list[str]) -> list[str]:
        import re

        for digest in value:
            if not re.fullmatch(SHA256, digest):
                raise ValueError("照片须为上传后得到的 64 位 SHA-256")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _target(self) -> VisitCreate:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if self.kind == "visit" and not (self.person_id or self.house_id or self.unit_id):
            raise ValueError("走访须选择走访对象：人员、户或单位")
        if self.kind == "patrol" and not (self.person_id or self.house_id or self.unit_id) and self.lon is None:
            raise ValueError("巡查须给出位置（经纬度）或巡查的户、单位")
        return self


class VisitRead(BaseModel):
    id: int
    kind: str
    person_id: int | None
    person_name: str | None
    house_id: int | None
    address: str | None
    unit_id: int | None
    unit_name: str | None
    visited_at: datetime
    lon: float | None
    lat: float | None
    note: str
    needs: str
    services: str
    photos: list[str]
    case_no: str | None
    scope_code: str
    recorded_by: str | None


class VisitPage(BaseModel):
    items: list[VisitRead]
    total: int
    page: int
    page_size: int


class VisitCaseCreate(BaseModel):
    """Turns the need found on a visit into a case (事件) in one step."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=100, title="标题")
    description: str = Field("", max_length=4000, title="描述（默认取走访发现的需求）")
    category: str | None = Field(None, min_length=1, max_length=32, title="事项（类别）")
    type: str | None = Field(None, min_length=1, max_length=16, title="事件类型")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")

    @model_validator(mode="after")
    def _kind(self) -> VisitCaseCreate:
        if self.category is None and self.type is None:
            raise ValueError("请选择事件类型或事项")
        return self


class VisitCaseRead(BaseModel):
    visit_id: int
    case_no: str


class DueItem(BaseModel):
    person_id: int
    person_name: str
    address: str | None
    house_id: int | None
    tag: str
    tag_name: str
    visit_due_on: date
    due_status: str
    due_status_label: str
    days_overdue: int


class DuePage(BaseModel):
    grid: str
    items: list[DueItem]
    total: int
    page: int
    page_size: int


class HouseholdPerson(BaseModel):
    id: int
    name: str


class HouseholdRead(BaseModel):
    house_id: int
    address: str
    scope_code: str
    people: list[HouseholdPerson]
