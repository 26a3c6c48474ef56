"""Logging in: the password, the second factor, and the limits that keep guessing slow.

Every outcome is audited, and the audit log is also where failures are counted: ``login_failed``
and ``otp_failed`` entries carry the typed username (``actor``) and the client's address (``ip``),
so the limits hold across several server processes and a restart, with no state in memory.

Two sliding-window limits, checked before any password is hashed (a refused attempt costs one
indexed query, no argon2, and is not written to the log one by one; the entry that reached the
limit, ``login_throttled`` or ``login_locked``, is):

* **Per address**: at most ``login_ip_max_failures`` (10) failures in ``login_ip_window_minutes``
  (5) from one address, whatever usernames it tries. Beyond that: 429 with ``Retry-After`` until
  the oldest of them leaves the window.
* **Per username and address** (the account lockout): at most ``login_max_failures`` (5) failures
  for one username from one address in ``lockout_minutes`` (15), counted since the last success of
  that username from that address or since an administrator unlocked the user or reset its
  password. Beyond that, that username is refused *from that address only* (429, ``Retry-After``).
  The lock is per address on purpose: a stranger who types ``city_admin`` with wrong passwords
  locks out himself, not the real administrator at another address; and a guesser who spreads his
  attempts over many addresses meets the per-address limit at each. The rule is the same for a
  username that does not exist, so the lock message does not tell whether an account exists.

The count and the failure it leads to are one transaction per address: SQLite's writing requests
hold the write lock from their first statement; on PostgreSQL a transaction-scoped advisory lock on
the address does the same, so a burst of simultaneous guesses cannot all pass the check first.

An unknown username costs the same argon2 check as a real one (``passwords.verify_dummy``) and gets
the same answer as a wrong password; its failure is recorded at the instance's top area, where the
auditors of the whole instance see it. The typed password is never recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gridgov.accounts import repository as repo
from gridgov.accounts import twofactor
from gridgov.accounts.passwords import (
    DEMO_PASSWORD,
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
    warm_dummy,
)
from gridgov.accounts.service import _principal
from gridgov.audit.service import record
from gridgov.errors import DomainError, Invalid
from gridgov.kit.crypto import FieldCipher
from gridgov.models import AuditEntry, User
from gridgov.territory.service import top_area_code

FAILURES = ("login_failed", "otp_failed")
"""The audit actions the limits count."""
RESETS = ("user_unlocked", "password_reset")
"""Administrators' actions on a user that lift its locks."""
REFUSED = "用户名或密码错误"


class LoginFailed(Invalid):
    status = 401
    code = "login_failed"


class OtpRequired(LoginFailed):
    code = "otp_required"


class OtpInvalid(LoginFailed):
    code = "otp_invalid"


class LoginThrottled(DomainError):
    status = 429
    code = "login_throttled"

    def __init__(self, message: str, *, retry_after: int, scope: str, until: datetime) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.scope = scope  # "ip" or "user" (the username at this address)
        self.until = until
        self.headers = {"Retry-After": str(retry_after)}


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    lockout_minutes: int = 15
    ip_max_failures: int = 10
    ip_window_minutes: int = 5

    @classmethod
    def of(cls, settings) -> Limits:
        return cls(settings.login_max_failures, settings.lockout_minutes, settings.login_ip_max_failures,
                   settings.login_ip_window_minutes)


def normalise(username: str) -> str:
    return username.strip().lower()[:32]


def top_area(session: Session) -> str:
    """The instance's top area (the root of the areas table; the first by code if there are
    several): where events that belong to no user are recorded, for the auditors of the whole."""
    return top_area_code(session) or ""


def _wait(until: datetime, now: datetime) -> tuple[int, int]:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return seconds, max(1, math.ceil(seconds / 60))


def limit_reached(session: Session, name: str, user: User | None, *, ip: str, now: datetime,
                  limits: Limits) -> LoginThrottled | None:
    """The refusal due to the address or the (username, address) pair, if either is at its limit."""
    window = timedelta(minutes=limits.ip_window_minutes)
    times = repo.recent_failures(session, FAILURES, AuditEntry.ip == ip, since=now - window,
                                 limit=limits.ip_max_failures)
    if len(times) >= limits.ip_max_failures:
        seconds, minutes = _wait(times[-1] + window, now)
        return LoginThrottled(f"本地址登录失败次数过多，请 {minutes} 分钟后再试", retry_after=seconds, scope="ip",
                              until=times[-1] + window)
    window = timedelta(minutes=limits.lockout_minutes)
    since = now - window
    reset = repo.last_reset(session, name, user, ip, RESETS)
    if reset is not None and reset > since:
        since = reset
    times = repo.recent_failures(session, FAILURES, AuditEntry.actor == name, AuditEntry.ip == ip, since=since,
                                 limit=limits.max_failures)
    if len(times) >= limits.max_failures:
        seconds, minutes = _wait(times[-1] + window, now)
        return LoginThrottled(
            f"该用户名在本地址 {limits.lockout_minutes} 分钟内登录失败 {limits.max_failures} 次，已暂时锁定，"
            f"请 {minutes} 分钟后再试", retry_after=seconds, scope="user", until=times[-1] + window)
    return None


