"""The catalogue section: the published list of grid work (C1–C5)."""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Checked, _unique
from gridgov.policy.schema.vocabulary import Applicant, Approver, ListKind, PowerType


class Catalogue(_Checked):
    """Which lists exist at which level and who decides what enters or leaves them (C1–C5).

    No setting says whether the list is published: every text makes it public (ZJ§7, LZ§15, JS§10,
    QZ§7、QZ§9, JM§9), so the public list pages always exist."""

    city_lists: list[ListKind] = _unique("市级清单", default_factory=list)
    county_lists: list[ListKind] = _unique("县级清单", default_factory=list)
    county_follows_city: bool = Field(title="县级清单依据市级清单编制")
    county_lists_filed_with_city: bool = Field(title="县级清单报市网格化机构备案")
    expert_review: bool = Field(title="编制调整须专家论证、评估审核")
    list_approved_by: Approver = Field(title="清单由谁批准")
    admission_applicants: list[Applicant] = _unique("准入申请人", min_length=1)
    admission_approved_by: Approver = Field(title="准入由谁批准")
    exit_approved_by: Approver = Field(title="退出由谁批准")
    temporary_admission: bool = Field(title="紧急事项可临时纳入")
    temporary_requires_end_date: bool = Field(title="临时纳入须明确期限")
    forced_exit: bool = Field(title="部门不履职可强制退出")
    forbidden_power_types: list[PowerType] = _unique("不得纳入清单的事项", default_factory=list)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if not self.city_lists and not self.county_lists:
            found.append(("city_lists", "市级与县级至少要有一种清单"))
        if self.county_follows_city and not (self.city_lists and self.county_lists):
            found.append(("county_follows_city", "须同时设有市级清单和县级清单"))
        if self.county_lists_filed_with_city and not self.county_lists:
            found.append(("county_lists_filed_with_city", "没有县级清单，无从备案"))
        if self.temporary_requires_end_date and not self.temporary_admission:
            found.append(("temporary_requires_end_date", "须先设置 temporary_admission = true"))
        return found
