"""What other packages read of the staff records directly: one record as a principal may see it (None when it
may not, as when missing), the one record of a name at a post, and whether an account may act in its staff
role. The queries are the repository's; this is their public face."""

from gridgov.authz.principal import Principal
from gridgov.errors import Invalid
from gridgov.policy.schema import ROLE_LABELS
from gridgov.staff.repository import get_staff, staff_named_at
from gridgov.staff.rules import ACTIVE, serving_problem

__all__ = ["ACTIVE", "get_staff", "one_staff_named_at", "serving_problem"]


def one_staff_named_at(session, principal: Principal, name: str, role: str, scope_code: str) -> int:
    """The id of the one staff record called ``name`` with a current (active or pending) post of
    ``role`` at ``scope_code``: whom an account made from the command line is tied to."""
    found = staff_named_at(session, principal, name, str(role), scope_code)
    label = ROLE_LABELS.get(str(role), str(role))
    if not found:
        raise Invalid(f"辖区 {scope_code} 中没有担任{label}的网格员 {name}：请先导入网格员（gridgov staff import）")
    if len(found) > 1:
        raise Invalid(f"辖区 {scope_code} 中担任{label}的网格员 {name} 不止一位：请在用户管理页面选择档案")
    return found[0]
