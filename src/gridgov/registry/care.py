"""Use cases of the care part: special-group tags on people, visits and patrols (E6), the due list,
a need found on a visit turned into a case, and the overdue-visit warning of the periodic sweep.

Rules (the table and the visibility in :mod:`.tags`):

* Every read and write opens the person, house, unit or visit through the door (outside = 404).
* A tag the caller's role may not see is answered like an unknown tag (422 on POST, 404 on DELETE)
  and never shown: the person's tags, the due list and the notices leave it out for that role.
* Reading a person's tags is logged in the person's access log (``registry_person_access``): the
  field's name, never its value.
* A visit to a person (or to the household the person lives in) moves the due date of each of the
  person's current tags to the visit's day + the tag's frequency.
* The case made from a visit's need carries the visit's grid, address, text and photos, never the
  tag, and is not linked to the person (a case goes to departments; the tag must not follow).

Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, covers
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.models.registry import Person, PersonAccess, PersonTag
from gridgov.notify import Notice, notify
from gridgov.registry import care_repository as repo
from gridgov.registry import tags as rules
from gridgov.registry.care_schemas import (
    DueItem,
    DuePage,
    HouseholdPerson,
    HouseholdRead,
    PersonTagCreate,
    PersonTagRead,
    TagRead,
)

PERSON_NOT_FOUND = "人员不存在"
UNKNOWN_TAG = "没有这个特殊人群标签"
NOTICE_KIND = "visit_overdue"

register_labels({"registry_tag_added": "添加特殊人群标签", "registry_tag_removed": "移除特殊人群标签",
                 "registry_visit_case": "走访发现的需求转为事件"})


# ---------------------------------------------------------------- tags


def list_tags(principal: Principal, profile) -> list[TagRead]:
    return [TagRead(code=t.code, name=t.name, sensitivity=t.sensitivity, sensitivity_label=t.sensitivity_label,
                    visit_every_days=t.visit_every_days)
            for t in rules.visible_tags(profile, principal.role, system=principal.system)]


def _person(session: Session, principal: Principal, person_id: int, *, for_update: bool = False) -> Person:
    found = repo.person(session, principal, person_id, for_update=for_update)
    if found is None:
        raise NotFound(PERSON_NOT_FOUND)
    return found


def _visible_by_index(principal: Principal, profile, cipher) -> dict[str, rules.TagDef]:
    return {rules.tag_index(cipher, t.code): t for t in rules.visible_tags(profile, principal.role,
                                                                          system=principal.system)}


def _tag_read(row: PersonTag, tag: rules.TagDef, today: date) -> PersonTagRead:
    status = rules.due_status(row.visit_due_on, today)
    return PersonTagRead(code=tag.code, name=tag.name, sensitivity=tag.sensitivity, since=row.since,
                         visit_every_days=tag.visit_every_days, visit_due_on=row.visit_due_on, due_status=status,
                         due_status_label=rules.DUE_STATUS_LABELS[status])


def _log_view(session: Session, principal: Principal, person_id: int, *, now: datetime, action: str = "view") -> None:
    session.add(PersonAccess(person_id=person_id, user_id=principal.user_id or None, username=principal.username,
                             action=action, fields="special_groups", at=now))


def person_tags(session: Session, principal: Principal, person_id: int, *, profile, cipher,
                now: datetime) -> list[PersonTagRead]:
    """The person's current tags the caller's role may see (the view is logged when any is shown)."""
    _person(session, principal, person_id)
    visible = _visible_by_index(principal, profile, cipher)
    rows = repo.active_tags(session, principal, [person_id], indexes=list(visible))
    today = local(now).date()
    shown = [_tag_read(r, visible[r.tag_index], today) for r in rows]
    if shown:
        _log_view(session, principal, person_id, now=now)
    return shown


def _tag_for_role(principal: Principal, profile, code: str) -> rules.TagDef:
    tag = rules.tag_table(profile).get(code)
    if tag is None or not rules.may_see(tag, principal.role, system=principal.system):
        raise Invalid(UNKNOWN_TAG, details=[{"field": "tag", "message": UNKNOWN_TAG}])
    return tag


def add_tag(session: Session, principal: Principal, person_id: int, data: PersonTagCreate, *, profile, cipher,
            now: datetime) -> PersonTagRead:
    """Tags a person (visible to the caller) with a group its role may see; the first visit falls due
    the tag's frequency after ``since``."""
    person = _person(session, principal, person_id, for_update=True)
    tag = _tag_for_role(principal, profile, data.tag)
    today = local(now).date()
    since = data.since or today
    if since > today:
        raise Invalid("认定日期不能晚于今天", details=[{"field": "since", "message": "认定日期不能晚于今天"}])
    index = rules.tag_index(cipher, tag.code)
    if repo.active_tags(session, principal, [person.id], indexes=[index]):
        raise Conflict(f"该人员已有“{tag.name}”标签")
    row = PersonTag(person_id=person.id, tag_enc=cipher.encrypt(tag.code), tag_index=index, since=since,
                    visit_due_on=rules.next_due(since, tag), scope_code=person.scope_code, created_at=now)
    session.add(row)
    session.flush()
    # The audit log names the person's record, never the group (a tag is personal data).
    record(session, actor=principal, action="registry_tag_added", now=now, object_type="person",
           object_id=person.id, area_code=person.scope_code[:12])
    return _tag_read(row, tag, today)


