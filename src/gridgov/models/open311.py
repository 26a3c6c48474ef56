"""Open311 GeoReport v2 (issue 17, :mod:`gridgov.interop.open311`): what an Open311 client sent with a
request that a case has no column for. The case itself is an ordinary case (``cases``); this row only
names the client that posted it and the ``media_url`` it gave (a public link, published with the
request). The reporter's phone and name go into the case (encrypted, masked); an e-mail is not kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base
from gridgov.models.cases import Case, CaseLogEntry


class Open311Request(Base):
    __tablename__ = "open311_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    client_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The API client (``api_clients.id``) whose key posted it."""
    media_url: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Open311's GETs are public, without a login: their queries must not scan every case or every entry.
Index("ix_cases_source_created_at", Case.source, Case.created_at)
"""GET requests: the public cases (by source) of a window of ``requested_datetime``, oldest first."""
Index("ix_case_log_at", CaseLogEntry.at)
"""GET servicerequestupdates: the entries of a window, oldest first (at most 1,000 a call)."""
