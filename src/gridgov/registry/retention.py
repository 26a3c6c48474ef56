"""Retention of the register's personal data (PIPL art. 19, 47): archive, then delete.

A person who moved out or died is archived (``archived_at``) by the periodic job, if the step that
recorded the move did not already. When ``registry.retention_years`` have passed since archiving,
the job deletes the person and what hangs on the person only (tags, moves, relations, visits to
the person); links from records kept for other reasons (a house's owner, a rental's tenant, a
case, the access log) are cut, not deleted. It writes one audit entry per village or community
saying how many people it deleted and their register ids: never a name or a number.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz import scope
from gridgov.models import Case, House, Move, Person, PersonAccess, PersonTag, Relation, Rental, Visit

GONE = ("moved_out", "deceased")
"""Statuses after which a person is archived."""
BATCH = 500


def archive_gone(session: Session, now: datetime) -> int:
    """Archives everyone who moved out or died and is not archived yet; returns how many."""
    stmt = scope.scoped(update(Person), scope.SYSTEM, Person).where(
        Person.status.in_(GONE), Person.archived_at.is_(None)).values(archived_at=now)
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def expired_people(session: Session, now: datetime, years: int, *, limit: int = BATCH) -> list[tuple[int, str]]:
    """(id, scope_code) of archived people whose retention period has ended, oldest first."""
    cutoff = now - timedelta(days=round(365.25 * years))
    stmt = scope.scoped(select(Person.id, Person.scope_code).where(Person.archived_at.is_not(None),
                                                               Person.archived_at <= cutoff),
                        scope.SYSTEM, Person)
    return [tuple(row) for row in session.execute(stmt.order_by(Person.archived_at, Person.id).limit(limit))]


def delete_people(session: Session, ids: list[int]) -> None:
    """Deletes the people ``ids`` and what hangs on them only; cuts links from records kept."""
    if not ids:
        return
    system = scope.SYSTEM  # the job acts for the system: every row, by name
    for stmt in (
        scope.scoped(update(House).where(House.owner_person_id.in_(ids)).values(owner_person_id=None), system, House),
        update(Rental).where(Rental.tenant_person_id.in_(ids)).values(tenant_person_id=None),
        scope.scoped(update(Case).where(Case.person_id.in_(ids)).values(person_id=None), system, Case),
        update(PersonAccess).where(PersonAccess.person_id.in_(ids)).values(person_id=None),
        scope.scoped(delete(PersonTag).where(PersonTag.person_id.in_(ids)), system, PersonTag),
        delete(Move).where(Move.person_id.in_(ids)),
        delete(Relation).where(or_(Relation.person_id.in_(ids), Relation.relative_id.in_(ids))),
        scope.scoped(delete(Visit).where(Visit.person_id.in_(ids)), system, Visit),
        scope.scoped(delete(Person).where(Person.id.in_(ids)), system, Person),
    ):
        session.execute(stmt.execution_options(synchronize_session=False))


def apply_retention(session: Session, now: datetime, profile) -> tuple[int, int]:
    """The periodic job's step: archive the gone, delete the expired (in batches), audit each
    village's deletions. Returns (archived, deleted)."""
    archived = archive_gone(session, now)
    years = profile.registry.retention_years
    deleted = 0
    while batch := expired_people(session, now, years):
        by_area: dict[str, list[int]] = defaultdict(list)
        for pid, scope_code in batch:
            by_area[scope_code[:12]].append(pid)
        delete_people(session, [pid for pid, _ in batch])
        for area, ids in sorted(by_area.items()):
            record(session, actor=scope.SYSTEM, action="registry_retention_deleted", now=now,
                   object_type="person", area_code=area, after={"count": len(ids), "person_ids": ids},
                   detail=f"保存期限（{years} 年）届满，删除迁出或死亡人员信息 {len(ids)} 人")
        deleted += len(batch)
    return archived, deleted
