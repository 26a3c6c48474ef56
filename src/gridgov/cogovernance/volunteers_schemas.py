"""What the volunteers API reads and writes (issue 18). A person answers with the phone's mask only; the
full phone leaves the server through :class:`VolunteerRevealed`, one request at a time, audited."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gridgov.kit.params import MAX_PAGE, IdField


class OrgCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(max_length=16, description="volunteer_team 志愿服务队、property 物业、courier 快递、"
                                                 "delivery 外卖平台、other 其他")
    area_code: str = Field(min_length=12, max_length=17, description="服务的区域（区划代码）或网格编码")
    contact: str = Field("", max_length=50, description="对外公开的联系方式（单位电话），不填个人手机号")


class OrgUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: str | None = Field(None, max_length=16)
    contact: str | None = Field(None, max_length=50)
    active: bool | None = None


class OrgRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    area_code: str
    contact: str
    active: bool
    people: int = 0


class VolunteerCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    kind: str = Field(max_length=16, description="volunteer 志愿者、liaison 微网格联络员、building_head 楼栋长、"
                                                 "courier 快递员、rider 外卖骑手、property_staff 物业人员")
    place_code: str = Field(min_length=15, max_length=17, description="所在微网格（17 位）或网格（15 位）编码")
    phone: str = Field(min_length=1, max_length=20, description="手机号（加密保存，用于识别其经居民渠道的上报）")
    org_id: IdField | None = None
    user_id: IdField | None = Field(None, description="关联的微网格联络员或志愿者账号（可不填）")
    joined_on: date | None = Field(None, description="加入日期，默认今天")


class VolunteerUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=50)
    kind: str | None = Field(None, max_length=16)
    place_code: str | None = Field(None, min_length=15, max_length=17)
    phone: str | None = Field(None, min_length=1, max_length=20)
    org_id: IdField | None = None
    clear_org: bool = False
    user_id: IdField | None = None
    clear_user: bool = False


class Deactivate(BaseModel):
    left_on: date | None = Field(None, description="退出日期，默认今天")


class RevealRequest(BaseModel):
    reason: str = Field(min_length=2, max_length=200, description="查看手机号的理由（记入审计日志）")


class VolunteerRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    org_id: int | None
    org_name: str
    place_code: str
    place_name: str
    grid_code: str
    micro_grid_code: str | None
    phone_masked: str
    user_id: int | None
    active: bool
    joined_on: date
    left_on: date | None
    reports: int = 0
    points: int = 0


class VolunteerRevealed(BaseModel):
    id: int
    name: str
    phone: str


class VolunteerPage(BaseModel):
    items: list[VolunteerRead]
    total: int
    page: int = Field(ge=1, le=MAX_PAGE)
    page_size: int


class OrgPage(BaseModel):
    items: list[OrgRead]
    total: int
    page: int = Field(ge=1, le=MAX_PAGE)
    page_size: int


class InformantReportRead(BaseModel):
    case_no: str
    title: str
    state: str
    state_label: str
    grid_code: str
    reported_at: datetime
    points: int


class VolunteerReports(BaseModel):
    volunteer: VolunteerRead
    items: list[InformantReportRead]
    points: int


class RankRow(BaseModel):
    rank: int
    volunteer: VolunteerRead
    reports: int
    points: int


class GridCount(BaseModel):
    grid_code: str
    grid_name: str
    reports: int


class Ranking(BaseModel):
    area_code: str
    month: str
    people: list[RankRow]
    grids: list[GridCount]
