"""Open311's queries: the public cases (:data:`.open311.PUBLIC_SOURCES`) and their files' entries, read
as the system through the scoping door (an Open311 GET is public: the rule of what is public is the
source of the case, not a principal's jurisdiction), and the row of what a client sent with a request.

Nothing personal is selected: no reporter name, phone or user, no actor of an entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.interop.open311 import CLOSED_STATES, PUBLIC_SOURCES, PublicCase, PublicEntry, RequestQuery
from gridgov.models import Area, Case, CaseClock, CaseLogEntry, Department, Open311Request

_MERGED = aliased(Case)
_COLUMNS = (Case.id, Case.case_no, Case.state, Case.type_code, Case.description, Case.title,
            Case.handling_area_code, Case.lead_department_code, Case.created_at, Case.updated_at, Case.closed_at,
            Case.address, Case.lat, Case.lon, _MERGED.case_no.label("merged_into"))
_CLOSED = tuple(str(s) for s in CLOSED_STATES)


_PUBLIC = Case.source.in_(sorted(PUBLIC_SOURCES))
"""Cases public through Open311, read as the system (see the module's docstring)."""


def _requests():
    return scoped(select(*_COLUMNS).outerjoin(_MERGED, _MERGED.id == Case.merged_into_id).where(_PUBLIC),
                  SYSTEM, Case)


def find_requests(session: Session, q: RequestQuery) -> list:
    """One page of the public cases ``q`` asks for, oldest first (the spec's "first 1000 requests")."""
    stmt = _requests()
    if q.ids is not None:
        stmt = stmt.where(Case.case_no.in_(q.ids))
    else:
        if q.service_codes:
            stmt = stmt.where(Case.type_code.in_(q.service_codes))
        if q.start is not None:
            stmt = stmt.where(Case.created_at >= q.start)
        if q.end is not None:
            stmt = stmt.where(Case.created_at <= q.end)
        if q.status == "closed":
            stmt = stmt.where(Case.state.in_(_CLOSED))
        elif q.status == "open":
            stmt = stmt.where(Case.state.not_in(_CLOSED))
    stmt = stmt.order_by(Case.created_at, Case.id).offset((q.page - 1) * q.page_size).limit(q.page_size)
    return list(session.execute(stmt))


def find_request(session: Session, case_no: str):
    return session.execute(_requests().where(Case.case_no == case_no)).first()


def _pairs(session: Session, stmt) -> dict:
    return {key: value for key, value in session.execute(stmt)}


def public_cases(session: Session, rows: list, names: dict[str, str]) -> list[PublicCase]:
    """The rows as :class:`PublicCase`, with what they name read in one query each: the lead
    department's or the agency's name, the earliest due time of the running clocks, the media link."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    depts = {r.lead_department_code for r in rows if r.lead_department_code}
    dept_names = _pairs(session, scoped(select(Department.code, Department.name).where(
        Department.code.in_(sorted(depts))), SYSTEM, Department)) if depts else {}
    area_names = _pairs(session, scoped(select(Area.code, Area.name).where(
        Area.code.in_(sorted({r.handling_area_code for r in rows}))), SYSTEM, Area))
    due = _pairs(session, select(CaseClock.case_id, func.min(CaseClock.due_at)).where(
        CaseClock.case_id.in_(ids), CaseClock.stopped_at.is_(None)).group_by(CaseClock.case_id))
    media = _pairs(session, scoped(select(Open311Request.case_id, Open311Request.media_url)
                                   .where(Open311Request.case_id.in_(ids)), SYSTEM, Open311Request))
    found = []
    for r in rows:
        agency = (dept_names.get(r.lead_department_code)
                  or f"{area_names.get(r.handling_area_code, '')}网格化服务管理机构")
        found.append(PublicCase(
            case_no=r.case_no, state=r.state, type_code=r.type_code, type_name=names.get(r.type_code),
            description=r.description, title=r.title, agency=agency, requested=r.created_at,
            updated=r.closed_at if r.state in _CLOSED and r.closed_at else r.updated_at,
            expected=due.get(r.id), address=r.address, lat=r.lat, lon=r.lon, media_url=media.get(r.id) or None,
            merged_into=r.merged_into))
    return found


def public_entries(session: Session, start: datetime, end: datetime, *, limit: int) -> list[PublicEntry]:
    """The entries of the public cases' files written between ``start`` and ``end``, oldest first: only
    what :func:`.open311.update_fields` needs (no actor)."""
    stmt = scoped(select(Case.case_no, CaseLogEntry.seq, CaseLogEntry.action, CaseLogEntry.note, CaseLogEntry.at,
                         CaseLogEntry.to_state).join(Case, Case.id == CaseLogEntry.case_id).where(_PUBLIC),
                  SYSTEM, Case)
    stmt = stmt.where(CaseLogEntry.at >= start, CaseLogEntry.at <= end)
    stmt = stmt.order_by(CaseLogEntry.at, CaseLogEntry.id).limit(limit)
    return [PublicEntry(r.case_no, r.seq, r.action, r.note or "", r.at, r.to_state) for r in session.execute(stmt)]


def save_request(session: Session, *, case_id: int, client_id: int | None, media_url: str, now: datetime) -> None:
    session.add(Open311Request(case_id=case_id, client_id=client_id, media_url=media_url, received_at=now))
