"""The shapes of the resident channel's API (issue 17): what a resident sends and is told."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.cases.vocabulary import EVALUATION_LABELS, Evaluation


class ChallengeRead(BaseModel):
    question: str = Field(title="验证题（中文）")
    token: str = Field(title="验证题令牌（提交时原样带回）")
    expires_at: datetime


class PublicCaseType(BaseModel):
    code: str
    name: str
    group: str = Field(title="所属大类")


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = Field(min_length=1, max_length=16, title="事件类型（小类代码）")
    description: str = Field(min_length=5, max_length=1000, title="问题描述（5–1000 字）")
    lon: float = Field(ge=-180, le=180, title="经度")
    lat: float = Field(ge=-90, le=90, title="纬度")
    crs: Literal["wgs84", "gcj02", "bd09"] = Field("wgs84", title="坐标系（手机地图多为 gcj02）")
    address: str = Field("", max_length=200, title="地址或位置说明")
    phone: str = Field(min_length=1, max_length=20, title="手机号")
    photos: list[str] = Field(default_factory=list, max_length=3, title="照片（先上传得到的 SHA-256，最多 3 张）")
    challenge_token: str = Field(min_length=1, max_length=200, title="验证题令牌")
    challenge_answer: str = Field(min_length=1, max_length=10, title="验证题答案")
    sms_code: str = Field("", max_length=10, title="短信验证码（平台配置了短信通道时必填）")


class ReportReceipt(BaseModel):
    case_no: str
    tracking_code: str = Field(title="查询码（只显示这一次，请妥善保存）")
    state: str
    state_label: str
    message: str


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phone: str = Field(min_length=1, max_length=20)
    purpose: Literal["report", "track"] = Field(title="用途：上报或查询")
    challenge_token: str = Field(min_length=1, max_length=200)
    challenge_answer: str = Field(min_length=1, max_length=10)


class CodeSent(BaseModel):
    sent: bool
    expires_in_minutes: int
    message: str


class PhoneLookup(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phone: str = Field(min_length=1, max_length=20)
    sms_code: str = Field(min_length=4, max_length=10)


class TimelineStep(BaseModel):
    at: datetime
    label: str = Field(title="进展（中文）")
    state: str
    state_label: str
    text: str = Field("", title="对群众公开的说明（如不予受理的理由、处理结果）")


class PublicPhoto(BaseModel):
    sha256: str
    url: str


class PublicCase(BaseModel):
    case_no: str
    type_name: str
    state: str
    state_label: str
    reported_at: datetime
    closed_at: datetime | None
    result: str = Field("", title="办理结果（部门的公开答复）")
    result_photos: list[PublicPhoto]
    timeline: list[TimelineStep]
    evaluation: str | None
    evaluation_label: str = ""
    may_evaluate: bool = Field(title="现在可以评价")
    merged_into: str | None = Field(None, title="已并入的事件编号")


class PhoneCases(BaseModel):
    access: str = Field(title="查询凭证（30 分钟内代替查询码）")
    cases: list[PublicCase]


class EvaluationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=200, title="查询码或查询凭证")
    evaluation: Evaluation = Field(title="评价：satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意"
                                         "（也可直接写中文）")
    comment: str = Field("", max_length=500, title="意见")

    @field_validator("evaluation", mode="before")
    @classmethod
    def _chinese_label(cls, value):
        """满意 / 基本满意 / 不满意, as the resident says it, are the evaluations they name."""
        by_label = {label: str(e) for e, label in EVALUATION_LABELS.items()}
        return by_label.get(value.strip(), value) if isinstance(value, str) else value


class EvaluationAnswer(BaseModel):
    case_no: str
    evaluation: str
    evaluation_label: str
    reopened: bool
    state: str
    state_label: str
    message: str
