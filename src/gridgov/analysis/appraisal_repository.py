"""Scoped queries of the appraisal (issue 16): counters of the cases' fact rows by unit, the units'
names and the stored runs. Every query goes through the scope door."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.analysis import store
from gridgov.analysis.appraisal_rules import CASE_COUNTERS
from gridgov.areas import scope_prefix
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.models.accounts import Department, User
from gridgov.models.analysis_appraisal import AppraisalRun, AppraisalScore
from gridgov.models.territory import Area, AreaLevel

COUNTERS = tuple(sorted(CASE_COUNTERS))


def case_counts(session: Session, principal: Principal, *, level: str, area: str, date_from: date,
                date_to: date) -> dict[str, dict[str, int]]:
    """The counters of the cases reported in ``[date_from, date_to]`` under ``area``, by town, lead
    department or worker (cases with no such unit are left out), summed by the store
    (:func:`gridgov.analysis.store.aggregate`, through the door)."""
    groups, _ = store.aggregate(session, principal, group_by="grid" if level == "town" else level, area=area,
                                date_from=date_from, date_to=date_to)
    out: dict[str, dict[str, int]] = {}
    for g in groups:
        if g.key == store.NONE_KEY:
            continue
        key = g.key[:9].ljust(12, "0") if level == "town" else g.key
        into = out.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for c in COUNTERS:
            into[c] += int(g.counts.get(c, 0))
    return out


def towns(session: Session, principal: Principal, area: str) -> dict[str, str]:
    """The towns (and streets) under ``area`` the principal sees, code -> name."""
    return dict(session.execute(scoped(
        select(Area.code, Area.name).where(Area.level == AreaLevel.TOWN, Area.code.startswith(scope_prefix(area)))
        .order_by(Area.code), principal, Area)).all())


def department_names(session: Session, principal: Principal, codes: Iterable[str]) -> dict[str, str]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    return dict(session.execute(scoped(select(Department.code, Department.name).where(Department.code.in_(codes)),
                                       principal, Department, ancestors=True)).all())


def user_names(session: Session, principal: Principal, ids: Iterable[str]) -> dict[str, str]:
    ids = sorted({int(i) for i in ids if str(i).isdigit()})
    if not ids:
        return {}
    return {str(uid): name for uid, name in session.execute(scoped(
        select(User.id, User.display_name).where(User.id.in_(ids)), principal, User))}


def area_name(session: Session, principal: Principal, code: str) -> str | None:
    return session.scalar(scoped(select(Area.name).where(Area.code == code), principal, Area, ancestors=True))


def latest_run(session: Session, principal: Principal, period: str, area: str) -> AppraisalRun | None:
    return session.scalar(scoped(
        select(AppraisalRun).where(AppraisalRun.period == period, AppraisalRun.area_code == area)
        .order_by(AppraisalRun.id.desc()).limit(1), principal, AppraisalRun))


def runs_of(session: Session, principal: Principal, period: str, area: str | None) -> list[AppraisalRun]:
    where = [AppraisalRun.period == period] + ([AppraisalRun.area_code == area] if area else [])
    return list(session.scalars(scoped(select(AppraisalRun).where(*where).order_by(AppraisalRun.id), principal,
                                       AppraisalRun)))


def scores_of(session: Session, principal: Principal, run_id: int, level: str | None = None) -> list[AppraisalScore]:
    where = [AppraisalScore.run_id == run_id] + ([AppraisalScore.level == level] if level else [])
    return list(session.scalars(scoped(select(AppraisalScore).where(*where).order_by(AppraisalScore.id), principal,
                                       AppraisalScore)))

