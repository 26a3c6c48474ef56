"""The resident channel's protection without any outside service: rate limits and a challenge.

**Rate limits** (:data:`LIMITS`, advertised in the OpenAPI description and on the pages): each is
at most ``limit`` hits per ``window`` seconds per key (the client's IP, a phone's blind index, a
case number). Over the limit the answer is 429 with a Chinese message and ``Retry-After`` (seconds
until the oldest hit leaves the window). The windows are kept in the database (table ``rate_hits``,
keys as HMACs: :mod:`gridgov.public.windows`), so every process of the site counts the same hits;
the per-phone limits on reports and SMS codes are counted from those tables by :mod:`gridgov.public.report`.

**Challenge**: an arithmetic question in Chinese numerals (``七加五等于几？``) generated here, with
a token that carries its expiry, a nonce and an HMAC of the answer under a key derived from the
deployment's secret. It needs no JavaScript (the form shows the question as text and takes the
answer in a field), no state until it is used, and each token is taken once (its nonce is
kept in the database, table ``used_nonces``, until it expires, so no process takes it again).
It stops the naive script that posts the form blindly; the rate limits are what bound a
determined one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.errors import DomainError, Invalid
from gridgov.models import UsedNonce
from gridgov.public.windows import Windows, windows_of


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int
    """Seconds."""
    label: str

    @property
    def text(self) -> str:
        return f"{self.label}：每{_span(self.window)}最多 {self.limit} 次"


def _span(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f" {seconds // 86400} 天" if seconds > 86400 else "天"
    if seconds % 3600 == 0:
        return f" {seconds // 3600} 小时" if seconds > 3600 else "小时"
    return f" {seconds // 60} 分钟"


LIMITS = {
    "report_ip": Limit("report_ip", 20, 3600, "同一网络地址提交上报"),
    "report_phone": Limit("report_phone", 3, 86400, "同一手机号提交上报"),
    "photo_ip": Limit("photo_ip", 60, 3600, "同一网络地址上传照片"),
    "challenge_ip": Limit("challenge_ip", 60, 600, "同一网络地址获取验证题"),
    "track_ip": Limit("track_ip", 30, 600, "同一网络地址查询或评价"),
    "track_case": Limit("track_case", 10, 3600, "同一事件编号查询码错误"),
    "code_ip": Limit("code_ip", 30, 3600, "同一网络地址获取短信验证码"),
    "code_phone": Limit("code_phone", 5, 86400, "同一手机号获取短信验证码"),
    "code_try": Limit("code_try", 5, 600, "同一手机号输错短信验证码"),
}
"""Every limit of the resident channel, by name (the numbers are advertised as they are here). The
per-IP limits are loose enough for many residents behind one carrier-grade NAT address (common on
mobile networks); the per-phone limits, proven by the SMS code where a channel is configured, are
the tight ones."""

CODE_INTERVAL = 60
"""Seconds between two SMS codes to one phone."""


def limits_text() -> list[str]:
    return [limit.text for limit in LIMITS.values()]


def too_many(limit: Limit, retry_after: float) -> TooManyRequests:
    seconds = max(1, math.ceil(retry_after))
    wait = f"{math.ceil(seconds / 60)} 分钟" if seconds >= 60 else f"{seconds} 秒"
    exc = TooManyRequests(f"操作过于频繁（{limit.text}），请 {wait}后再试")
    exc.headers = {"Retry-After": str(seconds)}
    return exc


class Guard:
    """The resident channel's windows (in the database, shared by every process: gridgov.public.windows)
    and the challenge (its used nonces in the database too)."""

    def __init__(self, secret_key: str, windows: Windows) -> None:
        self.windows = windows
        self._key = hashlib.sha256(b"gridgov resident challenge\0" + secret_key.encode()).digest()

    def hit(self, name: str, key: str, now: datetime, *, session: Session | None = None) -> None:
        """Counts one attempt, or raises 429 (with Retry-After) if the window is used up. ``session``:
        the request's, when it may already have written (see Windows.hit)."""
        limit = LIMITS[name]
        wait = self.windows.hit(name, limit.limit, limit.window, key, now, session=session)
        if wait is not None:
            raise too_many(limit, wait)

    def check(self, name: str, key: str, now: datetime) -> None:
        """429 if the key has used up its window (counts nothing)."""
        limit = LIMITS[name]
        wait = self.windows.check(name, limit.limit, limit.window, key, now)
        if wait is not None:
            raise too_many(limit, wait)

    # ---------------------------------------------------------------- the challenge

    def challenge(self, now: datetime, *, rng: secrets.SystemRandom | None = None) -> Challenge:
        rng = rng or secrets.SystemRandom()
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        plus = rng.random() < 0.5 or a == b
        if not plus and a < b:
            a, b = b, a
        answer = a + b if plus else a - b
        question = f"{_NUMERALS[a]}{'加' if plus else '减'}{_NUMERALS[b]}等于几？（请填阿拉伯数字）"
        expires = int((now + timedelta(seconds=CHALLENGE_SECONDS)).timestamp())
        nonce = secrets.token_urlsafe(12)
        return Challenge(question=question, token=f"{expires}.{nonce}.{self._sign(expires, nonce, answer)}",
                         expires_at=datetime.fromtimestamp(expires, tz=now.tzinfo))

    def _sign(self, expires: int, nonce: str, answer: int) -> str:
        return hmac.new(self._key, f"{expires}.{nonce}.{answer}".encode(), hashlib.sha256).hexdigest()[:32]

    def verify(self, token: str, answer: str, now: datetime, *, session: Session) -> None:
        """Takes the challenge once; 422 in Chinese when missing, wrong, expired or used. The nonce is
        written in the request's transaction (its primary key makes a second use fail in any process;
        a request that fails later leaves the challenge unused, to be answered again)."""
        parts = (token or "").split(".")
        text = (answer or "").strip()
        wrong = Invalid("验证题答案不正确或已过期，请重新作答", details=[{"field": "challenge_answer",
                                                                "error": "答案不正确或已过期"}])
        if len(parts) != 3 or not parts[0].isdigit() or not text.lstrip("-").isdigit() or len(text) > 3:
            raise wrong
        expires, nonce, sig = int(parts[0]), parts[1], parts[2]
        t = now.timestamp()
        if expires < t or not hmac.compare_digest(sig, self._sign(expires, nonce, int(text))):
            raise wrong
        if len(nonce) > 32 or session.get(UsedNonce, nonce) is not None:
            raise wrong
        try:
            with session.begin_nested():
                session.add(UsedNonce(nonce=nonce, expires_at=datetime.fromtimestamp(expires, tz=UTC)))
        except IntegrityError:  # taken by another request meanwhile
            raise wrong from None

    # ---------------------------------------------------------------- the phone's pass

    def issue_pass(self, phone_index: str, now: datetime) -> str:
        """A pass standing for a phone proven by an SMS code, for :data:`PASS_SECONDS`."""
        expires = int(now.timestamp()) + PASS_SECONDS
        return f"p.{expires}.{phone_index}.{self._pass_sig(expires, phone_index)}"

    def _pass_sig(self, expires: int, phone_index: str) -> str:
        return hmac.new(self._key, f"pass.{expires}.{phone_index}".encode(), hashlib.sha256).hexdigest()[:32]

    def pass_phone(self, token: str, now: datetime) -> str | None:
        """The phone index a valid, unexpired pass stands for; None otherwise."""
        parts = (token or "").split(".")
        if len(parts) != 4 or parts[0] != "p" or not parts[1].isdigit():
            return None
        expires, index, sig = int(parts[1]), parts[2], parts[3]
        if expires < now.timestamp() or not hmac.compare_digest(sig, self._pass_sig(expires, index)):
            return None
        return index


PASS_SECONDS = 1800
CHALLENGE_SECONDS = 1800
_NUMERALS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str
    expires_at: datetime


def guard_of(app) -> Guard:
    """The application's guard, made on first use."""
    guard = getattr(app.state, "resident_guard", None)
    if guard is None:
        guard = app.state.resident_guard = Guard(app.state.settings.secret_key, windows_of(app))
    return guard