def remove_tag(session: Session, principal: Principal, person_id: int, code: str, *, profile, cipher,
               now: datetime) -> None:
    """Ends a current tag (kept with its ``until`` date; rows are not deleted by users)."""
    person = _person(session, principal, person_id, for_update=True)
    tag = rules.tag_table(profile).get(code)
    rows = []
    if tag is not None and rules.may_see(tag, principal.role, system=principal.system):
        rows = repo.active_tags(session, principal, [person.id], indexes=[rules.tag_index(cipher, tag.code)])
    if not rows:
        raise NotFound("该人员没有这个标签")
    for row in rows:
        row.until = local(now).date()
        row.visit_due_on = None
    record(session, actor=principal, action="registry_tag_removed", now=now, object_type="person",
           object_id=person.id, area_code=person.scope_code[:12])


# ---------------------------------------------------------------- the due list


def _grid_prefix(principal: Principal, grid: str | None) -> str:
    """The grid (or area) asked for, which must lie in the jurisdiction (else it reads as missing);
    none: the whole jurisdiction."""
    if not grid:
        return principal.prefix
    if not grid.isdigit() or len(grid) not in (12, 15, 17) or not covers(principal, grid):
        raise NotFound(f"网格 {grid} 不存在或不在你的辖区内")
    return grid


def due_list(session: Session, principal: Principal, *, grid: str | None, within_days: int, page: int,
             page_size: int, profile, cipher, now: datetime) -> DuePage:
    """The people of the grid whose tags' visits are overdue or fall due within ``within_days``,
    earliest first; only the tags the caller's role may see (a role that may see none gets none).
    Each person shown gets a ``view`` entry in its access log (written last: see deps.get_session)."""
    prefix = _grid_prefix(principal, grid)
    visible = _visible_by_index(principal, profile, cipher)
    today = local(now).date()
    rows, total = repo.due_tags(session, principal, prefix=prefix, indexes=list(visible),
                                until=today + timedelta(days=within_days), offset=(page - 1) * page_size,
                                limit=page_size)
    houses = repo.canonical_of_houses(session, principal, {p.house_id for _, p in rows if p.house_id})
    items = []
    for row, person in rows:
        tag = visible[row.tag_index]
        status = rules.due_status(row.visit_due_on, today)
        items.append(DueItem(person_id=person.id, person_name=person.name, house_id=person.house_id,
                             address=houses.get(person.house_id), tag=tag.code, tag_name=tag.name,
                             visit_due_on=row.visit_due_on, due_status=status,
                             due_status_label=rules.DUE_STATUS_LABELS[status],
                             days_overdue=max(0, (today - row.visit_due_on).days)))
    for person_id in dict.fromkeys(i.person_id for i in items):  # last: a read records what it showed
        _log_view(session, principal, person_id, now=now)
    return DuePage(grid=grid or "", items=items, total=total, page=page, page_size=page_size)


