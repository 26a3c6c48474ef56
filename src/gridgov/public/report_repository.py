"""Queries of the resident channel.

A resident has no account: what it may see is decided by the tracking code (or a phone proven by
an SMS code), checked by :mod:`gridgov.public.track` before anything is shown. The lookups of a
report by its case number or a phone's index therefore run as the system (``SYSTEM`` by name, through
the door); the case itself is then opened as the resident principal bound to the case's grid
(:func:`gridgov.cases.service.access_case`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import CaseLogEntry, CasePhoto
from gridgov.models.resident import ResidentCode, ResidentReport


def add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def report_of(session: Session, case_no: str, *, for_update: bool = False) -> ResidentReport | None:
    stmt = scoped(select(ResidentReport).where(ResidentReport.case_no == case_no), SYSTEM, ResidentReport)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def reports_of_phone(session: Session, phone_index: str, *, limit: int = 20) -> list[ResidentReport]:
    stmt = scoped(select(ResidentReport).where(ResidentReport.phone_index == phone_index), SYSTEM, ResidentReport)
    return list(session.scalars(stmt.order_by(ResidentReport.created_at.desc(), ResidentReport.id.desc())
                                .limit(limit)))


def reports_since(session: Session, phone_index: str, since: datetime) -> list[datetime]:
    """When the phone's reports since ``since`` were made, oldest first (the per-phone limit)."""
    stmt = scoped(select(ResidentReport.created_at).where(ResidentReport.phone_index == phone_index,
                                                          ResidentReport.created_at > since),
                  SYSTEM, ResidentReport)
    return list(session.scalars(stmt.order_by(ResidentReport.created_at)))


def codes_since(session: Session, phone_index: str, since: datetime) -> list[datetime]:
    """When the codes sent to the phone since ``since`` were made, oldest first."""
    return list(session.scalars(select(ResidentCode.created_at).where(
        ResidentCode.phone_index == phone_index, ResidentCode.created_at > since).order_by(ResidentCode.created_at)))


def live_code(session: Session, phone_index: str, purpose: str, now: datetime) -> ResidentCode | None:
    """The phone's newest unused, unexpired code for ``purpose`` (locked for the check)."""
    return session.scalar(select(ResidentCode).where(
        ResidentCode.phone_index == phone_index, ResidentCode.purpose == purpose, ResidentCode.used_at.is_(None),
        ResidentCode.expires_at > now).order_by(ResidentCode.id.desc()).limit(1).with_for_update())


def public_log(session: Session, case_id: int, actions: tuple[str, ...]) -> list[CaseLogEntry]:
    """The file entries of the steps a resident is shown (by a case already opened through the door)."""
    return list(session.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case_id,
                                                           CaseLogEntry.action.in_(actions))
                                .order_by(CaseLogEntry.seq)))


def result_photos(session: Session, case_id: int, stages: tuple[str, ...]) -> list[str]:
    """The hashes of the photos taken of the result (by a case already opened through the door)."""
    return list(session.scalars(select(CasePhoto.sha256).where(CasePhoto.case_id == case_id,
                                                               CasePhoto.stage.in_(stages))
                                .order_by(CasePhoto.id)))


def count_reports(session: Session) -> int:
    return session.scalar(scoped(select(func.count(ResidentReport.id)), SYSTEM, ResidentReport)) or 0


def delete_codes_before(session: Session, before: datetime) -> int:
    return session.execute(delete(ResidentCode).where(ResidentCode.created_at < before)).rowcount or 0
