"""Pydantic shapes of the catalogue API: matters, lists, versions and their comparison,
applications and rectification notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gridgov.kit.params import IdField


class MatterResources(BaseModel):
    """What the department sends with the matter (C6: ZJ§8, JS§10, QZ§8), one text each; the
    service trims them and caps each at 500 characters."""

    model_config = ConfigDict(extra="forbid")

    people: str = Field("", max_length=4000, description="人员力量")
    funds: str = Field("", max_length=4000, description="经费")
    guidance: str = Field("", max_length=4000, description="业务指导")
    training: str = Field("", max_length=4000, description="技能培训")


class MatterIn(BaseModel):
    """A matter as proposed in an admission, temporary admission or change application. ``code``
    is optional: left empty, one is generated when the matter is admitted."""

    code: str = Field("", max_length=32)
    name: str = Field("", max_length=100)
    class_code: str = Field("", max_length=32)
    description: str = Field("", max_length=4000)
    department_kind: str = Field("", max_length=24)
    legal_basis: str = Field("", max_length=4000)
    power_type: str = "none"
    on_site: bool = False
    limits: dict[str, Any] | None = None
    evidence: str = Field("", max_length=2000)
    resources: MatterResources | None = Field(None, description="部门随事项下沉到网格的人员、经费、业务指导和技能培训"
                                                                 "（C6）")


class ApplicationCreate(BaseModel):
    kind: str
    list_id: IdField
    matter_id: IdField | None = None
    matter: MatterIn | None = None
    reason: str = Field("", max_length=4000)
    end_date: date | None = None


class ExpertOpinion(BaseModel):
    expert: str = Field("", max_length=100)
    opinion: str = Field("", max_length=4000)


class ReviewIn(BaseModel):
    note: str = Field("", max_length=4000)
    expert_opinions: list[ExpertOpinion] = Field(default_factory=list)


class DecisionIn(BaseModel):
    """A decision. Where the profile names the party committee/government or the county
    government, ``document`` is the reference of their approval the agency records."""

    note: str = Field("", max_length=4000)
    document: str = Field("", max_length=100)


class StepRead(BaseModel):
    code: str
    label: str
    done: bool = False


class ApplicationRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    list_id: int
    list_name: str
    area_code: str
    department_code: str | None
    matter_id: int | None
    matter_code: str | None = None
    matter: dict[str, Any] | None
    reason: str
    end_date: date | None
    status: str
    status_label: str
    expert_opinions: list[dict[str, Any]]
    review_note: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    approver: str
    approver_label: str
    records_decision: bool
    experts_required: bool
    decision_note: str
    decided_by: int | None
    decided_at: datetime | None
    submitted_by: int | None
    submitted_at: datetime
    steps: list[StepRead]


class MatterRead(BaseModel):
    id: int
    list_id: int
    code: str
    name: str
    class_code: str
    description: str
    department_kind: str
    legal_basis: str
    power_type: str
    on_site: bool
    limits: dict[str, Any] | None
    evidence: str
    resources: dict[str, str] | None = Field(None, description="随事项下沉的人员力量、经费、业务指导、技能培训（C6）")
    status: str
    temporary_until: date | None
    admitted_on: date
    exited_on: date | None
    exit_reason: str


class ListRead(BaseModel):
    id: int
    area_code: str
    area_name: str
    kind: str
    kind_label: str
    name: str
    follows_list_id: int | None
    current_version: int
    matters: list[MatterRead] = Field(default_factory=list)


class VersionRead(BaseModel):
    id: int
    list_id: int
    number: int
    published_on: date
    published_at: datetime
    summary: str
    application_id: int | None
    matter_count: int
    filed_at: datetime | None = None
    filed_by: int | None = None
    filing_note: str = ""


class FilingIn(BaseModel):
    """The city agency's note when it records the filing of a county version (JM§9)."""

    note: str = Field("", max_length=2000)


class MatterChangeRead(BaseModel):
    code: str
    name: str
    fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]


class CompareRead(BaseModel):
    list_id: int
    a: int
    b: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[MatterChangeRead]


class RectificationCreate(BaseModel):
    matter_id: IdField
    content: str = Field("", max_length=4000)
    deadline: datetime
    department_code: str | None = None


class RectificationAnswer(BaseModel):
    answer: str = Field("", max_length=4000)


class RectificationRead(BaseModel):
    id: int
    matter_id: int
    matter_code: str
    matter_name: str
    department_code: str | None
    content: str
    deadline: datetime
    issued_by: int | None
    issued_at: datetime
    answer: str
    answered_by: int | None
    answered_at: datetime | None
    outcome: str
    outcome_label: str
