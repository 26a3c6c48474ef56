"""Visit completion and complaint counts (analysis/visits.py, analysis/complaints.py): hand-counted
figures on a small known set, by grid, town and worker, inside the caller's jurisdiction only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gridgov.analysis.complaints import complaint_counts
from gridgov.analysis.visits import visit_completion
from gridgov.kit.clock import SHANGHAI
from gridgov.models import User
from gridgov.models.registry import Visit
from gridgov.models.staff import StaffMember
from gridgov.models.territory import BoardComplaint

from ..registry.care_fixtures import grids, household, principal, tag

OCT = (date(2026, 10, 1), date(2026, 10, 31))
NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def _visit(db, grid, *, person=None, house=None, day: date, hour: int = 10) -> None:
    db.add(Visit(kind="visit", person_id=person.id if person else None, house_id=house.id if house else None,
                 visited_at=_at(day, hour), scope_code=grid, created_at=NOW))


@pytest.fixture
def known(db, app):
    """Grid (worker, leader): a 30-day tag active all October, visited once (due 1, done 1); a 7-day tag
    from Oct 10 (22 days: due 3) visited once at home and once in person (done 2) and once on Sep 30
    (outside); a 90-day tag (calls for none in a month). Grid2: a 30-day tag never visited (due 1)."""
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    here = household(db, cipher, grid, "解放路", ["王老伯", "李阿婆"])
    there = household(db, cipher, grid2, "中山路", ["赵大姐"])
    old, alone = here.people
    tag(db, cipher, profile, old, "severe_mental", since=date(2026, 9, 1))
    tag(db, cipher, profile, old, "disabled", since=date(2026, 9, 1))
    tag(db, cipher, profile, alone, "elderly_alone", since=date(2026, 10, 10))
    tag(db, cipher, profile, there.people[0], "severe_mental", since=date(2026, 9, 20))
    _visit(db, grid, person=old, day=date(2026, 10, 15))
    _visit(db, grid, house=here.house, day=date(2026, 10, 12))
    _visit(db, grid, person=alone, day=date(2026, 10, 20))
    _visit(db, grid, person=alone, day=date(2026, 9, 30), hour=23)   # Sep 30 local: before the period
    _visit(db, grid, person=alone, day=date(2026, 10, 31), hour=23)  # Oct 31 local (Oct 31 15:00 UTC)
    db.flush()
    return grid, grid2


def test_visit_completion_by_grid_town_and_worker(db, app, known):
    grid, grid2 = known
    admin = principal(db, "city_admin")
    kw = dict(date_from=OCT[0], date_to=OCT[1], profile=app.state.profile, cipher=app.state.cipher, now=NOW)
    by_grid = visit_completion(db, admin, group_by="grid", **kw)
    assert (by_grid[grid].due, by_grid[grid].done) == (1 + 3, 1 + 3)
    assert (by_grid[grid2].due, by_grid[grid2].done, by_grid[grid2].rate) == (1, 0, 0.0)
    by_town = visit_completion(db, admin, group_by="town", **kw)
    assert by_town[grid[:9] + "000"].due == 4
    worker = db.scalar(select(User.id).where(User.username == "worker"))
    leader = db.scalar(select(User.id).where(User.username == "leader"))
    by_worker = visit_completion(db, admin, group_by="worker", **kw)
    assert by_worker[str(worker)].rate == by_worker[str(leader)].rate == 1.0
    # the worker of grid2 sees only its own grid
    mine = visit_completion(db, principal(db, "worker2"), group_by="grid", **kw)
    assert set(mine) == {grid2}
    # a period still running counts up to today only: on Oct 16 the 30-day tag (16 days) and the 7-day tag
    # (7 days: due 1, visited Oct 12) count; grid2's tag (16 days) calls for none yet
    early = visit_completion(db, admin, group_by="grid", **{**kw, "now": _at(date(2026, 10, 16))})
    assert (early[grid].due, early[grid].done) == (1, 1)
    assert grid2 not in early


def test_visit_completion_counts_at_most_what_was_due_and_only_in_the_area(db, app, known):
    grid, _ = known
    kw = dict(profile=app.state.profile, cipher=app.state.cipher, now=NOW)
    # Oct 12 to Oct 20 (9 days): the 7-day tag calls for 1 (visits Oct 12 and 20); the 30-day tag for none
    week = visit_completion(db, principal(db, "city_admin"), group_by="grid", date_from=date(2026, 10, 12),
                            date_to=date(2026, 10, 20), area=grid, **kw)
    assert set(week) == {grid}
    assert (week[grid].due, week[grid].done) == (1, 1)  # two visits in the 9 days, one called for


def test_complaints_by_grid_and_worker(db, app, known):
    grid, grid2 = known
    now = NOW
    staff = StaffMember(name="张网格", gender="male", area_code=grid[:12], created_at=now, updated_at=now)
    db.add(staff)
    db.flush()
    worker = db.scalar(select(User).where(User.username == "worker"))
    worker.staff_id = staff.id
    for day, who, where in [(date(2026, 10, 3), staff.id, grid), (date(2026, 10, 31), staff.id, grid),
                            (date(2026, 11, 1), staff.id, grid), (date(2026, 10, 9), None, grid),
                            (date(2026, 10, 9), None, grid2)]:
        db.add(BoardComplaint(grid_code=where, town_code=where[:9] + "000", staff_id=who, content="态度差",
                              received_at=_at(day, 23), status="received"))
    db.flush()
    admin = principal(db, "city_admin")
    assert complaint_counts(db, admin, group_by="grid", date_from=OCT[0], date_to=OCT[1]) == {grid: 3, grid2: 1}
    assert complaint_counts(db, admin, group_by="worker", date_from=OCT[0], date_to=OCT[1]) == {str(worker.id): 2}
    assert complaint_counts(db, principal(db, "worker2"), group_by="grid", date_from=OCT[0],
                            date_to=OCT[1]) == {grid2: 1}
    assert complaint_counts(db, admin, group_by="town", date_from=OCT[0], date_to=OCT[1],
                            area=grid[:9] + "000") == {grid[:9] + "000": 3}
