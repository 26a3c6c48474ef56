"""Monthly analysis reports kept with their version: generating (on demand and by the monthly job),
reading a kept version, and the live report when none is kept yet.

A generation freezes the figures (:func:`gridgov.analysis.monthly.build_report`) and the PDF drawn
from them (:mod:`gridgov.analysis.monthly_pdf`) in a new row of ``monthly_reports`` with the next
version number and the PDF's SHA-256; older versions stay. The job (``monthly_reports`` in
:mod:`gridgov.jobs`) runs on the first working day of a month (the work calendar with its
overrides) and reports the previous month for the city and every county, once per area and month.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.analysis import monthly
from gridgov.analysis import monthly_repository as repo
from gridgov.analysis.monthly_pdf import render_pdf
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.calendar import load_work_calendar, local_day
from gridgov.errors import NotFound
from gridgov.models import Area
from gridgov.models.analysis_reports import MonthlyReport


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate(session: Session, principal: Principal, area: str, month: str, now: datetime, *,
             profile=None, cipher=None) -> MonthlyReport:
    """A new version of the report of (area, month), figures counted under ``principal``."""
    figures = monthly.build_report(session, principal, area, month, now, profile=profile, cipher=cipher)
    version = repo.last_version(session, area, month) + 1
    figures = {**figures, "version": version, "generated_at": now.isoformat(),
               "generated_by": principal.username if principal else "system"}
    pdf = render_pdf(figures)
    row = MonthlyReport(area_code=area, month=month, version=version, generated_at=now,
                        generated_by_user_id=principal.user_id if principal else None,
                        generated_by=principal.username if principal else "system",
                        figures=figures, pdf=pdf, sha256=sha256(pdf))
    session.add(row)
    session.flush()
    return row


@dataclass
class ReportView:
    """What the page and the API show: a kept version (``report``) or the live figures (none kept)."""

    figures: dict
    report: MonthlyReport | None
    versions: list[MonthlyReport] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.report is not None


def view(session: Session, principal: Principal, area: str, month: str, now: datetime,
         version: int | None = None, *, profile=None, cipher=None) -> ReportView:
    """The asked version of (area, month), else the newest kept one, else the live figures."""
    monthly.parse_month(month)
    if not scope.covers(principal, area) or scope.get_visible(session, principal, Area, area) is None:
        raise NotFound(monthly.NOT_FOUND)
    kept = repo.versions(session, principal, area, month)
    if version is not None:
        chosen = next((r for r in kept if r.version == version), None)
        if chosen is None:
            raise NotFound(f"该月报告没有第 {version} 版")
        return ReportView(chosen.figures, chosen, kept)
    if kept:
        return ReportView(kept[0].figures, kept[0], kept)
    return ReportView(monthly.build_report(session, principal, area, month, now, profile=profile, cipher=cipher),
                      None, kept)


def pdf_of(session: Session, principal: Principal, area: str, month: str, now: datetime,
           version: int | None = None, *, profile=None, cipher=None) -> tuple[bytes, ReportView]:
    """The kept PDF of the version (checked against its SHA-256), or the live figures drawn now."""
    shown = view(session, principal, area, month, now, version, profile=profile, cipher=cipher)
    if shown.report is None:
        return render_pdf(shown.figures), shown
    if sha256(shown.report.pdf) != shown.report.sha256:
        raise RuntimeError(f"monthly report {shown.report.id}: the kept PDF does not match its SHA-256")
    return shown.report.pdf, shown


def due_month(session: Session, now: datetime) -> str | None:
    """The month the job reports on at ``now``: the previous month, on the first working day of
    the month only (None on every other day)."""
    today = local_day(now)
    calendar = load_work_calendar(session)
    if today != monthly.first_working_day(calendar, today.year, today.month):
        return None
    return monthly.previous_month(today)


def monthly_job(session: Session, now: datetime, profile=None, cipher=None) -> str | None:
    """On the first working day of a month: the previous month's report of the city and each county
    that has none yet (idempotent; two processes racing make one version, the loser's insert is undone)."""
    month = due_month(session, now)
    if month is None:
        return None
    made = []
    for area in repo.report_areas(session):
        if repo.last_version(session, area, month):
            continue
        try:
            with session.begin_nested():
                generate(session, scope.SYSTEM, area, month, now, profile=profile, cipher=cipher)
        except IntegrityError:  # another process made version 1 meanwhile
            continue
        made.append(area)
    return f"生成 {month} 月度分析报告 {len(made)} 份" if made else None