def overdue_visits_by_grid(session: Session, principal: Principal, *, profile, cipher, now: datetime,
                           role: str | None = None) -> dict[str, int]:
    """Per grid of the jurisdiction, how many visits are overdue: the due list's ``overdue`` rows
    counted, of the tags the role may see (``role``: another role's view inside the principal's
    jurisdiction, for the warnings job telling an agency desk). Counts only: no person is shown, so
    nothing is logged."""
    if role is None:
        visible = _visible_by_index(principal, profile, cipher)
    else:
        visible = {rules.tag_index(cipher, t.code): t for t in rules.visible_tags(profile, role)}
    return repo.overdue_by_grid(session, principal, prefix=principal.prefix, indexes=list(visible),
                                today=local(now).date())


# ---------------------------------------------------------------- households


def find_households(session: Session, principal: Principal, text: str, *, limit: int = 20) -> list[HouseholdRead]:
    """Households in the jurisdiction by address text or by the name of a person living there."""
    text = (text or "").strip()
    if len(text) < 1:
        return []
    found = repo.find_houses(session, principal, text[:50], limit=limit)
    out = []
    for house, address in found:
        people = repo.people_of_house(session, principal, house.id)
        out.append(HouseholdRead(house_id=house.id, address=address.canonical, scope_code=house.scope_code,
                                 people=[HouseholdPerson(id=p.id, name=p.name) for p in people]))
    return out


def household(session: Session, principal: Principal, house_id: int) -> HouseholdRead:
    house = repo.house(session, principal, house_id)
    if house is None:
        raise NotFound("房屋不存在")
    address = repo.address(session, principal, house.address_id)
    people = repo.people_of_house(session, principal, house.id)
    return HouseholdRead(house_id=house.id, address=address.canonical if address else "", scope_code=house.scope_code,
                         people=[HouseholdPerson(id=p.id, name=p.name) for p in people])


# ---------------------------------------------------------------- the sweep


def warn_overdue_visits(session: Session, now: datetime, profile, cipher) -> int:
    """Tells the workers of each grid about the tagged people whose visit is overdue, once per
    overdue period (the claim: :func:`.care_repository.claim_overdue`); a notice names the tag only
    to a role that may see it, and never a tag of high sensitivity. Returns the notices stored."""
    today = local(now).date()
    claimed = repo.claim_overdue(session, SYSTEM, today)
    if not claimed:
        return 0
    table = {rules.tag_index(cipher, t.code): t for t in rules.tag_table(profile).values()}
    people = repo.people_by_id(session, SYSTEM, {t.person_id for t in claimed})
    grids = {t.scope_code[:repo.GRID_CODE_LEN] for t in claimed if len(t.scope_code) >= repo.GRID_CODE_LEN}
    workers: dict[str, list] = {}
    for user in repo.grid_workers(session, SYSTEM, grids):
        workers.setdefault(user.scope_code, []).append(user)
    notices = []
    for row in claimed:
        person = people.get(row.person_id)
        tag = table.get(row.tag_index)
        if person is None or tag is None:
            continue
        for user in workers.get(row.scope_code[:repo.GRID_CODE_LEN], []):
            if not rules.may_see(tag, user.role):
                continue  # the due list does not show this tag to the role: nor does a notice
            named = rules.notice_name(tag, user.role)
            what = f"（{named}）" if named else ""
            message = (f"走访提醒：{rules.mask_name(person.name)}{what}应于 {row.visit_due_on.isoformat()} 前走访，"
                       f"已逾期 {(today - row.visit_due_on).days} 天")
            notices.append(Notice(user_id=user.id, kind=NOTICE_KIND, message=message, link="/registry/care",
                                  dedupe_key=f"{NOTICE_KIND}:{row.id}:{row.visit_due_on.isoformat()}:{user.id}"))
    return notify(session, notices, now=now)
