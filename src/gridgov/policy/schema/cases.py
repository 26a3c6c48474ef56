"""The cases section: how a case travels the closed loop, and its clocks' limits (D2–D6)."""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Checked, _Model, _unique
from gridgov.policy.schema.vocabulary import (
    AgencyLevel,
    DisputeSettler,
    ReportLevel,
    UnstaffedGridWay,
)


class CaseLimits(_Checked):
    """The time limits of a case's clocks (D2–D6). Working days follow :class:`WorkCalendar`."""

    # Upper bounds: a matter's own limits come from a request (catalogue applications); a year of
    # working days or a month of hours is far past any rule, and keeps the clocks' arithmetic finite.
    report_hours: float = Field(title="网格员上报时限（小时）", gt=0, le=720)
    urgent_report_minutes: int = Field(title="紧急情况上报时限（分钟，“立即”）", gt=0, le=1440)
    accept_working_days: int = Field(title="机构受理时限（工作日）", ge=1, le=250)
    accept_urgent_hours: float = Field(title="紧急事项受理时限（小时）", gt=0, le=720)
    handling_working_days: int = Field(title="部门办理时限（工作日）", ge=1, le=250)
    max_extensions: int = Field(title="可延期次数", ge=0, le=10)
    extension_working_days: int = Field(title="每次延期上限（工作日）", ge=1, le=250)
    feedback_working_days: int = Field(title="办结后反馈时限（工作日）", ge=1, le=250)
    warning_ratio: float = Field(title="预警比例（时限已过）", gt=0, lt=1)
    dispatch_working_days: int = Field(title="受理后分派时限（工作日）", ge=1, le=250)
    dispatch_urgent_hours: float = Field(title="紧急事项受理后分派时限（小时）", gt=0, le=720)
    reopen_days: int = Field(title="不满意事项可重新办理的期限（日）", ge=1, le=366)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.urgent_report_minutes > self.report_hours * 60:
            found.append(("urgent_report_minutes", "紧急上报时限不能长于一般上报时限"))
        if self.accept_urgent_hours > self.accept_working_days * 24:
            found.append(("accept_urgent_hours", "紧急受理时限不能长于一般受理时限"))
        if self.dispatch_urgent_hours > self.dispatch_working_days * 24:
            found.append(("dispatch_urgent_hours", "紧急分派时限不能长于一般分派时限"))
        return found


class DepartmentKind(_Model):
    """A linkage department (网格化联动部门) that exists at the listed levels of government."""

    code: str = Field(title="代码", pattern=r"^[a-z][a-z0-9_]*$", max_length=24)
    name: str = Field(title="名称", min_length=1, max_length=30)
    levels: list[AgencyLevel] = _unique("设置层级", min_length=1)


class Category(_Model):
    """A kind of case, used to route and count cases until the catalogue of matters exists."""

    code: str = Field(title="代码", pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    name: str = Field(title="名称", min_length=1, max_length=20)


class Cases(_Checked):
    """How a case travels the closed loop under this text."""

    report_to: ReportLevel = Field(title="网格员上报至")
    level_by_level: bool = Field(title="逐级受理上报事项")
    emergency_to_department: bool = Field(title="紧急情况同时直报主管部门")
    dispute_settled_by: DisputeSettler = Field(title="职责争议由谁决定")
    limits: CaseLimits = Field(title="办理时限")
    categories: list[Category] = _unique("事项类别（初始）", min_length=1)
    unstaffed_grid: list[UnstaffedGridWay] = _unique("网格无在岗网格员时核实事项的方式", default_factory=list)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        seen: set[str] = set()
        for i, c in enumerate(self.categories):
            if c.name in seen:
                found.append((f"categories[{i}].name", f"重复的类别名称 {c.name!r}"))
            seen.add(c.name)
        return found

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)
