"""What other packages read of the staff records directly: one record as a principal may see it (None when it
may not, as when missing). The query is the repository's; this is its public face."""

from gridgov.staff.repository import get_staff

__all__ = ["get_staff"]
