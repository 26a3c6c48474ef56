"""Filing county lists with the city (JM§9 县级机构编制准入清单，报市网格化机构备案).

Where the profile sets ``county_lists_filed_with_city``, every published version of a county list
is submitted for filing: the city agency's users are told (one notice per version and user, so a
retried publication tells nobody twice) and an audit entry is written. The city agency then records
the filing once (``filed_at``/``filed_by``/``filing_note`` on the version). "Pending" is not stored:
it is a county version with no ``filed_at`` under such a profile, so a version published by a job
(which does not pass the profile) is still pending and shown to the city agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz import Permission
from gridgov.authz.permissions import role_can
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.catalogue import repository as repo
from gridgov.catalogue import rules as crules
from gridgov.errors import Conflict, Forbidden, NotFound
from gridgov.models import CatalogueList
from gridgov.models.accounts import AGENCY_OR_SYSADMIN_ROLES, Role
from gridgov.models.catalogue import ListVersion
from gridgov.notify import Notice, notify
from gridgov.territory import rules

NOTICE_KIND = "catalogue_filing"
FILING_LINK = "/catalogue/applications#pending-filings"


def list_level(cat_list: CatalogueList) -> str:
    try:
        return str(rules.area_level(cat_list.area_code))
    except rules.CodeError:
        return ""


def city_above(cat_list: CatalogueList) -> str | None:
    return rules.parent_area_code(cat_list.area_code)


def city_agency_users(session: Session, city: str) -> list[int]:
    """The active users of the city agency who may record a filing (CATALOGUE_MANAGE)."""
    roles = [r.value for r in Role if role_can(r.value, Permission.CATALOGUE_MANAGE)]
    return repo.city_agency_users(session, city, roles)


def submit_for_filing(session: Session, cat_list: CatalogueList, version: ListVersion, *, profile,
                      actor: Principal | None, now: datetime) -> bool:
    """Submit a just-published county version for filing (notices and an audit entry); False when
    the profile or the list's level asks for no filing."""
    if crules.filing_problem(profile.catalogue, list_level(cat_list)):
        return False
    city = city_above(cat_list)
    if city is None:
        return False
    message = f"{cat_list.name}第 {version.number} 版已公布，报市网格化机构备案：{version.summary[:60]}"
    notify(session, [Notice(uid, NOTICE_KIND, message, f"catalogue_filing:{version.id}:{uid}", None, FILING_LINK)
                     for uid in city_agency_users(session, city)], now=now)
    record(session, actor=actor, action="catalogue_version_submitted_for_filing", now=now,
           object_type="list_version", object_id=version.id, area_code=cat_list.area_code,
           after={"list_id": cat_list.id, "number": version.number, "city": city}, detail=version.summary[:500])
    return True


def check_city_agency(principal: Principal, cat_list: CatalogueList) -> None:
    """Only the agency of the city above the county records the filing (JM§9 报市网格化机构备案)."""
    if not principal:
        return
    if principal.department_code or principal.role not in AGENCY_OR_SYSADMIN_ROLES \
            or not principal.can(Permission.CATALOGUE_MANAGE) or principal.scope_code != city_above(cat_list):
        raise Forbidden("县级清单由市网格化机构登记备案")


def file_version(session: Session, principal: Principal, version_id: int, note: str, *, profile,
                 now: datetime) -> ListVersion:
    """Record the city agency's filing of a county version, once. 404 for a version missing or
    outside the principal's jurisdiction; 409 where no filing is asked (the profile, or not a county
    list) or already filed; 403 for anyone but the city agency. The version is claimed by a
    conditional UPDATE, so two agency users filing at once cannot both succeed."""
    version = session.get(ListVersion, version_id)
    cat_list = repo.find_list(session, version.list_id) if version is not None else None
    if cat_list is None or not covers(principal, cat_list.area_code):
        raise NotFound(f"清单版本 {version_id} 不存在")
    problem = crules.filing_problem(profile.catalogue, list_level(cat_list))
    if problem:
        raise Conflict(problem)
    check_city_agency(principal, cat_list)
    note = (note or "").strip()
    if not repo.claim_filing(session, version, now=now, by=principal.user_id if principal else None, note=note):
        raise Conflict(f"{cat_list.name}第 {version.number} 版已备案，不能重复备案")
    session.refresh(version)
    record(session, actor=principal, action="catalogue_version_filed", now=now, object_type="list_version",
           object_id=version.id, area_code=cat_list.area_code, before={"filed": False},
           after={"filed": True, "list_id": cat_list.id, "number": version.number}, detail=note[:500])
    return version


def pending_filings(session: Session, principal: Principal, *, profile,
                    limit: int = 200) -> Sequence[tuple[ListVersion, CatalogueList]]:
    """County versions not yet filed that this principal (the city agency) is to file; empty for
    anyone else or where the profile asks no filing."""
    if crules.filing_problem(profile.catalogue, "county"):
        return []
    if principal and (principal.department_code or principal.role not in AGENCY_OR_SYSADMIN_ROLES
                                  or not principal.can(Permission.CATALOGUE_MANAGE)
                                  or len(principal.scope_code) != rules.AREA_CODE_LEN
                                  or str(principal.level) != "city"):
        return []
    rows = repo.unfiled_versions(session, principal)
    return [(v, cl) for v, cl in rows if list_level(cl) == "county"][:limit]
