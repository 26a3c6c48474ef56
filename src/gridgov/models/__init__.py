"""Every table, one module per aggregate. Alembic's env.py reads ``Base.metadata`` from here."""

from gridgov.models.base import Base
from gridgov.models.system import CalendarOverride, Counter
from gridgov.models.territory import Area, Grid, MicroGrid

__all__ = ["Area", "Base", "CalendarOverride", "Counter", "Grid", "MicroGrid"]
