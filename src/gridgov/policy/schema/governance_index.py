"""The governance index section (``[governance_index]``, issue 16): a composite index like the 平安指数
some cities publish: first-level groups (一级指标) with weights, each made of second-level
indicators (二级指标) with weights, each indicator scaled to 0–100 by a linear rule between its
``worst`` and ``best`` values (see ``gridgov.analysis.index_rules`` and docs/analysis.md).

No regulation defines an index: the texts only charge the agencies with appraisal (ZJ§5 and ZJ§28
绩效评价/考核评议, JS§5 and QZ§4 绩效考评, JM§14 平安建设考评体系, JM§21 数据研判). Every weight and
bound here is a local default (``default``), documented and meant to be set by the deployment.

``indicators`` is keyed by the indicator's code; the platform knows the indicators of
:data:`INDICATORS` (what each counts is fixed in code, what it weighs is the profile's).
``safety_categories``: the case categories (``cases.categories[].code``) counted as 安全稳定 cases.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from gridgov.policy.schema.base import _Checked, _Model, _unique

INDICATORS = {
    "closure_rate": "结案率",
    "on_time_closure_rate": "按期结案率",
    "rework_rate": "返工率",
    "satisfaction_rate": "满意率",
    "complaints_per_mille": "每千人投诉数",
    "visit_completion_rate": "特殊人群走访完成率",
    "house_occupancy_rate": "房屋人口登记覆盖率",
    "safety_cases_per_mille": "每千人安全类事件数",
}
"""The second-level indicators the platform can compute, code → Chinese name."""

WEIGHT_TOTAL = 100


class IndexGroup(_Model):
    """A first-level indicator (一级指标): its name and weight within the index."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    name: str = Field(title="名称", min_length=2, max_length=20)
    weight: float = Field(title="权重", ge=0, le=WEIGHT_TOTAL)


class IndexIndicator(_Model):
    """A second-level indicator (二级指标): the group it belongs to, its weight within the group, and the
    raw values scored 0 (``worst``) and 100 (``best``); ``best`` above ``worst`` means higher is better."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    group: str = Field(title="所属一级指标")
    weight: float = Field(title="权重", ge=0, le=WEIGHT_TOTAL)
    best: float = Field(title="满分值（得 100 分）", ge=0, le=1000)
    worst: float = Field(title="零分值（得 0 分）", ge=0, le=1000)


class GovernanceIndex(_Checked):
    """The composite governance index: groups, indicators, the safety-related case categories."""

    name: str = Field(title="指数名称", min_length=2, max_length=20)
    groups: dict[str, IndexGroup] = Field(title="一级指标", min_length=1)
    indicators: dict[str, IndexIndicator] = Field(title="二级指标", min_length=1)
    safety_categories: list[str] = _unique("安全稳定类事件（事项类别代码）", default_factory=list)

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        total = sum(g.weight for g in self.groups.values())
        if abs(total - WEIGHT_TOTAL) > 1e-6:
            found.append(("groups", f"一级指标权重之和应为 {WEIGHT_TOTAL}，现为 {total:g}"))
        for code, ind in self.indicators.items():
            if code not in INDICATORS:
                found.append((f"indicators.{code}", f"没有这个指标；可用的指标：{'、'.join(INDICATORS)}"))
            if ind.group not in self.groups:
                found.append((f"indicators.{code}.group", f"一级指标 {ind.group!r} 未在 groups 中设置"))
            if ind.best == ind.worst:
                found.append((f"indicators.{code}", "满分值与零分值不能相同"))
        for gcode in self.groups:
            weights = [i.weight for i in self.indicators.values() if i.group == gcode]
            if not weights:
                found.append((f"groups.{gcode}", "一级指标下没有二级指标"))
            elif abs(sum(weights) - WEIGHT_TOTAL) > 1e-6:
                found.append((f"groups.{gcode}", f"其下二级指标权重之和应为 {WEIGHT_TOTAL}，现为 {sum(weights):g}"))
        return found
