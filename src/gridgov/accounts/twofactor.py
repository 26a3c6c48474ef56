"""Two-factor login: TOTP codes (RFC 6238, 6 digits every 30 s, as phone authenticator apps make
them) and single-use recovery codes.

Enrolment: the user starts it (a new secret is sealed with the app's FieldCipher and kept, not yet
enabled), scans the QR code or types the secret into an authenticator app, and confirms with a
code; only then is two-factor login enabled, and ten recovery codes are shown once. They are kept
as keyed hashes (FieldCipher.blind_index) and each is struck off when used. Disabling takes the
password and a code. A code is never accepted twice (``users.totp_last_step``). The audit log says
that a user enrolled, disabled, gave a wrong code or used a recovery code; never the secret or a code.
"""

from __future__ import annotations

import hmac
import io
import re
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy.orm import Session

from gridgov.accounts import repository as repo
from gridgov.accounts.passwords import verify_password
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.crypto import FieldCipher
from gridgov.models import User

RECOVERY_CODES = 10
ISSUER = "gridgov"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without doubt


class OtpInvalid(Invalid):
    code = "otp_invalid"


def pending_user(session: Session, user_id: int) -> User | None:
    """The account behind a verified pending-login token (its id comes from the signed token):
    the code step of a login, before any principal exists."""
    return repo.get_user(session, user_id)


def own_user(session: Session, principal: Principal) -> User:
    """The principal's own account."""
    return _user(session, principal)


def _user(session: Session, principal: Principal) -> User:
    user = repo.get_user(session, principal.user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup (paths only: no script, no style)."""
    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, omitsize=True,
        title="两步验证二维码", svgclass="totp-qr", lineclass=None, dark="#000", light="#fff",
    )
    return out.getvalue().decode("utf-8")


def pending_secret(user: User, cipher: FieldCipher) -> str | None:
    """The secret of an enrolment started and not yet confirmed (shown again until it is)."""
    if user.totp_secret is None or enabled(user):
        return None
    return cipher.decrypt(user.totp_secret)


def start_enrolment(session: Session, principal: Principal, *, cipher: FieldCipher, now: datetime) -> str:
    """A new secret for the user's authenticator app, kept until confirmed by a code."""
    user = _user(session, principal)
    if enabled(user):
        raise Conflict("两步验证已启用；如需更换手机，请先停用再重新绑定")
    secret = pyotp.random_base32()  # 160 bits
    user.totp_secret = cipher.encrypt(secret)
    user.totp_last_step = None
    user.updated_at = now
    return secret


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def _totp_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for a phone's clock a little off),
    if it was not used before; None otherwise."""
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def confirm_enrolment(
    session: Session, principal: Principal, code: str, *, cipher: FieldCipher, now: datetime, ip: str = ""
) -> list[str]:
    """Enables two-factor login once ``code`` proves the app holds the secret; the recovery codes,
    to be shown once. A wrong code is audited and raises :class:`OtpInvalid` (the caller keeps the
    audit entry: commit before answering)."""
    user = _user(session, principal)
    secret = pending_secret(user, cipher)
    if secret is None:
        raise Conflict("两步验证已启用" if enabled(user) else "请先开始绑定")
    step = _totp_step(secret, _normalise(code), now=now, last_step=None)
    if step is None:
        record(session, actor=principal, action="otp_failed", now=now, object_type="user", object_id=user.id,
               detail="绑定两步验证时验证码错误", ip=ip)
        raise OtpInvalid("验证码不正确：请输入验证器当前显示的 6 位数字（并确认手机时间准确）")
    codes = new_recovery_codes()
    user.totp_enabled_at = now
    user.totp_last_step = step
    user.recovery_codes = [cipher.blind_index(_normalise(c)) for c in codes]
    user.updated_at = now
    record(session, actor=principal, action="two_factor_enabled", now=now, object_type="user", object_id=user.id,
           detail=f"生成恢复码 {len(codes)} 个", ip=ip)
    return codes


def check_code(user: User, code: str, *, cipher: FieldCipher, now: datetime) -> str | None:
    """``"totp"`` or ``"recovery"`` if ``code`` is a valid unused code of the user (and marks it
    used), None otherwise."""
    if not enabled(user) or user.totp_secret is None:
        return None
    given = _normalise(code)
    step = _totp_step(cipher.decrypt(user.totp_secret), given, now=now, last_step=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    if given:
        digest = cipher.blind_index(given)
        remaining = list(user.recovery_codes or [])
        if any(hmac.compare_digest(digest, kept) for kept in remaining):
            user.recovery_codes = [kept for kept in remaining if kept != digest]
            return "recovery"
    return None


def disable(
    session: Session, principal: Principal, password: str, code: str, *, cipher: FieldCipher, now: datetime,
    ip: str = "",
) -> None:
    """Turns two-factor login off, given the password and a code (TOTP or recovery)."""
    user = _user(session, principal)
    if not enabled(user):
        raise Conflict("两步验证未启用")
    if not verify_password(user.password_hash, password):
        raise Invalid("密码不正确")
    if check_code(user, code, cipher=cipher, now=now) is None:
        record(session, actor=principal, action="otp_failed", now=now, object_type="user", object_id=user.id,
               detail="停用两步验证时验证码错误", ip=ip)
        raise OtpInvalid("验证码不正确")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes = None
    user.updated_at = now
    record(session, actor=principal, action="two_factor_disabled", now=now, object_type="user", object_id=user.id,
           ip=ip)
