"""Queries of the catalogue's write side: lists, versions, applications and rectification notices.

Lists, matters and versions are public (C5) and need no jurisdiction. Applications and notices are
not: the door's rules (:mod:`gridgov.authz.scope`) give an agency those of its area and below (the
applicant's area, or the list's area for notices), a department only its own. The read side that cases and instructions
ask (which matters are in force where) lives in :mod:`gridgov.catalogue.lookup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.catalogue import lookup
from gridgov.catalogue import rules as crules
from gridgov.errors import Invalid, NotFound
from gridgov.models import Area, CatalogueList, Department, Matter, User
from gridgov.models.catalogue import (
    CatalogueApplication,
    ListVersion,
    RectificationNotice,
)
from gridgov.models.territory import AreaLevel
from gridgov.territory import rules

# ---------------------------------------------------------------- lists


def ensure_lists(session: Session, profile, area: str, *, now: datetime) -> list[CatalogueList]:
    """The lists ``area`` keeps under the profile, created where missing (C1). A county's lists
    follow the city's first list where the profile says so (``follows_list_id``), so the city's
    lists are ensured first. Idempotent: existing lists are returned as they are."""
    try:
        level = rules.area_level(area)
    except rules.CodeError as exc:
        raise Invalid(str(exc)) from exc
    row = session.get(Area, area)
    if row is None:
        raise NotFound(f"区域 {area} 不存在")
    catalogue = profile.catalogue
    kinds = crules.list_kinds(catalogue, str(level))
    follows: int | None = None
    if str(level) == "county" and crules.followed_kind(catalogue):
        city = rules.ancestor_codes(area)
        city_code = next((c for c in city if c != area and rules.area_level(c) == "city"), None)
        if city_code is not None and session.get(Area, city_code) is not None:
            city_lists = {x.kind: x for x in ensure_lists(session, profile, city_code, now=now)}
            followed = city_lists.get(crules.followed_kind(catalogue))
            follows = followed.id if followed else None
    existing = {x.kind: x for x in session.scalars(select(CatalogueList).where(CatalogueList.area_code == area))}
    out = []
    for kind in kinds:
        found = existing.get(kind)
        if found is None:
            found = CatalogueList(area_code=area, kind=kind, name=crules.list_name(row.name, kind),
                                  follows_list_id=follows, current_version=0, created_at=now)
            session.add(found)
            session.flush()
        out.append(found)
    return out


def find_list(session: Session, list_id: int) -> CatalogueList | None:
    """A list by id, or None: lists are published (C5)."""
    return session.get(CatalogueList, list_id)


def get_list(session: Session, list_id: int) -> CatalogueList:
    found = session.get(CatalogueList, list_id)
    if found is None:
        raise NotFound(f"清单 {list_id} 不存在")
    return found


def list_names(session: Session, ids) -> dict[int, str]:
    """Names of (published) lists by id: public (C5)."""
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.execute(select(CatalogueList.id, CatalogueList.name).where(CatalogueList.id.in_(ids))).all())


def claim_version_number(session: Session, cat_list: CatalogueList, number: int) -> bool:
    """Conditional UPDATE on ``current_version``: two concurrent publications cannot take one number."""
    return session.execute(
        update(CatalogueList)
        .where(CatalogueList.id == cat_list.id, CatalogueList.current_version == cat_list.current_version)
        .values(current_version=number)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def lists_of_areas(session: Session, areas: Sequence[str]) -> Sequence[CatalogueList]:
    stmt = select(CatalogueList).where(CatalogueList.area_code.in_(list(areas)))
    return session.scalars(stmt.order_by(CatalogueList.area_code, CatalogueList.id)).all()


def lists_under(session: Session, principal: Principal) -> Sequence[CatalogueList]:
    """The lists of the principal's jurisdiction and of the areas above it (the lists it applies to)."""
    stmt = scoped(select(CatalogueList), principal, CatalogueList, ancestors=True)
    return session.scalars(stmt.order_by(CatalogueList.area_code, CatalogueList.id)).all()


def matters_of_list(session: Session, list_id: int, day: date) -> Sequence[Matter]:
    """The matters of one list in force on ``day`` (a temporary one until its end date)."""
    return matters_by_list(session, [list_id], day)[list_id]


def matters_by_list(session: Session, list_ids: Sequence[int], day: date) -> dict[int, list[Matter]]:
    """The matters in force on ``day`` of each list, by list id, in code order."""
    out: dict[int, list[Matter]] = {i: [] for i in list_ids}
    if not list_ids:
        return out
    stmt = select(Matter).where(Matter.list_id.in_(list(list_ids)), lookup.in_force_on(day))
    for m in session.scalars(stmt.order_by(Matter.code)):
        out[m.list_id].append(m)
    return out


