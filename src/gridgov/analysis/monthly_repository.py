"""Scoped queries of the monthly analysis report: the kept versions and the month's overdue cases.
Every query goes through the scope door (:mod:`gridgov.authz.scope`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.models import Area, Case
from gridgov.models.analysis import CaseFact
from gridgov.models.analysis_reports import MonthlyReport


def overdue_cases(session: Session, principal: Principal, area: str, date_from: date, date_to: date, *,
                  limit: int) -> list[dict]:
    """The first ``limit`` overdue cases reported in the period under ``area`` (by their number)."""
    stmt = scope.scoped(select(Case.case_no, Case.title, Case.state, CaseFact.grid_code, CaseFact.type_code,
                               CaseFact.department_code, CaseFact.supervised)
                        .join(Case, Case.id == CaseFact.case_id)
                        .where(CaseFact.overdue == 1, CaseFact.reported_day >= date_from,
                               CaseFact.reported_day <= date_to,
                               scope.starts_with(CaseFact.grid_code, areas.area_prefix(area))), principal, CaseFact)
    rows = session.execute(stmt.order_by(CaseFact.reported_day, Case.case_no).limit(limit)).all()
    return [{"case_no": r.case_no, "title": r.title, "state": r.state, "grid_code": r.grid_code,
             "type_code": r.type_code, "department_code": r.department_code, "supervised": int(r.supervised)}
            for r in rows]


def versions(session: Session, principal: Principal, area: str, month: str) -> list[MonthlyReport]:
    """The kept versions of (area, month) the principal may see, newest first."""
    stmt = scope.scoped(select(MonthlyReport).where(MonthlyReport.area_code == area, MonthlyReport.month == month),
                        principal, MonthlyReport)
    return list(session.scalars(stmt.order_by(MonthlyReport.version.desc())))


def last_version(session: Session, area: str, month: str) -> int:
    """The highest version number of (area, month), 0 when none (the system's count: numbering)."""
    stmt = scope.scoped(select(func.max(MonthlyReport.version)).where(MonthlyReport.area_code == area,
                                                                      MonthlyReport.month == month),
                        scope.SYSTEM, MonthlyReport)
    return int(session.scalar(stmt) or 0)


def report_areas(session: Session) -> list[str]:
    """The areas the monthly job reports on: the city (cities) and every county."""
    stmt = scope.scoped(select(Area.code).where(Area.level.in_(("city", "county"))), scope.SYSTEM, Area)
    return list(session.scalars(stmt.order_by(Area.code)))
