"""What the case pages and the instruction pages both do with a submitted form: read its text
fields, numbers and local times, store its photos, and say what was wrong in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from gridgov.cases import service
from gridgov.errors import Invalid
from gridgov.kit.clock import SHANGHAI
from gridgov.web.forms import message, status_of  # noqa: F401  (the pages call forms.message)

MAX_PHOTOS = 9


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time as people in the city read it: Asia/Shanghai."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else "—"


def category_names(request: Request) -> dict[str, str]:
    """Code → name of every category a case may carry: the profile's and every listed matter."""
    with request.app.state.sessionmaker() as session:
        return service.category_names(session, request.app.state.profile)


def text_values(form) -> dict[str, Any]:
    """The text fields of a form (lists for the fields that repeat), without the CSRF token."""
    values: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        if items:
            values[key] = items if len(items) > 1 or key in ("assisting_departments", "photo_sha") else items[0]
    return values


def _uploads(form, name: str) -> list[UploadFile]:
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


def store_photos(request: Request, form, name: str, kept: list[str]) -> list[str]:
    """Stores the photos of a form through the same service as ``POST /api/v1/case-photos``."""
    hashes = [h for h in kept if h]
    files = _uploads(form, name)
    if len(hashes) + len(files) > MAX_PHOTOS:
        raise Invalid(f"照片最多 {MAX_PHOTOS} 张")
    for upload in files:
        data = upload.file.read()
        if data:
            hashes.append(service.upload_photo(request.app.state.settings.media_path, data).sha256)
    return list(dict.fromkeys(hashes))


def number(value: str, label: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Invalid(f"{label}应为数字") from None


def local_datetime(value: str, label: str) -> datetime | None:
    """A ``datetime-local`` input, read as Asia/Shanghai time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{label}无效，应写作 2026-11-30 17:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
