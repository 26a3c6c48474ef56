"""Early warnings in and out of the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

KIND_LABELS = {
    "grid_jump": "网格事件量突增",
    "type_jump": "事件类型突增",
    "repeat_address": "同一地址重复事件",
    "repeat_nearby": "邻近位置重复事件",
    "department_overdue": "部门超期占比上升",
    "worker_complaints": "网格员被重复投诉",
    "visits_overdue": "特殊人群走访逾期",
}
"""The kinds of warning, in the order the page lists them."""


class WarningItem(BaseModel):
    key: str = Field(title="预警标识（同一预警不变，用于去重）")
    kind: str = Field(title="预警类别")
    kind_label: str = Field(title="预警类别名称")
    title: str = Field(title="标题")
    explanation: str = Field(title="说明（含触发预警的数字）")
    area: str = Field(title="所在区划或网格编码")
    grid: str | None = Field(None, title="网格编码")
    type: str | None = Field(None, title="事件类型编码")
    department: str | None = Field(None, title="部门编码")
    worker: int | None = Field(None, title="网格员（人员编号）")
    figures: dict[str, float | int | str] = Field(default_factory=dict, title="触发预警的数字")
    case_nos: list[str] = Field(default_factory=list, title="相关事件编号")
    cases_url: str | None = Field(None, title="相关事件列表（GET /api/v1/cases 及筛选条件）")
    link: str | None = Field(None, title="相关页面（无事件的预警）")


class WarningList(BaseModel):
    as_of: date = Field(title="计算日期")
    items: list[WarningItem]
    total: int