def get_matter(session: Session, matter_id: int) -> Matter:
    found = session.get(Matter, matter_id)
    if found is None:
        raise NotFound(f"事项 {matter_id} 不存在")
    return found


def matters_by_id(session: Session, ids) -> dict[int, Matter]:
    ids = set(ids)
    return {m.id: m for m in session.scalars(select(Matter).where(Matter.id.in_(ids)))} if ids else {}


def matter_codes(session: Session, ids) -> dict[int, str]:
    ids = set(ids)
    return dict(session.execute(select(Matter.id, Matter.code).where(Matter.id.in_(ids))).all()) if ids else {}


def claim_exit(session: Session, matter: Matter, *, day: date, reason: str, now: datetime) -> bool:
    """Conditional UPDATE: the matter leaves its list if it is still in force (one of two racing wins)."""
    return session.execute(
        update(Matter)
        .where(Matter.id == matter.id, Matter.status == crules.IN_FORCE)
        .values(status=crules.EXITED, exited_on=day, exit_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def find_matter(session: Session, matter_id: int) -> Matter | None:
    return session.get(Matter, matter_id)


def matters_in_force(session: Session, list_ids: Sequence[int]) -> Sequence[Matter]:
    """The matters in force (by status) of the given lists, in code order."""
    if not list_ids:
        return []
    stmt = select(Matter).where(Matter.list_id.in_(list(list_ids)), Matter.status == crules.IN_FORCE)
    return session.scalars(stmt.order_by(Matter.code)).all()


def code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Matter.id).where(Matter.code == code)) is not None


def next_matter_code(session: Session, cat_list: CatalogueList) -> str:
    """The next free generated code of a list: ``{area[:6]}-{kind initial}-{seq:03d}``."""
    prefix = crules.generated_code(cat_list.area_code, cat_list.kind, 0)[:-3]
    taken = set(session.scalars(select(Matter.code).where(Matter.code.startswith(prefix))))
    seq = len(taken) + 1
    while crules.generated_code(cat_list.area_code, cat_list.kind, seq) in taken:
        seq += 1
    return crules.generated_code(cat_list.area_code, cat_list.kind, seq)


# ---------------------------------------------------------------- versions


def claim_filing(session: Session, version: ListVersion, *, now: datetime, by: int | None, note: str) -> bool:
    """Conditional UPDATE: a version is filed once (of two agency users filing at once, one wins)."""
    return session.execute(
        update(ListVersion)
        .where(ListVersion.id == version.id, ListVersion.filed_at.is_(None))
        .values(filed_at=now, filed_by=by, filing_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def unfiled_versions(session: Session, principal: Principal) -> Sequence:
    """(version, list) rows of the versions not yet filed of the lists in the jurisdiction, oldest first."""
    stmt = scoped(select(ListVersion, CatalogueList).join(CatalogueList, CatalogueList.id == ListVersion.list_id)
                  .where(ListVersion.filed_at.is_(None)), principal, CatalogueList)
    return session.execute(stmt.order_by(ListVersion.published_at, ListVersion.id)).all()


def version_rows(session: Session, list_ids: Sequence[int]) -> Sequence:
    """(list id, number, published on, summary, filed at) of every version of the lists, newest first per list."""
    if not list_ids:
        return []
    return session.execute(
        select(ListVersion.list_id, ListVersion.number, ListVersion.published_on, ListVersion.summary,
               ListVersion.filed_at)
        .where(ListVersion.list_id.in_(list(list_ids)))
        .order_by(ListVersion.list_id, ListVersion.number.desc())
    ).all()


def version_numbers(session: Session, list_id: int) -> list[int]:
    return list(session.scalars(
        select(ListVersion.number).where(ListVersion.list_id == list_id).order_by(ListVersion.number)))


def versions_numbered(session: Session, list_id: int, numbers: Sequence[int]) -> dict[int, ListVersion]:
    return {v.number: v for v in session.scalars(
        select(ListVersion).where(ListVersion.list_id == list_id, ListVersion.number.in_(list(numbers))))}


def list_versions(session: Session, list_id: int) -> Sequence[ListVersion]:
    stmt = select(ListVersion).where(ListVersion.list_id == list_id).order_by(ListVersion.number.desc())
    return session.scalars(stmt).all()


def get_version(session: Session, list_id: int, number: int) -> ListVersion:
    found = session.scalar(select(ListVersion).where(ListVersion.list_id == list_id, ListVersion.number == number))
    if found is None:
        raise NotFound(f"清单 {list_id} 没有第 {number} 版")
    return found


# ---------------------------------------------------------------- applications


def list_applications(session: Session, principal: Principal, *, status: str | None = None,
                      limit: int = 200) -> Sequence[CatalogueApplication]:
    if status and status not in crules.APPLICATION_STATUS_LABELS:
        raise Invalid(f"状态 {status!r} 无效，应为：{'、'.join(crules.APPLICATION_STATUS_LABELS)}")
    stmt = scoped(select(CatalogueApplication), principal, CatalogueApplication)
    if status:
        stmt = stmt.where(CatalogueApplication.status == status)
    return session.scalars(stmt.order_by(CatalogueApplication.id.desc()).limit(limit)).all()


def get_application(session: Session, principal: Principal, application_id: int, *,
                    for_update: bool = False) -> CatalogueApplication:
    """An application the principal may see; 404 otherwise (same as missing)."""
    stmt = scoped(select(CatalogueApplication).where(CatalogueApplication.id == application_id), principal,
                  CatalogueApplication)
    if for_update:
        stmt = stmt.with_for_update()
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"清单申请 {application_id} 不存在")
    return found


def pending_for_matter(session: Session, matter_id: int) -> CatalogueApplication | None:
    stmt = select(CatalogueApplication).where(
        CatalogueApplication.matter_id == matter_id,
        CatalogueApplication.status.in_([crules.SUBMITTED, crules.REVIEWED]),
    )
    return session.scalar(stmt.limit(1))


# ---------------------------------------------------------------- rectification notices


def list_notices(session: Session, principal: Principal, *, limit: int = 200) -> Sequence[RectificationNotice]:
    stmt = scoped(select(RectificationNotice), principal, RectificationNotice)
    return session.scalars(stmt.order_by(RectificationNotice.id.desc()).limit(limit)).all()


def get_notice(session: Session, principal: Principal, notice_id: int) -> RectificationNotice:
    stmt = scoped(select(RectificationNotice).where(RectificationNotice.id == notice_id), principal,
                  RectificationNotice)
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"整改通知 {notice_id} 不存在")
    return found


