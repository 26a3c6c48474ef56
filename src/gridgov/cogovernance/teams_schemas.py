"""The shapes of teams, members, tasks, social organisations, projects, milestones and reports in and out
of the API (issue 18, F5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gridgov.kit.params import IdField

AREA = r"^\d{12}$"
GRID = r"^\d{15}$"
GridCode = Annotated[str, StringConstraints(pattern=GRID)]
TeamKind = Literal["special", "union", "youth", "women", "other"]
ProjectStatus = Literal["planned", "running", "finished", "terminated"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TeamCreate(_In):
    name: str = Field(min_length=2, max_length=100, title="名称")
    kind: TeamKind = Field(title="类别")
    area_code: str = Field(pattern=AREA, title="服务区域编码")
    grid_codes: list[GridCode] = Field(default_factory=list, max_length=200, title="覆盖的网格")
    contact: str = Field("", max_length=100, title="公开联系方式")
    active: bool = Field(True, title="在岗")


class TeamRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    area_code: str
    grid_codes: list[str]
    contact: str
    active: bool
    member_count: int
    open_tasks: int


class MemberCreate(_In):
    name: str = Field(min_length=1, max_length=50, title="姓名")
    duty: str = Field("", max_length=50, title="职责")
    phone: str | None = Field(None, pattern=r"^[0-9+\- ]{7,20}$", title="电话")
    user_id: IdField | None = Field(None, title="队员账号（专项服务队队员角色）")


class MemberRead(BaseModel):
    id: int
    team_id: int
    name: str
    duty: str
    phone_masked: str
    user_id: int | None


class MemberRevealed(BaseModel):
    id: int
    name: str
    phone: str | None


class TaskCreate(_In):
    team_id: IdField = Field(title="服务队")
    title: str = Field(min_length=2, max_length=100, title="标题")
    description: str = Field("", max_length=4000, title="任务内容")
    grid_code: str = Field(pattern=GRID, title="网格编码")
    due_on: date = Field(title="完成期限")


class TaskRead(BaseModel):
    id: int
    team_id: int
    team_name: str
    title: str
    description: str
    grid_code: str
    due_on: date
    status: str
    status_label: str
    created_at: datetime
    result: str
    done_on: date | None
    photos: list[str]
    cancel_reason: str


class TaskResult(_In):
    result: str = Field(min_length=1, max_length=4000, title="完成情况")
    done_on: date | None = Field(None, title="完成日期（默认今天）")
    photos: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=9, title="照片（先上传得到的 SHA-256）")


class TaskCancel(_In):
    reason: str = Field(min_length=1, max_length=500, title="撤销理由")


class SocialOrgCreate(_In):
    name: str = Field(min_length=2, max_length=100, title="名称")
    credit_code: str = Field(min_length=18, max_length=24, title="统一社会信用代码")
    area_code: str = Field(pattern=AREA, title="登记所在区域编码")
    contact: str = Field("", max_length=100, title="联系方式")
    user_ids: list[IdField] = Field(default_factory=list, max_length=20, title="社会组织人员账号")


class SocialOrgRead(BaseModel):
    id: int
    name: str
    credit_code: str
    area_code: str
    contact: str
    user_ids: list[int]
    project_count: int


class ProjectCreate(_In):
    org_id: IdField = Field(title="承接的社会组织")
    title: str = Field(min_length=2, max_length=100, title="项目名称")
    area_code: str = Field(pattern=AREA, title="购买服务的区域编码")
    purchaser: str = Field("", max_length=100, title="购买主体")
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2, title="金额（元）")
    starts_on: date = Field(title="开始日期")
    ends_on: date = Field(title="结束日期")
    grid_codes: list[GridCode] = Field(default_factory=list, max_length=200, title="服务的网格")
    status: ProjectStatus = Field("running", title="状态")


class ProjectUpdate(_In):
    status: ProjectStatus = Field(title="状态")


class MilestoneCreate(_In):
    title: str = Field(min_length=2, max_length=100, title="节点名称")
    due_on: date = Field(title="计划日期")


class MilestoneDone(_In):
    done_on: date | None = Field(None, title="完成日期（默认今天）")


class MilestoneRead(BaseModel):
    id: int
    title: str
    due_on: date
    done_on: date | None


class ProjectRead(BaseModel):
    id: int
    org_id: int
    org_name: str
    title: str
    area_code: str
    purchaser: str
    amount: Decimal
    starts_on: date
    ends_on: date
    grid_codes: list[str]
    status: str
    status_label: str
    milestones: list[MilestoneRead]
    report_count: int


class ReportCreate(_In):
    period: str = Field(min_length=1, max_length=32, title="报告期（如 2026年11月）")
    text: str = Field(min_length=1, max_length=8000, title="报告内容")
    reported_on: date | None = Field(None, title="报告日期（默认今天）")


class ReportRead(BaseModel):
    id: int
    project_id: int
    period: str
    text: str
    reported_on: date
    submitted_by: str
    created_at: datetime
