"""The territory section: how the territory is cut into grids (A1–A3)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from gridgov.models.territory import DedicatedType, GridKind
from gridgov.policy.schema.base import _Checked, _unique
from gridgov.policy.schema.vocabulary import AdjustmentTrigger, AgencyLevel, MicroGridPolicy


class HouseholdNorm(_Checked):
    """A sensible size for one grid kind, in households: a grid outside [min, max] gets a warning.

    ``nominal`` is the number the text gives when it gives one number ("一般为三百户"); min and max
    then carry a tolerance that ``note`` explains.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    min: int = Field(title="最少户数", gt=0)
    max: int = Field(title="最多户数", gt=0)
    nominal: int | None = Field(None, title="条文户数", gt=0)
    note: str = Field("", title="说明")

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.min > self.max:
            found.append(("min", f"必须小于等于 max（{self.max}）"))
        if self.nominal is not None and not (self.min <= self.nominal <= self.max):
            found.append(("nominal", f"必须在 min 与 max 之间（{self.min}–{self.max}）"))
        return found


class Territory(_Checked):
    """How the territory is cut into grids (A1–A3).

    There is no setting for "no other department may cut grids of its own" (QZ§6, JM§8): the platform
    keeps one division, cut only by grid agencies (import and adjustments need the agency permissions
    no department role holds, tests/territory/test_territory_settings.py), whatever the profile.
    """

    agency_levels: list[AgencyLevel] = _unique("设网格化机构的层级", min_length=1)
    grid_kinds: list[GridKind] = _unique("网格类别", min_length=1)
    dedicated_types: list[DedicatedType] = _unique("专属网格类型", default_factory=list)
    dedicated_dual_management: bool = Field(False, title="专属网格属地与主管部门双重管理")
    micro_grids: MicroGridPolicy = Field(title="微网格")
    household_norms: dict[GridKind, HouseholdNorm] = Field(default_factory=dict, title="网格规模（户）")
    consult_village_committee: bool = Field(title="划分调整须征求村（居）委会意见")
    filed_with_city: bool = Field(title="划分调整报市网格化机构备案")
    adjustment_triggers: list[AdjustmentTrigger] = _unique("网格调整的情形", min_length=1)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        has_dedicated = GridKind.DEDICATED in self.grid_kinds
        if self.dedicated_types and not has_dedicated:
            found.append(("dedicated_types", "未启用专属网格（grid_kinds 不含 dedicated）时不能设置专属网格类型"))
        if has_dedicated and not self.dedicated_types:
            found.append(("dedicated_types", "启用了专属网格，至少要列出一种专属网格类型"))
        if self.dedicated_dual_management and not has_dedicated:
            found.append(("dedicated_dual_management", "未启用专属网格时不能设置双重管理"))
        for kind in self.household_norms:
            if kind not in self.grid_kinds:
                found.append((f"household_norms.{kind}", f"网格类别 {kind} 未在 grid_kinds 中启用"))
        return found

    def allows(self, kind: str, dedicated_type: str | None = None) -> bool:
        """Whether a grid of this kind (and dedicated type) may exist under this profile."""
        if kind not in self.grid_kinds:
            return False
        if kind == GridKind.DEDICATED:
            return dedicated_type in self.dedicated_types
        return dedicated_type is None
