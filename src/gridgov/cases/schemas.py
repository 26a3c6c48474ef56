"""The shapes of cases in and out of the API (CaseCreate, CaseRead, CaseListItem, LogEntryRead, CaseTypeRead)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gridgov.cases.deadlines import Urgency
from gridgov.kit.params import IdField

Source = Literal["patrol", "visit", "resident", "hotline", "unit", "instruction"]
SOURCE_LABELS = {
    "patrol": "网格员巡查",
    "visit": "网格员走访",
    "resident": "群众反映",
    "hotline": "12345热线",
    "unit": "单位报告",
    "instruction": "机构交办",
    "deliberation": "议事协商",
}
WORKER_SOURCES = frozenset({"patrol", "visit"})
"""A worker's own discovery starts verified: the worker saw it (case-lifecycle: verified)."""
FOLLOW_UP_SOURCES = frozenset({"deliberation"})
"""Sources that only another domain's service sets on the case it registers as the follow-up of its own
record (issue 18: the decision of a deliberation, ZJ§20), through :class:`FollowUpCaseCreate`; the case API's
body (:class:`CaseCreate`) refuses them, so no report can claim an origin it does not have."""


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=100, title="标题")
    description: str = Field("", max_length=4000, title="描述")
    category: str | None = Field(None, min_length=1, max_length=32, title="事项（类别）",
                                 description="不填时取事件类型所属的、在该网格适用的事项")
    type: str | None = Field(None, min_length=1, max_length=16, title="事件类型",
                             description="小类代码，见 GET /api/v1/case-types")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    source: Source = Field(title="来源")
    discovered_at: datetime | None = Field(None, title="发现时间（默认现在）")
    lon: float | None = Field(None, ge=-180, le=180, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    crs: Literal["wgs84", "gcj02", "bd09"] = Field("wgs84", title="坐标系")
    grid_code: str | None = Field(None, pattern=r"^\d{15}$", title="网格编码")
    address: str = Field("", max_length=200, title="地址")
    address_id: IdField | None = Field(None, title="标准地址编号（须在你的辖区内）")
    reporter_name: str = Field("", max_length=50, title="反映人")
    reporter_phone: str = Field("", max_length=20, title="反映人电话")
    photos: list[str] = Field(default_factory=list, max_length=9, title="照片（先上传得到的 SHA-256）")
    instruction_id: IdField | None = None
    next_action: Literal["escalate", "solve_on_site"] | None = Field(
        None, title="登记后随即（上报或现场处置，一次提交）")
    note: str = Field("", max_length=2000, title="上报说明")
    result: str = Field("", max_length=2000, title="处置结果")
    result_photos: list[str] = Field(default_factory=list, max_length=9, title="处置后照片（SHA-256）")

    @field_validator("discovered_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("发现时间须带时区，例如 2026-11-24T09:30:00+08:00")
        return value

    @model_validator(mode="after")
    def _where(self) -> CaseCreate:
        if self.category is None and self.type is None:
            raise ValueError("请选择事件类型或事项")
        has_point = self.lon is not None and self.lat is not None
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if not has_point and not (self.grid_code and self.address):
            raise ValueError("请给出位置：经纬度，或网格编码加地址")
        if self.next_action == "solve_on_site" and not self.result:
            raise ValueError("现场处置须填写处置结果")
        if self.next_action != "solve_on_site" and (self.result or self.result_photos):
            raise ValueError("处置结果和处置后照片只随现场处置提交")
        return self


class FollowUpCaseCreate(CaseCreate):
    """A case registered by another domain's service as the follow-up of its own record (issue 18: a
    deliberation's decision): the same intake, with a source the API's :class:`CaseCreate` refuses."""

    source: Literal["deliberation"] = Field(title="来源")  # type: ignore[assignment]


class ClockRead(BaseModel):
    due_at: datetime
    status: str
    provisional: bool
    started_at: datetime
    stopped_at: datetime | None = None
    warn_at: datetime
    extensions: int = 0


class DepartmentRef(BaseModel):
    code: str
    name: str
    part: Literal["lead", "assisting"]


class CaseListItem(BaseModel):
    case_no: str
    title: str
    state: str
    state_label: str
    category: str
    type: str | None = None
    type_name: str | None = None
    urgency: str
    source: str
    grid_code: str
    created_at: datetime
    worst_clock: str | None = None


class CaseRead(CaseListItem):
    description: str
    discovered_at: datetime
    lon: float | None
    lat: float | None
    address: str
    handling_level: str
    handling_area_code: str
    departments: dict[str, Any]
    clocks: dict[str, ClockRead | None]
    reporter_name: str
    reporter_phone: str
    evaluation: str | None
    result: str
    extensions_used: int
    extension_request_days: int | None
    rework_count: int
    photos: list[str]
    available_actions: list[str]
    type_department_kind: str | None = None
    """The kind of department the case's type names by default (a dispatch preselects it there)."""
    merged_into: str | None = None
    """The case this duplicate was merged into (its page links to it)."""
    merged_from: list[str] = []
    """The (visible) duplicates merged into this case."""
    address_id: int | None = None
    address_text: str | None = None
    """The canonical text of the standard address the case names (``address_id``)."""


class NearbyCase(BaseModel):
    """An open case near a report (``GET /api/v1/cases/nearby``): what the form shows of it."""

    case_no: str
    title: str
    state: str
    state_label: str
    category: str
    address: str
    created_at: datetime
    distance_m: int


class LogEntryRead(BaseModel):
    seq: int
    action: str
    actor: str
    role: str
    at: datetime
    from_state: str
    to_state: str
    note: str
    data: dict[str, Any] | None
    attachments: list[str]
    prev_hash: str
    hash: str



class CaseTypeRead(BaseModel):
    """One case type (事件类型): a 大类 (``parent`` null) or a 小类, with the department kind and the
    matter it falls under, resolved under the profile in use."""

    code: str
    name: str
    parent: str | None
    department_kind: str
    matter: str
