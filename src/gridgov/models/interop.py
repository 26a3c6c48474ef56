"""Other systems that talk to gridgov: API clients (the 12345 hotline, departments' systems, Open311 apps).

An API client is a service account: a ``users`` row that cannot log in (no usable password), whose
role follows the client's kind (:data:`gridgov.models.accounts.CLIENT_ROLE_OF_KIND`), at the client's
area and, for a department's system, its department. Every door, scope rule and file entry that
knows users knows the client that way. The key is shown once when the client is made; only its
SHA-256 is kept (the key carries 256 random bits, so a fast hash is enough and a stolen table
yields no key). ``key_prefix`` finds the row without scanning.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base

CLIENT_KINDS = ("hotline", "department", "open311")
CLIENT_KIND_LABELS = {"hotline": "12345 热线", "department": "部门业务系统", "open311": "Open311 应用"}


class ApiClient(Base):
    """One system allowed to call the API with a key (``Authorization: Bearer ggk_…``)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
