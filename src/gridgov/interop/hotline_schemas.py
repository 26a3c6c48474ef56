"""The shapes of the hotline's intake, its triage and its category table in and out of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gridgov.cases.deadlines import Urgency

TICKET = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
"""A hotline ticket number (工单编号): letters, digits and . _ : / -, at most 64 characters."""


class IntakeIn(BaseModel):
    """A call the 12345 hotline passes on: the caller's words, where, what, how urgent, and its own ticket number."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(pattern=TICKET, title="热线工单编号", description="同一工单重复提交返回同一事件")
    description: str = Field(min_length=2, max_length=4000, title="来电人反映的内容（原话）")
    title: str = Field("", max_length=100, title="标题（不填取内容开头）")
    caller_name: str = Field("", max_length=50, title="来电人")
    phone: str = Field("", max_length=20, title="来电号码")
    address: str = Field("", max_length=200, title="地址")
    lon: float | None = Field(None, ge=-180, le=180, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    crs: Literal["wgs84", "gcj02", "bd09"] = Field("wgs84", title="坐标系")
    grid_code: str | None = Field(None, pattern=r"^\d{15}$", title="网格编码")
    type: str | None = Field(None, min_length=1, max_length=16, title="事件类型（gridgov 小类代码）")
    category: str | None = Field(None, min_length=1, max_length=32, title="热线分类代码",
                                 description="热线自己的分类（如 GB/T 39666-2020 的代码）；按对照表转为事件类型，"
                                             "对照表中没有的进入待分类队列")
    category_name: str = Field("", max_length=100, title="热线分类名称")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    received_at: datetime | None = Field(None, title="来电时间（默认现在）")

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("来电时间须带时区，例如 2026-11-24T09:30:00+08:00")
        return value

    @model_validator(mode="after")
    def _where(self) -> IntakeIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if self.lon is None and not self.address:
            raise ValueError("请给出位置：经纬度，或地址（辖区内的标准地址，或网格编码加地址）")
        return self


class IntakeRead(BaseModel):
    external_id: str
    case_no: str
    state: str
    state_label: str
    type: str | None = None
    type_name: str | None = None
    triage: bool = Field(title="待分类（热线分类未对照到事件类型，等待调度员确定）")
    created_at: datetime
    updated_at: datetime
    reply: str | None = Field(None, title="答复（办结、结案后的处置结果，或不予受理的理由）")


class TriageItem(BaseModel):
    case_no: str
    title: str
    description: str
    hotline_category: str
    hotline_category_name: str
    grid_code: str
    state: str
    state_label: str
    created_at: datetime


class ClassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = Field(min_length=1, max_length=16, title="事件类型（小类代码）")
    category: str | None = Field(None, min_length=1, max_length=32, title="事项（不填取该类型在该网格适用的事项）")
    remember: bool = Field(False, title="同时把该热线分类对照到此类型（下次自动归类）")
    note: str = Field("", max_length=500, title="说明")


class MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32, title="热线分类代码")
    name: str = Field("", max_length=100, title="热线分类名称")
    type: str = Field(min_length=1, max_length=16, title="事件类型（小类代码）")
    area_code: str | None = Field(None, pattern=r"^\d{12}$", title="区域（不填为本机构所在区域）")


class MappingRead(BaseModel):
    id: int
    area_code: str
    code: str
    name: str
    type: str
    type_name: str | None = None
    updated_at: datetime


class ClassifyRead(BaseModel):
    case_no: str
    type: str
    mapping: MappingRead | None = Field(None, title="记入对照表的一行（remember 时）")


class ImportResult(BaseModel):
    created: int
    updated: int
