"""The appraisal section (issue 16; G1, G2, B5): how towns, linkage departments and grid workers are
scored per period (ZJ§27–29, JS§20, JM§14: the agency appraises; lagging departments are named;
residents' evaluations count in the appraisal of officials' work style, ZJ§28).

Each level (``town``, ``department``, ``worker``) is one setting (atomic): the components it is
scored on and the points (weights, summing to 100) each carries. A component is a rate between 0 and
1 computed from the cases' fact rows or the registry (:data:`COMPONENTS`; the formulas live in
``gridgov.analysis.appraisal_rules``); its points are ``weight × rate``. No text sets the weights:
they are local settings measuring the article that asks for the appraisal.

``lagging_below``: a department whose score falls below it is named as lagging (ZJ§29 通报、约谈).
``complaint_deduction``: the points a worker loses for each complaint received in the period.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from gridgov.policy.schema.base import _Checked, _Model

COMPONENTS: dict[str, str] = {
    "valid_rate": "有效上报率",
    "verified_on_time_rate": "按时核实率",
    "accurate_dispatch_rate": "准确派遣率",
    "handled_on_time_rate": "按期处置率",
    "closed_rate": "结案率",
    "closed_on_time_rate": "按期结案率",
    "rework_free_rate": "一次办结率（1 − 返工率）",
    "not_extended_rate": "未延期率（1 − 延期率）",
    "satisfaction_rate": "满意率",
    "visit_completion_rate": "走访完成率",
}
"""The components a level may be scored on, with their Chinese names."""

LEVEL_COMPONENTS: dict[str, frozenset[str]] = {
    "town": frozenset(COMPONENTS),
    "department": frozenset({"handled_on_time_rate", "closed_rate", "closed_on_time_rate", "rework_free_rate",
                             "not_extended_rate", "satisfaction_rate"}),
    "worker": frozenset({"valid_rate", "verified_on_time_rate", "closed_rate", "closed_on_time_rate",
                         "satisfaction_rate", "visit_completion_rate"}),
}
"""What each level may be scored on: a department answers for what it handles, a worker for what it
reports and verifies and for its grid's visits; a town for all of it."""

LEVEL_LABELS = {"town": "镇（街道）", "department": "联动部门", "worker": "网格员"}


class Level(_Model):
    """The components of one level and their points (summing to 100)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    weights: dict[str, int] = Field(title="考核指标及分值", min_length=1)


class Appraisal(_Checked):
    """Appraisal of towns, departments and workers (ZJ§27–29, JS§20, JM§14)."""

    town: Level = Field(title="镇（街道）考核")
    department: Level = Field(title="联动部门考核")
    worker: Level = Field(title="网格员考核")
    lagging_below: int = Field(title="部门考核落后线（分）", ge=0, le=100)
    complaint_deduction: int = Field(title="网格员每件投诉扣分", ge=0, le=100)

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for level, allowed in LEVEL_COMPONENTS.items():
            weights = getattr(self, level).weights
            for code, weight in weights.items():
                if code not in COMPONENTS:
                    found.append((f"{level}.weights.{code}", f"没有这个考核指标，可选：{'、'.join(COMPONENTS)}"))
                elif code not in allowed:
                    found.append((f"{level}.weights.{code}",
                                  f"{LEVEL_LABELS[level]}不考核“{COMPONENTS[code]}”"))
                if weight <= 0:
                    found.append((f"{level}.weights.{code}", "分值必须大于 0"))
            if sum(weights.values()) != 100:
                found.append((f"{level}.weights", f"各项分值之和应为 100，现为 {sum(weights.values())}"))
        return found
