"""The registry section: the register of addresses, houses, people and units (一标三实, issue 15)."""

from __future__ import annotations

from gridgov.policy.schema.base import _Model, _unique


class Registry(_Model):
    """Who besides grid staff and agencies reads the register."""

    department_access: list[str] = _unique("可查看本辖区基础信息的联动部门（部门代码）", default_factory=list)
    """Kinds of linkage department (``departments[].code``) whose users may READ the addresses, houses,
    people and units of their department's area. Empty by default: departments see none of it."""
