"""What every page does with a refused form: say what was wrong in Chinese, with which status.

Shared by the pages of every domain (staff, cases, instructions); it imports no domain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import ValidationError

from gridgov.errors import DomainError, Invalid


def by_location(error: dict) -> str:
    """A field problem as ``field.sub message`` (the field's dotted location, then pydantic's words)."""
    return f"{'.'.join(map(str, error['loc']))} {error['msg']}"


def message(exc: Exception, describe: Callable[[dict], str] = by_location, *, prefix: str = "") -> str:
    """The refusal in words: each field problem of a validation error as ``describe`` puts it
    (after ``prefix``), or the domain error's own message."""
    if isinstance(exc, ValidationError):
        return prefix + "；".join(describe(e) for e in exc.errors())
    return getattr(exc, "message", str(exc))


def status_of(exc: Exception) -> int:
    """The status a refused form is answered with: the domain error's, or 422."""
    return exc.status if isinstance(exc, DomainError) else 422


def optional_date(value: str, label: str) -> date | None:
    """A form's date field: empty is None; anything but YYYY-MM-DD a 422 naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{label}“{value}”无效，应写作 2024-03-01") from None
