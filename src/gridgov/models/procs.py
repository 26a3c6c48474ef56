"""State that several app processes share (issue 19): the periodic jobs' leases, the resident
channel's rate-limit windows and the challenge's used nonces. Nothing a process needs from another
lives in its memory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class JobLease(Base):
    """One periodic job's lease (gridgov.joblease): who holds it until when, and what it last did.

    ``token`` (the fencing token) grows by one at every acquisition; the job's own transaction
    re-checks it before committing, so a holder whose lease expired and was taken over rolls back.
    ``tick`` is the last interval (``floor(now / interval)``) the job was taken for: it runs at most
    once per tick."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120), default="")
    token: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    tick: Mapped[int] = mapped_column(BigInteger, default=-1)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class RateHit(Base):
    """One counted attempt in a rate-limit window (gridgov.public.guard). ``key_hash`` is an HMAC of
    the key (an IP address is personal data) under a key derived from the secret key."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_bucket_key_at", "bucket", "key_hash", "at"),
                      Index("ix_rate_hits_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class UsedNonce(Base):
    """A challenge token taken once (gridgov.public.guard), kept until the token expires."""

    __tablename__ = "used_nonces"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class JobRun(Base):
    """One run of a periodic job that took its lease (gridgov.leases): written in the job's own
    transaction, so a run rolled back by fencing leaves none. Kept :data:`gridgov.leases.RUNS_KEPT_DAYS`."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_name_tick", "name", "tick"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    tick: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """The interval it ran for (loop runs); None for a run asked for by hand (``gridgov jobs``)."""
    token: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    said: Mapped[str] = mapped_column(Text, default="")
