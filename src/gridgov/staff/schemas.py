"""What the staff API reads and writes. Reads carry masks only (:mod:`gridgov.kit.masking`: the last
four characters of an ID number, a birth year instead of a birth date); the full ID number and phone
leave the server only through :class:`StaffRevealed`, which is audited."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gridgov.kit.params import IdField


class StaffCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    gender: str = Field(min_length=1, max_length=8)
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    work_phone: str = Field("", max_length=20)
    area_code: str = Field(min_length=12, max_length=12)


class StaffUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=50)
    gender: str | None = Field(None, min_length=1, max_length=8)
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    work_phone: str | None = Field(None, max_length=20)
    area_code: str | None = Field(None, min_length=12, max_length=12)


class PostRead(BaseModel):
    id: int
    staff_id: int
    staff_name: str = ""
    role: str
    role_label: str
    scope_code: str
    grid_code: str | None
    micro_grid_code: str | None
    department_code: str | None
    start_date: date
    end_date: date | None
    status: str
    status_label: str
    activated_at: datetime | None
    leader_basis: str | None = None
    leader_basis_label: str = ""
    scope_name: str = Field("", title="岗位所在网格或区域的名称（微网格：所在网格的名称）")


class TrainingRead(BaseModel):
    id: int
    kind: str
    held_on: date
    passed: bool
    score: int | None
    note: str


class ExclusionRead(BaseModel):
    id: int
    kind: str
    label: str
    evidence: str
    recorded_at: datetime
    lifted_on: date | None


class StaffListItem(BaseModel):
    id: int
    name: str
    gender: str
    id_number_mask: str
    phone_mask: str
    work_phone: str
    area_code: str
    area_name: str = ""
    roles: list[str] = []


class StaffRead(StaffListItem):
    birth_year: int | None = Field(description="出生年份（出生日期不显示，见脱敏规则）")
    has_photo: bool
    posts: list[PostRead]
    trainings: list[TrainingRead]
    exclusions: list[ExclusionRead]
    created_at: datetime
    updated_at: datetime


class StaffPage(BaseModel):
    items: list[StaffListItem]
    total: int
    page: int
    page_size: int


class StaffRevealed(BaseModel):
    id: int
    name: str
    id_number: str | None
    phone: str | None


class TrainingCreate(BaseModel):
    kind: str = Field("pre_job", max_length=24)
    held_on: date
    passed: bool
    score: int | None = Field(None, ge=0, le=100)
    note: str = Field("", max_length=500)


class ExclusionCreate(BaseModel):
    kind: str = Field(max_length=40)
    evidence: str = Field(min_length=1, max_length=2000)
    lifted_on: date | None = None


class ExclusionLift(BaseModel):
    lifted_on: date


class PostCreate(BaseModel):
    staff_id: IdField
    role: str = Field(max_length=24)
    grid_code: str | None = Field(None, max_length=15)
    micro_grid_code: str | None = Field(None, max_length=17)
    area_code: str | None = Field(None, max_length=12)
    department_code: str | None = Field(None, max_length=40)
    start_date: date
    leader_basis: str | None = Field(None, max_length=40, description="网格长的任职身份，如 fulltime_worker")


class PostActivate(BaseModel):
    start_date: date | None = None


class PostEnd(BaseModel):
    end_date: date | None = None


class GapRead(BaseModel):
    kind: str
    label: str
    severity: str
    severity_label: str
    grid_code: str
    grid_name: str
    grid_kind: str
    micro_grid_code: str
    area_code: str
    area_name: str
    detail: str
    basis: str = ""


class GapReport(BaseModel):
    area_code: str
    area_name: str
    grids_checked: int
    counts: dict[str, int]
    gaps: list[GapRead]
    policy: list[str] = []
    total: int = Field(0, title="缺口总数（gaps 为其中一页）")
    page: int = 1
    page_size: int = 0


class ImportProblem(BaseModel):
    line: int
    column: str
    reason: str


class ImportResult(BaseModel):
    staff_created: int
    posts_created: int
    posts_activated: int
    trainings_recorded: int
