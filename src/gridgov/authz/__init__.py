"""THE door: who is acting, what its role may do, and what lies in its jurisdiction."""

from gridgov.authz.dependencies import require
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal

__all__ = ["Permission", "Principal", "require"]
