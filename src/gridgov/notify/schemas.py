"""Notices in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gridgov.kit.params import IdField

KIND_LABELS = {
    "case_to_verify": "待核实",
    "clock_warning": "时限预警",
    "clock_overdue": "超期",
    "supervise": "督办",
    "supervision_answered": "督办答复",
    "supervision_overdue": "督办超期",
    "instruction_sent": "交办",
    "instruction_requested": "交办申请",
    "instruction_refused": "交办申请未同意",
    "instruction_completed": "交办完成",
    "instruction_declined": "交办被拒绝",
    "catalogue_filing": "报市备案",
    "dedicated_grid_case": "专属网格事项",
    "complaint_overdue": "投诉超期",
    "case_emergency": "紧急直报",
    "merge": "已并入其他事件",
    "case_dispatched": "已分派",
    "case_closed": "已结束",
    "assist_report": "协办情况",
    "visit_overdue": "走访逾期",
    "analysis_warning": "预警",
    "hotline_triage": "热线待分类",
}
"""Chinese labels of notice kinds; a kind not listed is an action of the case lifecycle (待办)."""

INFO_KINDS = frozenset({
    "clock_warning", "clock_overdue", "supervision_answered", "supervision_overdue", "instruction_approved",
    "instruction_refused", "instruction_completed", "instruction_declined", "catalogue_filing",
    "dedicated_grid_case", "complaint_overdue", "case_dispatched", "case_closed", "merge",
    "assist_report", "visit_overdue", "analysis_warning",
})
"""Notices that inform: nothing waits on the reader. Every other kind is a to-do (待办): a step of a
case or an instruction waits on the reader, and the notice is done when anyone takes that step."""

TODO, INFO = "todo", "info"


def is_todo(kind: str) -> bool:
    return kind not in INFO_KINDS


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "待办")


class NotificationRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    message: str
    case_id: int | None
    link: str
    created_at: datetime
    read_at: datetime | None
    todo: bool = Field(title="是否待办（否则为通知信息）")
    done_at: datetime | None = Field(title="待办已办结的时间（有人办理了该步骤）")


class NotificationList(BaseModel):
    """One page of my notices, with the counts the header shows."""

    items: list[NotificationRead]
    total: int
    page: int
    page_size: int
    unread: int = Field(title="未读条数（全部）")
    open_todos: int = Field(title="未办结的待办条数（角标所示）")


class MarkRead(BaseModel):
    """Either the ids of my notices to mark read, or ``all``."""

    model_config = ConfigDict(extra="forbid")

    ids: list[IdField] | None = Field(None, max_length=500, title="通知编号")
    all: bool = Field(False, title="全部标为已读")


class MarkedRead(BaseModel):
    marked: int
    unread: int
