"""Rate-limit windows in the database (table ``rate_hits``), shared by every process of the site.

A window is at most ``limit`` hits per ``window`` seconds per key in one bucket (e.g. the client's
IP in ``report_ip``). Keys are stored as an HMAC under a key derived from the deployment's secret
(an IP address is personal data), never as they are. A hit is counted and checked in one short write
transaction of its own (IMMEDIATE on SQLite; on PostgreSQL a transaction-scoped advisory lock on the
bucket and key), so that concurrent hits from several processes never overrun the limit, and so
that it counts even when the request that made it then fails. When the request's own transaction
has already begun (on SQLite it may hold the write lock), the hit is checked now and written just
after the request's transaction ends (gridgov.db.after_end); two such hits at the same moment may
then both pass the check (a limit overrun by at most the requests in flight). Old hits are
deleted by the ``procs_prune`` job.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from gridgov.db import after_end, unit_of_work
from gridgov.models import RateHit, UsedNonce

KEPT_SECONDS = 2 * 86400
"""Hits are deleted after this long (more than the longest window, a day)."""


class Windows:
    """``reads``: sessions that take no write lock (the checks); ``writes``: sessions that write hits."""

    def __init__(self, reads: sessionmaker, writes: sessionmaker, secret_key: str) -> None:
        self.reads, self.sessions = reads, writes
        self._key = hashlib.sha256(b"gridgov rate-limit keys\0" + secret_key.encode()).digest()

    def key_hash(self, bucket: str, key: str) -> str:
        return hmac.new(self._key, f"{bucket}\0{key}".encode(), hashlib.sha256).hexdigest()

    def check(self, bucket: str, limit: int, window: int, key: str, now: datetime) -> float | None:
        """The seconds until the key may try again, or None if its window has room (counts nothing)."""
        with unit_of_work(self.reads) as session:
            return _wait(session, bucket, self.key_hash(bucket, key), limit, window, now)

    def hit(self, bucket: str, limit: int, window: int, key: str, now: datetime, *,
            session: Session | None = None) -> float | None:
        """Counts one attempt and returns None, or returns the seconds until the key may try again
        (counting nothing) if its window is used up. ``session``: the request's; if its transaction
        has begun (on SQLite it may hold the write lock), the hit is checked now and written when that
        transaction ends, committed or rolled back (gridgov.db.after_end)."""
        hashed = self.key_hash(bucket, key)
        if session is not None and session.in_transaction():
            wait = self.check(bucket, limit, window, key, now)
            if wait is None and not after_end(session, lambda: self._add(bucket, hashed, now)):
                self._add(bucket, hashed, now)
            return wait
        with unit_of_work(self.sessions, writes=True) as own:
            if _dialect(own) == "postgresql":
                own.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{bucket}:{hashed}"})
            wait = _wait(own, bucket, hashed, limit, window, now)
            if wait is None:
                own.add(RateHit(bucket=bucket, key_hash=hashed, at=now))
        return wait

    def _add(self, bucket: str, hashed: str, now: datetime) -> None:
        with unit_of_work(self.sessions, writes=True) as own:
            own.add(RateHit(bucket=bucket, key_hash=hashed, at=now))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _wait(session: Session, bucket: str, hashed: str, limit: int, window: int, now: datetime) -> float | None:
    since = now - timedelta(seconds=window)
    count, oldest = session.execute(
        select(func.count(), func.min(RateHit.at)).where(RateHit.bucket == bucket, RateHit.key_hash == hashed,
                                                          RateHit.at > since)).one()
    if count < limit:
        return None
    return (oldest + timedelta(seconds=window) - now).total_seconds()


def prune(session: Session, now: datetime) -> tuple[int, int]:
    """Deletes the hits older than :data:`KEPT_SECONDS` and the used nonces past their expiry."""
    hits = session.execute(delete(RateHit).where(RateHit.at < now - timedelta(seconds=KEPT_SECONDS))).rowcount
    nonces = session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now)).rowcount
    return hits, nonces


def windows_of(app) -> Windows:
    """The application's windows (in the database: every process of the site shares them)."""
    windows = getattr(app.state, "rate_windows", None)
    if windows is None:
        state = app.state
        windows = state.rate_windows = Windows(state.sessionmaker, state.write_sessionmaker, state.settings.secret_key)
    return windows
