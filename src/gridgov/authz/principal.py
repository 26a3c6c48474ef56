"""Who is acting: the principal resolved from a session cookie or a bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov import areas
from gridgov.authz.permissions import Permission, role_can
from gridgov.models.accounts import ROLE_LABELS, Role
from gridgov.models.territory import AreaLevel


@dataclass(frozen=True)
class Principal:
    """A user acting in its one role at its one place. ``prefix`` selects everything under it."""

    user_id: int
    username: str
    display_name: str
    role: str
    scope_code: str
    department_code: str | None = None
    via_cookie: bool = False
    two_factor: bool = False
    """Whether the user has enabled two-factor login (TOTP)."""
    off_post: str | None = None
    """Why an account whose role is a staff post may not act in it now (its post is not active, or
    its pre-job training is not on record where the profile asks for it): the door lets it reach
    only its own account. None: it may act (and always for roles that are not staff posts)."""
    registry_granted: bool = False
    """A department user whose department's kind the profile's ``registry.department_access`` lists:
    it reads the register (addresses, houses, people, units) of its area. Resolved when the principal
    is built (:func:`gridgov.accounts.service.principal_for`); the scope door's rule reads it."""
    client_id: int | None = None
    """The API client (:mod:`gridgov.interop.clients`) this principal is the service account of;
    None for people."""
    client_kind: str | None = None
    """The client's kind (hotline, department, open311); None for people."""
    system: bool = False
    """The system itself (CLI commands, jobs, demo builders): sees every row. Only
    :data:`gridgov.authz.scope.SYSTEM` sets it; no request ever resolves to it."""

    def __bool__(self) -> bool:
        """The system principal is falsy, so what records who acted (``user_id if principal else
        None``, ``actor.username if actor else "system"``) writes no user for it."""
        return not self.system

    @classmethod
    def for_system(cls) -> Principal:
        return cls(user_id=0, username="system", display_name="系统", role="system", scope_code="", system=True)

    @property
    def prefix(self) -> str:
        if self.system:
            return ""
        return areas.scope_prefix(self.scope_code)

    @property
    def role_label(self) -> str:
        if self.system:
            return "系统"
        return ROLE_LABELS.get(Role(self.role), self.role)

    @property
    def level(self) -> AreaLevel | None:
        """The level of the area the principal is bound to (None for a grid or micro-grid)."""
        if len(self.scope_code) == areas.AREA_CODE_LEN:
            return areas.area_level(self.scope_code)
        return None

    def can(self, permission: Permission) -> bool:
        return self.system or role_can(self.role, permission)

    def covers(self, code: str) -> bool:
        """Whether an area, grid or micro-grid code lies inside the principal's jurisdiction."""
        return code.startswith(self.prefix)

    def sees_area(self, area_code: str) -> bool:
        """An area is visible if it lies inside the jurisdiction or is one of its ancestors (for
        breadcrumbs and navigation down to the jurisdiction)."""
        if self.system or self.covers(area_code):
            return True
        return self.prefix.startswith(areas.area_prefix(area_code))