def _fail(session: Session, name: str, user: User | None, *, ip: str, now: datetime, limits: Limits,
          detail: str, action: str = "login_failed", error: LoginFailed | None = None):
    """Records a failure; raises the refusal it leads to (the limit, if this failure reached it)."""
    who = _principal(user) if user is not None else None
    area = "" if user is not None else top_area(session)
    target = {"object_type": "user", "object_id": user.id} if user is not None else {}
    record(session, actor=who, actor_name=name, action=action, now=now, area_code=area, detail=detail, ip=ip, **target)
    session.flush()
    reached = limit_reached(session, name, user, ip=ip, now=now, limits=limits)
    if reached is not None:
        if reached.scope == "user":
            if user is not None:
                user.locked_until = reached.until  # shown to administrators, who may lift it
            record(session, actor=who, actor_name=name, action="login_locked", now=now, area_code=area, ip=ip,
                   detail=f"本地址连续失败 {limits.max_failures} 次，此用户名在本地址暂停登录", **target)
        else:
            record(session, actor=None, actor_name=name, action="login_throttled", now=now, area_code=top_area(session),
                   ip=ip,
                   detail=f"本地址 {limits.ip_window_minutes} 分钟内登录失败 {limits.ip_max_failures} 次，暂停登录")
        raise reached
    raise error or LoginFailed(REFUSED)


def authenticate(session: Session, username: str, password: str, *, now: datetime, limits: Limits, demo: bool,
                 ip: str = "") -> User:
    """The user if the password is right and the account usable (the second factor, if the user
    has one, is still to be checked: :func:`second_factor`); every failure is audited and raised.

    Unknown username, wrong password: the same answer (:data:`REFUSED`) after the same argon2 work.
    """
    name = normalise(username)
    warm_dummy()
    repo.lock_logins_from(session, ip)
    user = repo.user_by_username(session, name)
    refusal = limit_reached(session, name, user, ip=ip, now=now, limits=limits)
    if refusal is not None:
        raise refusal
    fail = {"ip": ip, "now": now, "limits": limits}
    if user is None:
        verify_dummy(password)
        _fail(session, name, None, detail="用户不存在", **fail)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        _fail(session, name, user, detail=f"密码错误（连续第 {user.failed_logins} 次）", **fail)
    if not user.is_active:
        _fail(session, name, user, detail="账号已停用", error=LoginFailed("账号已停用，请联系管理员"), **fail)
    if password == DEMO_PASSWORD and not demo:
        _fail(session, name, user, detail="演示密码",
              error=LoginFailed("演示密码只能在演示模式下使用，请联系管理员重设密码"), **fail)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def second_factor(session: Session, user: User, code: str, *, cipher: FieldCipher, now: datetime, limits: Limits,
                  ip: str = "") -> str:
    """Checks the TOTP or recovery code of a user whose password was right: ``"totp"`` or
    ``"recovery"``. A wrong code counts like a wrong password (``otp_failed``)."""
    repo.lock_logins_from(session, ip)
    refusal = limit_reached(session, user.username, user, ip=ip, now=now, limits=limits)
    if refusal is not None:
        raise refusal
    used = twofactor.check_code(user, code, cipher=cipher, now=now)
    if used is None:
        _fail(session, user.username, user, action="otp_failed", detail="动态验证码错误", ip=ip, now=now, limits=limits,
              error=OtpInvalid("动态验证码错误或已使用过，请输入验证器当前显示的 6 位数字或一个恢复码"))
    if used == "recovery":
        record(session, actor=_principal(user), action="recovery_code_used", now=now, object_type="user",
               object_id=user.id, detail=f"剩余恢复码 {len(user.recovery_codes or [])} 个", ip=ip)
    return used


def succeed(session: Session, user: User, *, now: datetime, ip: str = "") -> User:
    """Records a complete login (password and, if enabled, the second factor)."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record(session, actor=_principal(user), action="login_succeeded", now=now, object_type="user", object_id=user.id,
           ip=ip)
    return user
