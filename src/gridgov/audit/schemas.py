"""What the audit API reads: one filter for the API, the pages and the CSV export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from gridgov.kit.pagination import Page


class AuditFilter(BaseModel):
    """``since``/``until`` are dates (YYYY-MM-DD, Beijing; ``until`` keeps that whole day) or
    date-times; ``area`` keeps entries that happened in that area or below it."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    area: str | None = None
    since: str | None = None
    until: str | None = None

    def query(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.model_dump().items() if v]


class AuditEntryRead(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    area_code: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str
    ip: str
    actor_name: str | None = None
    """The display name of the acting user (``actor`` is its username)."""
    object_name: str | None = None
    """The display name of the user the entry is about (object ``user``), where it is one."""


AuditPage = Page[AuditEntryRead]
