"""The warnings section: the thresholds of the early warnings (issue 16, E4; JM§21 工作预警).

No text sets a number: JM§21 asks the agencies to raise work warnings (工作预警) from the data and
leaves how to the city, so every value is a local default (``default``, or ``default: JM§21`` where
the profile's own text asks for warnings). The rules that read them: :mod:`gridgov.analysis.warning_rules`
(docs/analysis.md, ``## 预警``).
"""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Model


class Warnings(_Model):
    """Thresholds of the early warnings (预警)."""

    baseline_weeks: int = Field(title="周事件量预警：基线周数", ge=2, le=52)
    """The week's count is compared with the mean of this many previous weeks; a grid or type with
    less history than that raises no alarm."""
    alarm_probability: float = Field(title="周事件量预警：误报概率上限", gt=0, lt=0.5)
    """An alarm needs a count whose probability under the baseline (Poisson) is at most this."""
    min_weekly_count: int = Field(title="周事件量预警：最少事件数", ge=1, le=10000)
    repeat_days: int = Field(title="重复事件预警：统计天数", ge=1, le=365)
    repeat_min_cases: int = Field(title="重复事件预警：同一地址或邻近最少事件数", ge=2, le=1000)
    repeat_radius_m: int = Field(title="重复事件预警：邻近半径（米）", ge=5, le=2000)
    overdue_window_days: int = Field(title="部门超期预警：比较窗口（天）", ge=7, le=365)
    overdue_min_cases: int = Field(title="部门超期预警：每个窗口最少事件数", ge=1, le=100000)
    overdue_rise: float = Field(title="部门超期预警：超期占比上升（比例，0.1 即 10 个百分点）", gt=0, le=1)
    complaint_days: int = Field(title="网格员投诉预警：统计天数", ge=1, le=365)
    complaint_min: int = Field(title="网格员投诉预警：最少投诉件数", ge=2, le=1000)
    visit_overdue_min: int = Field(title="走访逾期预警：每个网格最少逾期人次", ge=1, le=10000)
