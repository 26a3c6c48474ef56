"""The API's shapes for legal professionals in the grids (法律进网格, issue 18)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gridgov.kit.params import IdField


class ProfessionalIn(BaseModel):
    name: str = Field(min_length=1, max_length=50, description="姓名")
    kind: str = Field(max_length=24, description=(
        "类别：court 法院、procuratorate 检察院、police 公安、law_firm 律师事务所、"
        "petition 信访、mediation_committee 人民调解委员会、legal_education 普法"))
    institution: str = Field(min_length=1, max_length=100, description="所在单位")
    title: str = Field("", max_length=50, description="职务（可不填）")
    public_phone: str = Field("", max_length=30,
                              description="公开联系电话（办公电话，在网格公示牌上公布；不填私人电话）")
    area_code: str = Field(min_length=12, max_length=12, description="所属区域（由该区域网格化机构登记管理）")
    user_id: IdField | None = Field(None, description="关联的法律服务人员账号（可不填）")
    active: bool = True


class ProfessionalPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=50)
    kind: str | None = Field(None, max_length=24)
    institution: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, max_length=50)
    public_phone: str | None = Field(None, max_length=30)
    user_id: IdField | None = None
    active: bool | None = None


class ProfessionalRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    institution: str
    title: str
    public_phone: str
    area_code: str
    user_id: int | None
    active: bool


class ScheduleIn(BaseModel):
    area_code: str = Field(min_length=12, max_length=15,
                           description="进驻的网格（15 位）或村（社区）、镇（街道）（12 位）")
    rule: str = Field(max_length=8, description="monthly 每月第几个星期几、weekly 每周星期几、dates 指定日期")
    weekday: int | None = Field(None, ge=0, le=6, description="星期几（0 为星期一）")
    nth: int | None = Field(None, ge=-1, le=5, description="每月第几个（-1 为最后一个）")
    dates: list[date] = Field(default_factory=list, max_length=100, description="指定日期")
    hours: str = Field("", max_length=50, description="时间，例如 9:00-11:30")
    place: str = Field("", max_length=100, description="地点，例如 社区党群服务中心")
    valid_from: date
    valid_to: date | None = None


class ScheduleRead(BaseModel):
    id: int
    professional_id: int
    area_code: str
    rule: str
    weekday: int | None
    nth: int | None
    dates: list[date]
    hours: str
    place: str
    valid_from: date
    valid_to: date | None
    description: str = Field(description="安排，例如 每月第一个星期二")
    next_dates: list[date] = Field(description="接下来的进网格日期")


class VisitIn(BaseModel):
    professional_id: IdField
    grid_code: str = Field(min_length=15, max_length=15, description="网格编码")
    visited_on: date
    services: list[str] = Field(max_length=10, description="服务内容：education 法治宣传、consultation 法律咨询、"
                                                           "screening 矛盾排查、documents 文书送达（一项或多项）")
    people_served: int = Field(0, ge=0, le=100000, description="服务人次")
    notes: str = Field("", max_length=2000, description="情况说明")


class MyVisitIn(BaseModel):
    grid_code: str = Field(min_length=15, max_length=15)
    visited_on: date
    services: list[str] = Field(max_length=10)
    people_served: int = Field(0, ge=0, le=100000)
    notes: str = Field("", max_length=2000)


class VisitRead(BaseModel):
    id: int
    professional_id: int
    professional_name: str
    grid_code: str
    visited_on: date
    services: list[str]
    service_labels: list[str]
    people_served: int
    notes: str


class ReferralRead(BaseModel):
    id: int
    case_no: str
    case_title: str
    case_state: str
    grid_code: str
    question: str
    opinion: str | None
    referred_at: datetime
    answered_at: datetime | None
