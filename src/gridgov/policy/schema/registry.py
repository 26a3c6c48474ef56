"""The registry section: the register of addresses, houses, people and units (一标三实), special
groups and visits (issue 15)."""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Model, _unique


class Registry(_Model):
    """Who besides grid staff and agencies reads the register, and how long it keeps personal data."""

    retention_years: int = Field(title="迁出、死亡人员信息保存年限", ge=1, le=30)
    """Years a person's record is kept after it is archived (moved out, died); then the periodic job
    deletes it. No regulation sets it: a local default, set with PIPL art. 19 and 47 in mind
    (personal data is kept no longer than its purpose needs)."""
    department_access: list[str] = _unique("可查看本辖区基础信息的联动部门（部门代码）", default_factory=list)
    """Kinds of linkage department (``departments[].code``) whose users may READ the addresses, houses,
    people and units of their department's area. Empty by default: departments see none of it."""
