"""Visit completion (issue 16, for the appraisal and the governance index): how many of the visits the
special groups' frequencies called for in a period were made, by county, town, grid or worker.

The rule (docs/analysis.md, 考核评价):

* A person's tag (``registry_person_tags``) is *active* on the days between its ``since`` and its
  ``until`` (open: still active), clipped to the period and to ``today`` (a period still running is
  counted up to today).
* The visits it *calls for* in the period are ``active days // visit_every_days`` (the group's
  frequency from the profile, ``registry.special_groups.<code>.visit_every_days``); a tag that calls
  for none (a 90-day group in a month) is not counted.
* The visits *made* are the visits (``registry_visits``, kind ``visit``) to the person or to the
  house the person lives in on an active day, at most the number called for.
* A grid's figures are those of the tags whose ``scope_code`` lies in it; a worker's those of the
  grids the worker serves (``users.scope_code``, an active grid-worker role): the grid's team answers
  for its visits (ZJ§19: 排查走访).

Everything is read through the scope door (``scoped``): the caller's jurisdiction only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.areas import scope_prefix
from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.kit.clock import SHANGHAI, local
from gridgov.models.accounts import GRID_WORKER_ROLES, User
from gridgov.models.registry import Person, PersonTag, Visit
from gridgov.registry import tags as tag_rules

GROUP_BY = ("county", "town", "grid", "worker")


@dataclass
class VisitCount:
    due: int = 0
    done: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.done / self.due, 4) if self.due else None


def area_key(code: str, group_by: str) -> str:
    """The county (6 digits) or town (9 digits) area code, padded to 12, a grid code lies in."""
    n = 6 if group_by == "county" else 9
    return code[:n].ljust(12, "0")


def utc_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at ``date_from`` and after ``date_to`` (half-open)."""
    start = datetime.combine(date_from, time(0), SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), time(0), SHANGHAI)
    return start, end


def _prefix_filter(column, area: str | None):
    if not area:
        return []
    return [column.startswith(scope_prefix(area))]


def tag_visits(session: Session, principal: Principal, *, date_from: date, date_to: date, area: str | None,
               profile, cipher, today: date) -> list[tuple[str, int, int]]:
    """``(scope_code, due, done)`` for every tag that calls for a visit in the period."""
    hi_limit = min(date_to, today)
    if hi_limit < date_from:
        return []
    every = {tag_rules.tag_index(cipher, t.code): t.visit_every_days for t in tag_rules.tag_table(profile).values()}
    rows = session.execute(scoped(scoped(
        select(PersonTag.scope_code, PersonTag.tag_index, PersonTag.since, PersonTag.until, Person.id,
               Person.house_id)
        .join(Person, Person.id == PersonTag.person_id)
        .where(PersonTag.since <= hi_limit, (PersonTag.until.is_(None)) | (PersonTag.until >= date_from),
               *_prefix_filter(PersonTag.scope_code, area))
        .order_by(PersonTag.id), principal, PersonTag), principal, Person)).all()
    if not rows:
        return []
    start, end = utc_bounds(date_from, hi_limit)
    by_person: dict[int, list[date]] = defaultdict(list)
    by_house: dict[int, list[date]] = defaultdict(list)
    for person_id, house_id, at in session.execute(scoped(
            select(Visit.person_id, Visit.house_id, Visit.visited_at)
            .where(Visit.kind == "visit", Visit.visited_at >= start, Visit.visited_at < end), principal, Visit)):
        day = local(at).date()
        if person_id is not None:
            by_person[person_id].append(day)
        elif house_id is not None:
            by_house[house_id].append(day)
    out = []
    for scope_code, index, since, until, person_id, house_id in rows:
        freq = every.get(index)
        if not freq:
            continue
        lo, hi = max(date_from, since), min(hi_limit, until or hi_limit)
        due = ((hi - lo).days + 1) // freq if hi >= lo else 0
        if due <= 0:
            continue
        days = by_person.get(person_id, []) + (by_house.get(house_id, []) if house_id else [])
        made = sum(1 for d in days if lo <= d <= hi)
        out.append((scope_code, due, min(due, made)))
    return out


def visit_completion(session: Session, principal: Principal, *, group_by: str, date_from: date, date_to: date,
                     area: str | None = None, profile, cipher, now: datetime) -> dict[str, VisitCount]:
    """Visit completion by ``county``, ``town``, ``grid`` or ``worker`` (key: the user id as text)."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    rows = tag_visits(session, principal, date_from=date_from, date_to=date_to, area=area, profile=profile,
                      cipher=cipher, today=local(now).date())
    by_grid: dict[str, VisitCount] = defaultdict(VisitCount)
    for scope_code, due, done in rows:
        key = scope_code if group_by in ("grid", "worker") else area_key(scope_code, group_by)
        by_grid[key].due += due
        by_grid[key].done += done
    if group_by != "worker":
        return dict(by_grid)
    out: dict[str, VisitCount] = {}
    for user_id, grid in grid_workers(session, principal, set(by_grid)):
        count = out.setdefault(str(user_id), VisitCount())
        count.due += by_grid[grid].due
        count.done += by_grid[grid].done
    return out


def grid_workers(session: Session, principal: Principal, grids: set[str]) -> list[tuple[int, str]]:
    """``(user id, grid)`` of the active grid workers serving these grids."""
    if not grids:
        return []
    roles = [r.value for r in GRID_WORKER_ROLES]
    return [(uid, code) for uid, code in session.execute(scoped(
        select(User.id, User.scope_code).where(User.scope_code.in_(sorted(grids)), User.role.in_(roles),
                                               User.is_active.is_(True)).order_by(User.id), principal, User))]
