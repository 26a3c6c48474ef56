"""Signed, expiring tokens for sessions and the API (HMAC-SHA256 over a small payload).

A token names the user and the user's ``session_version``: logging out, changing or resetting the
password, disabling the user or changing its role, scope or department bumps the version and so
ends every cookie and token of that user issued before, at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TokenClaims:
    purpose: str
    user_id: int
    version: int
    expires: int


def _sign(key: bytes, body: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode().rstrip("=")


def issue(secret_key: str, *, purpose: str, user_id: int, version: int, expires_at: datetime) -> str:
    body = f"{purpose}.{user_id}.{version}.{int(expires_at.timestamp())}"
    return f"{body}.{_sign(secret_key.encode(), body.encode())}"


def verify(secret_key: str, token: str, *, purpose: str, now: datetime) -> TokenClaims | None:
    """The claims of a valid, unexpired token for ``purpose``; None for anything else."""
    try:
        body, signature = token.rsplit(".", 1)
        kind, user_id, version, expires = body.split(".")
        claims = TokenClaims(kind, int(user_id), int(version), int(expires))
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _sign(secret_key.encode(), body.encode())):
        return None
    if claims.purpose != purpose or claims.expires < now.timestamp():
        return None
    return claims
