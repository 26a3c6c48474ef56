"""What the mediation routes take and answer (ZJ§17, issue 18). Parties are answered masked; the full
values only by :class:`PartiesRevealed` (an audited reveal with a reason)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from gridgov.kit.params import IdField


class BodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="名称，例如 某街道人民调解委员会")
    kind: str = Field(min_length=1, max_length=16,
                      description="类别：station 调解站、committee 人民调解委员会、centre 矛盾纠纷调处化解中心、"
                                  "other 其他")
    area_code: str = Field(min_length=12, max_length=12, description="服务的区域（街道、乡镇或村、社区）的 12 位编码")
    phone: str = Field(default="", max_length=40, description="对外公开的联系电话")
    active: bool = True


class BodyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: str | None = Field(default=None, min_length=1, max_length=16)
    phone: str | None = Field(default=None, max_length=40)
    active: bool | None = None


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: IdField = Field(description="人民调解员账号的用户编号")


class MemberRead(BaseModel):
    user_id: int
    username: str
    display_name: str


class BodyRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    area_code: str
    phone: str
    active: bool
    members: list[MemberRead] = []


class PartyRead(BaseModel):
    seq: int
    name: str
    phone: str
    id_number: str


class SessionRead(BaseModel):
    id: int
    held_on: date
    place: str
    mediator: str
    notes: str


class MediationRead(BaseModel):
    id: int
    case_no: str
    case_title: str
    case_state: str
    body_id: int
    body_name: str
    grid_code: str
    passed_at: datetime
    passed_by: str
    status: str
    status_label: str
    parties: list[PartyRead]
    sessions: list[SessionRead] = []
    agreement: str | None = None
    agreed_on: date | None = None
    next_route: str | None = None
    next_route_label: str | None = None
    failure_reason: str | None = None
    ended_at: datetime | None = None


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=200, description="查看完整信息的理由（记入审计日志）")


class PartiesRevealed(BaseModel):
    id: int
    parties: list[PartyRead]
