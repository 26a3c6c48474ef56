"""THE door: who is acting, what its role may do, and what lies in its jurisdiction."""

from gridgov.authz import scope_cogovernance, scope_interop  # noqa: F401 (register their tables' rules)
from gridgov.authz.dependencies import Pass, admit, require
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal

__all__ = ["Pass", "Permission", "Principal", "admit", "require"]
