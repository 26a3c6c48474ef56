"""What other packages read of the staff records directly: one record as a principal may see it (None when it
may not, as when missing), and whether an account may act in its staff role. The query is the repository's;
this is its public face."""

from gridgov.staff.repository import get_staff
from gridgov.staff.rules import ACTIVE, serving_problem

__all__ = ["ACTIVE", "get_staff", "serving_problem"]
