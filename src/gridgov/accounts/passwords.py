"""Password hashing with argon2id (argon2-cffi's defaults) and the password rules."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEMO_PASSWORD = "demo12345"
MIN_LENGTH = 8
COMMON_PASSWORDS = frozenset({
    "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "admin123", "admin1234", "admin12345",
    "admin888", "abc12345", "abcd1234", "a1234567", "a12345678", "12345678a", "123456abc", "qwerty123",
    "1qaz2wsx", "qwe12345", "test1234", "test12345", "root1234", "gridgov1", "gridgov123", "gridgov2026",
    "changeme1", "welcome1", "iloveyou1", "woaini1314",
})
"""Passwords every guessing list starts with (lower case): refused whatever the mode."""

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Made on a process's first login of any kind (see :func:`warm_dummy`), not at import."""
    return _hasher.hash(secrets.token_urlsafe(16))


def warm_dummy() -> None:
    """Makes the dummy hash before it is needed, so that the first unknown username does not pay
    for making it (which would set that answer apart)."""
    _dummy_hash()


def verify_dummy(password: str) -> bool:
    """Checks ``password`` against a fixed hash nobody knows the password of, with the same argon2
    parameters as a real one: a login for an unknown username costs as long as for a real one, so
    the answer's timing does not say whether the username exists. Always False."""
    verify_password(_dummy_hash(), password)
    return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, username: str, demo: bool) -> str | None:
    """None if the password may be used, else a Chinese reason."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    lowered = password.lower()
    if lowered == DEMO_PASSWORD and not demo:
        return "演示密码只能在演示模式下使用"
    if not demo and lowered.startswith("demo") and lowered[4:].isdigit():
        return "不能使用演示密码的变体（demo 加数字）：请另设一个密码"
    if lowered in COMMON_PASSWORDS:
        return "密码过于常见，容易被猜中：请另设一个密码"
    if password.lower() == username.lower():
        return "密码不能与用户名相同"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字"
    return None
