"""Domain errors: each carries its HTTP status and a Chinese message for the user."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    headers: dict[str, str] | None = None
    """Response headers the error calls for (e.g. ``Retry-After`` with a 429)."""

    def __init__(self, message: str, *, details: Any = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if status is not None:
            self.status = status


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    """The payload was well-formed but its content breaks a rule (e.g. a bad import row)."""

    status = 422
    code = "invalid"
