"""Publication (C5): every approved change publishes a new version of its list, with its date and
a snapshot of the matters then in force, so versions can be compared without replaying history.

A matter that leaves the list (by application, at the end of its temporary admission, or by forced
exit) goes through :func:`exit_matter`, which claims it with a conditional UPDATE so two processes
never both exit it, then publishes the version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.catalogue import repository as repo
from gridgov.catalogue import rules as crules
from gridgov.catalogue.schemas import (
    CompareRead,
    ListRead,
    MatterChangeRead,
    MatterRead,
    VersionRead,
)
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import local
from gridgov.models import CatalogueList, Matter
from gridgov.models.catalogue import ListVersion
from gridgov.territory import rules


def local_day(now: datetime) -> date:
    return local(now).date()


def matter_snapshot(m: Matter) -> dict[str, Any]:
    """One matter as a version keeps it (JSON-safe: dates as ISO strings)."""
    out: dict[str, Any] = {}
    for name in crules.MATTER_FIELDS:
        value = getattr(m, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def publish_version(session: Session, cat_list: CatalogueList, *, now: datetime, actor: Principal | None = None,
                    summary: str, application_id: int | None = None, profile=None) -> ListVersion:
    """Publish the next version of ``cat_list``: number + 1, dated today (Beijing), holding the
    matters in force. The number is claimed with a conditional UPDATE on ``current_version``, so
    two concurrent publications cannot both take the same number. Given the profile, a county
    version is submitted for filing with the city where the profile asks (JM§9)."""
    session.flush()
    number = cat_list.current_version + 1
    if not repo.claim_version_number(session, cat_list, number):
        raise Conflict("清单刚被他人更新，请刷新后重试")
    session.refresh(cat_list)
    day = local_day(now)
    snapshot = [matter_snapshot(m) for m in repo.matters_of_list(session, cat_list.id, day)]
    version = ListVersion(list_id=cat_list.id, number=number, published_on=day, published_at=now,
                          published_by=actor.user_id if actor else None, summary=summary, snapshot=snapshot,
                          application_id=application_id)
    session.add(version)
    session.flush()
    record(session, actor=actor, action="catalogue_version_published", now=now, object_type="catalogue_list",
           object_id=cat_list.id, area_code=cat_list.area_code,
           after={"number": number, "published_on": day.isoformat(), "matters": len(snapshot)}, detail=summary)
    if profile is not None:
        from gridgov.catalogue.filing import submit_for_filing

        submit_for_filing(session, cat_list, version, profile=profile, actor=actor, now=now)
    return version


def exit_matter(session: Session, matter: Matter, *, reason: str, now: datetime, actor: Principal | None = None,
                action: str = "matter_exited", application_id: int | None = None,
                profile=None) -> ListVersion | None:
    """Take a matter off its list (status exited, the date and reason) and publish the version.
    None if it had already left (someone else got there first)."""
    day = local_day(now)
    if not repo.claim_exit(session, matter, day=day, reason=reason, now=now):
        return None
    session.refresh(matter)
    cat_list = repo.find_list(session, matter.list_id)
    record(session, actor=actor, action=action, now=now, object_type="matter", object_id=matter.code,
           area_code=cat_list.area_code, before={"status": crules.IN_FORCE},
           after={"status": crules.EXITED, "exited_on": day.isoformat(), "reason": reason})
    summary = crules.summary_of(crules.EXIT, matter.code, matter.name, extra=reason)
    return publish_version(session, cat_list, now=now, actor=actor, summary=summary, application_id=application_id,
                           profile=profile)


# ---------------------------------------------------------------- reading (public)


def matter_read(m: Matter) -> MatterRead:
    return MatterRead(id=m.id, list_id=m.list_id, code=m.code, name=m.name, class_code=m.class_code,
                      description=m.description, department_kind=m.department_kind, legal_basis=m.legal_basis,
                      power_type=m.power_type, on_site=m.on_site, limits=m.limits, evidence=m.evidence,
                      resources=m.resources or None, status=m.status, temporary_until=m.temporary_until,
                      admitted_on=m.admitted_on,
                      exited_on=m.exited_on, exit_reason=m.exit_reason)


def lists_in_force(session: Session, area: str, *, now: datetime) -> list[ListRead]:
    """The lists that govern ``area`` (its own and those of the areas above it) with the matters
    in force today: what the public may read (C5)."""
    area = (area or "").strip()
    try:
        rules.area_level(area)
    except rules.CodeError as exc:
        raise Invalid(str(exc)) from exc
    lists = repo.lists_of_areas(session, rules.ancestor_codes(area))
    return lists_read(session, lists, now=now)


def lists_read(session: Session, lists: Sequence[CatalogueList], *, now: datetime,
               with_matters: bool = True) -> list[ListRead]:
    names = repo.area_names(session, [x.area_code for x in lists])
    matters = repo.matters_by_list(session, [x.id for x in lists], local_day(now)) if with_matters else {}
    return [
        ListRead(id=x.id, area_code=x.area_code, area_name=names.get(x.area_code, ""), kind=x.kind,
                 kind_label=crules.list_kind_label(x.kind), name=x.name, follows_list_id=x.follows_list_id,
                 current_version=x.current_version, matters=[matter_read(m) for m in matters.get(x.id, [])])
        for x in lists
    ]


def version_read(v: ListVersion) -> VersionRead:
    return VersionRead(id=v.id, list_id=v.list_id, number=v.number, published_on=v.published_on,
                       published_at=v.published_at, summary=v.summary, application_id=v.application_id,
                       matter_count=len(v.snapshot or []), filed_at=v.filed_at, filed_by=v.filed_by,
                       filing_note=v.filing_note or "")


def versions(session: Session, list_id: int) -> list[VersionRead]:
    repo.get_list(session, list_id)
    return [version_read(v) for v in repo.list_versions(session, list_id)]


def compare(session: Session, list_id: int, a: int, b: int) -> CompareRead:
    """What changed from version ``a`` to version ``b`` of a list (either order)."""
    repo.get_list(session, list_id)
    older, newer = repo.get_version(session, list_id, a), repo.get_version(session, list_id, b)
    found = crules.diff(older.snapshot or [], newer.snapshot or [])
    return CompareRead(
        list_id=list_id, a=a, b=b, added=found.added, removed=found.removed,
        changed=[MatterChangeRead(code=c.code, name=c.name, fields=list(c.fields), before=c.before, after=c.after)
                 for c in found.changed],
    )
