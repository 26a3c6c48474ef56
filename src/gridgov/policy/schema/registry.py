"""The registry section: the register of 一标三实 (issue 15).

``retention_years``: how long a person who moved out or died is kept after archiving (retention).
``department_access``: the linkage departments that may read the register of their area (none by default).

``special_groups`` (the care part): each special group a person may be tagged with, keyed by its
code (``[registry.special_groups.<code>]``), with its name, sensitivity, visit frequency and the
roles that may see it. A group is read as one setting (atomic), so each has its own source line:
the article that names the group and the duty to visit it where a text does (``default: ZJ§19``:
the frequency, sensitivity and roles are the city's own choice measuring that duty).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field

from gridgov.models.accounts import Role
from gridgov.policy.schema.base import _Checked, _Model, _unique

Sensitivity = Literal["high", "medium", "low"]
SENSITIVITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
TAG_CODE = re.compile(r"^[a-z][a-z_]{1,30}$")


class SpecialGroup(_Model):
    """One special group (特殊人群) a person may be tagged with."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    name: str = Field(title="名称", min_length=2, max_length=20)
    sensitivity: Sensitivity = Field(title="敏感级别")
    """``high``: the group is never named in a notice, even to roles that may see it."""
    visit_every_days: int = Field(title="走访频次（天）", ge=1, le=366)
    roles: list[str] = _unique("可查看的角色", min_length=1)


class Registry(_Checked):
    """The register of addresses, houses, people and units (一标三实)."""

    retention_years: int = Field(title="迁出、死亡人员信息保存年限", ge=1, le=30)
    """Years a person's record is kept after it is archived (moved out, died); then the periodic job
    deletes it. No regulation sets it: a local default, set with PIPL art. 19 and 47 in mind
    (personal data is kept no longer than its purpose needs)."""
    department_access: list[str] = _unique("可查看本辖区基础信息的联动部门（部门代码）", default_factory=list)
    """Kinds of linkage department (``departments[].code``) whose users may READ the addresses, houses,
    people and units of their department's area. Empty by default: departments see none of it."""
    special_groups: dict[str, SpecialGroup] = Field(title="特殊人群（标签）", min_length=1)

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        known = {r.value for r in Role}
        names: set[str] = set()
        for code, group in self.special_groups.items():
            if not TAG_CODE.match(code):
                found.append((f"special_groups.{code}", "代码只能由小写字母和下划线组成（2–31 位）"))
            for role in group.roles:
                if role not in known:
                    found.append((f"special_groups.{code}.roles", f"没有角色 {role!r}"))
            if group.name in names:
                found.append((f"special_groups.{code}.name", f"名称 {group.name} 重复"))
            names.add(group.name)
        return found
