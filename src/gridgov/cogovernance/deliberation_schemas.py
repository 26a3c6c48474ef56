"""The shapes of deliberation (议事协商) in and out of the API. Lists carry participants' names masked
(:class:`DeliberationListItem`); only a topic's own read (:class:`DeliberationRead`) carries them in full.
No shape has an ID number: the register of a deliberation never asks for one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.cases.deadlines import Urgency

Sha256 = Field(pattern=r"^[0-9a-f]{64}$")
COUNT_MAX = 100_000
"""No meeting or vote of one grid or community counts more people than this."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ParticipantIn(_In):
    kind: Literal["resident", "representative", "official"] = Field(title="类别")
    name: str = Field("", max_length=50, title="姓名（不填则只记人数）")
    headcount: int = Field(1, ge=1, le=COUNT_MAX, title="人数（填姓名时为 1）")
    organisation: str = Field("", max_length=100, title="单位或身份（工作人员、代表）")


class DeliberationCreate(_In):
    area_code: str = Field(pattern=r"^\d{12}(\d{3})?$", title="所属网格或村（社区）",
                           description="网格编码（15 位）或村（社区）区划代码（12 位）")
    topic: str = Field(min_length=2, max_length=100, title="议题")
    description: str = Field("", max_length=4000, title="议题说明")
    raised_by: str = Field("", max_length=100, title="提出人")
    raised_on: date | None = Field(None, title="提出日期（默认今天）")
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=200, title="参与人")


class DeliberationUpdate(_In):
    """A change of status, with the decision when it is decided; ``publish`` may come with the decision."""

    status: Literal["open", "decided", "closed", "withdrawn"] | None = Field(None, title="状态")
    decision: str | None = Field(None, max_length=4000, title="决定内容")
    decided_on: date | None = Field(None, title="决定日期")
    decision_method: str | None = Field(None, max_length=100, title="形成方式（如举手表决、协商一致）")
    votes_for: int | None = Field(None, ge=0, le=COUNT_MAX, title="赞成票")
    votes_against: int | None = Field(None, ge=0, le=COUNT_MAX, title="反对票")
    votes_abstain: int | None = Field(None, ge=0, le=COUNT_MAX, title="弃权票")
    publish: bool | None = Field(None, title="社区决定公开结果")


class MeetingCreate(_In):
    held_on: date = Field(title="会议日期")
    place: str = Field(min_length=1, max_length=100, title="地点")
    attendance: int = Field(ge=0, le=COUNT_MAX, title="到会人数")
    minutes: str = Field("", max_length=20000, title="会议记录")
    attachments: list[str] = Field(default_factory=list, max_length=9, title="附件（先上传得到的 SHA-256）")

    @field_validator("attachments")
    @classmethod
    def _hashes(cls, value: list[str]) -> list[str]:
        for digest in value:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError("附件应为上传后得到的 64 位 SHA-256")
        return list(dict.fromkeys(value))


class FollowUpCreate(_In):
    """A case (through the case intake) or a task (a work order to the grid: agencies only)."""

    kind: Literal["case", "task"] = Field(title="类型")
    title: str = Field(min_length=2, max_length=100, title="标题")
    description: str = Field("", max_length=3000, title="说明")
    category: str = Field(min_length=1, max_length=32, title="事项（类别）")
    grid_code: str | None = Field(None, pattern=r"^\d{15}$", title="网格（社区议题须选一个网格）")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度（事件）")
    address: str = Field("", max_length=200, title="地址（事件）")
    due_at: datetime | None = Field(None, title="完成期限（工作指令）")

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("时间须带时区，例如 2026-11-30T17:00:00+08:00")
        return value


class PublishSet(_In):
    publish: bool = Field(title="公开")


class ParticipantRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    name: str = Field(description="姓名：列表中打码，议题页面完整显示")
    headcount: int
    organisation: str


class MeetingRead(BaseModel):
    id: int
    held_on: date
    place: str
    attendance: int
    minutes: str
    attachments: list[str]


class FollowUpRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    case_no: str | None
    instruction_id: int | None
    title: str
    status_label: str
    link: str


class DeliberationListItem(BaseModel):
    id: int
    area_code: str
    area_name: str
    level_label: str
    topic: str
    status: str
    status_label: str
    raised_by: str = Field(description="提出人（打码）")
    raised_on: date
    decided_on: date | None
    publish: bool
    headcount: int = Field(description="参与人数")
    participant_names: list[str] = Field(description="参与人姓名（列表中打码；只记人数的不列）")
    meetings: int
    follow_ups: int


class DeliberationRead(DeliberationListItem):
    description: str
    decision: str
    decision_method: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    published_at: datetime | None
    participants: list[ParticipantRead]
    meeting_list: list[MeetingRead]
    follow_up_list: list[FollowUpRead]
