"""THE door for jurisdiction: the one place a principal becomes a WHERE clause.

Every scoped table carries a code column (area, grid or micro-grid code) whose prefix says where a
row lies. A user sees only rows under its own code; anything else is reported as missing (404 with
the same message), never as forbidden.
"""

from __future__ import annotations

from sqlalchemy import or_

from gridgov.authz.principal import Principal
from gridgov.territory import rules


def scope_to_areas(stmt, principal: Principal | None, column):
    """``stmt`` restricted to rows whose ``column`` (a territorial code) lies in the jurisdiction.

    ``None`` stands for the system itself (CLI commands, jobs): no restriction.
    """
    if principal is None:
        return stmt
    return stmt.where(column.startswith(principal.prefix))


def scope_to_visible_areas(stmt, principal: Principal | None, column):
    """Like :func:`scope_to_areas` for the areas table, keeping the jurisdiction's ancestors."""
    if principal is None:
        return stmt
    ancestors = rules.ancestor_codes(principal.scope_code[:12]) if len(principal.scope_code) >= 12 else []
    return stmt.where(or_(column.startswith(principal.prefix), column.in_(ancestors)))


def in_scope(principal: Principal | None, code: str) -> bool:
    return principal is None or principal.covers(code)