def open_notice_for(session: Session, matter_id: int) -> RectificationNotice | None:
    stmt = select(RectificationNotice).where(RectificationNotice.matter_id == matter_id,
                                             RectificationNotice.outcome == crules.OPEN)
    return session.scalar(stmt.limit(1))


def claim_answer(session: Session, notice: RectificationNotice, answer: str, *, now: datetime,
                 by: int | None) -> bool:
    """Conditional UPDATE of a notice just opened through get_notice: answered once, while open."""
    return session.execute(
        update(RectificationNotice)
        .where(RectificationNotice.id == notice.id, RectificationNotice.outcome == crules.OPEN)
        .values(outcome=crules.ANSWERED, answer=answer, answered_at=now, answered_by=by)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def claim_forced_exit(session: Session, notice: RectificationNotice) -> bool:
    """Conditional UPDATE: an overdue notice, still open, becomes a forced exit (the scheduled job)."""
    return session.execute(
        update(RectificationNotice)
        .where(RectificationNotice.id == notice.id, RectificationNotice.outcome == crules.OPEN)
        .values(outcome=crules.FORCED_EXIT)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def overdue_notices(session: Session, now: datetime) -> Sequence[RectificationNotice]:
    stmt = select(RectificationNotice).where(RectificationNotice.outcome == crules.OPEN,
                                             RectificationNotice.deadline < now)
    return session.scalars(stmt.order_by(RectificationNotice.deadline, RectificationNotice.id)).all()


def expired_temporary(session: Session, day: date) -> Sequence[Matter]:
    stmt = select(Matter).where(Matter.status == crules.IN_FORCE, Matter.temporary_until.is_not(None),
                                Matter.temporary_until < day)
    return session.scalars(stmt.order_by(Matter.temporary_until, Matter.id)).all()


# ---------------------------------------------------------------- departments and names


def get_department(session: Session, code: str | None) -> Department | None:
    return session.get(Department, code) if code else None


def find_area(session: Session, code: str) -> Area | None:
    """An area by code, or None: the place of a published catalogue (public, C5)."""
    return session.get(Area, code)


def area_names(session: Session, codes) -> dict[str, str]:
    codes = list(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all())


def counties_of(session: Session, city_code: str) -> Sequence:
    """Rows (code, name) of the counties of a city, in code order."""
    stmt = select(Area.code, Area.name).where(Area.parent_code == city_code, Area.level == AreaLevel.COUNTY)
    return session.execute(stmt.order_by(Area.code)).all()


def city_agency_users(session: Session, city: str, roles: Sequence[str]) -> list[int]:
    """Ids of the active agency users (no department) of a city holding one of ``roles``."""
    stmt = select(User.id).where(User.scope_code == city, User.department_code.is_(None), User.is_active.is_(True),
                                 User.role.in_(list(roles)))
    return list(session.scalars(stmt.order_by(User.id)))


def user_names(session: Session, ids) -> dict[int, str]:
    """Display names of the users an application or notice already opened through the door names."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def count_versions(session: Session, list_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ListVersion).where(ListVersion.list_id == list_id)) or 0
