"""Early warnings (issue 16): the runs of the warnings job.

The job (``analysis_warnings`` in :mod:`gridgov.jobs`) works out every agency's warnings at most
once per hour: it claims the hour by inserting its row here (the primary key is the claim; a second
process, or the next tick of the same one, finds it taken and does nothing). Each warning is told
once whatever the runs: the notice's ``dedupe_key`` carries the warning's stable key and the user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class WarningRun(Base):
    __tablename__ = "analysis_warning_runs"

    slot: Mapped[str] = mapped_column(String(16), primary_key=True)
    """The local hour the run claimed, ``YYYY-MM-DDTHH``."""
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    notices: Mapped[int] = mapped_column(Integer, default=0)
