"""Test data of the warnings tests: cases, clocks, department links and board complaints written
straight into the tables (the counts read them as they are; how a case gets there is the cases'
tests' business), at times relative to the weeks the rules look at."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.analysis import warning_rules as rules
from gridgov.kit.clock import SHANGHAI, local, utc_now
from gridgov.models import Case, CaseClock, CaseDepartment, User
from gridgov.models.staff import Post
from gridgov.models.territory import BoardComplaint

CITY = "321100000000"
_serial = itertools.count(1)


def places(session):
    return demo_places(session, CITY)


def at(day: date, hour: int = 10) -> datetime:
    """A local time of ``day`` (Asia/Shanghai)."""
    return datetime.combine(day, time(hour), SHANGHAI)


def today() -> date:
    return local(utc_now()).date()


def last_week() -> date:
    """The Monday of the week the weekly rule looks at."""
    return rules.last_complete_week(today())


def add_case(session, grid: str, created: datetime, *, type_code: str | None = None, address: str = "",
             lon: float | None = None, lat: float | None = None, department: str | None = None,
             overdue: bool = False) -> Case:
    n = next(_serial)
    case = Case(case_no=f"YJ{n:08d}", title=f"预警测试事件 {n}", category="zj12_02", type_code=type_code,
                source="patrol", state="dispatched" if department else "reported", discovered_at=created,
                lon=lon, lat=lat, address=address, grid_code=grid, town_code=grid[:9] + "000",
                county_code=grid[:6] + "000000", handling_area_code=grid[:9] + "000",
                lead_department_code=department, created_at=created, updated_at=created)
    session.add(case)
    session.flush()
    if department:
        session.add(CaseDepartment(case_id=case.id, department_code=department, part="lead", dispatched_at=created))
    if overdue:
        due = created + timedelta(days=1)
        session.add(CaseClock(case_id=case.id, kind="handle", started_at=created, due_at=due, warn_at=due,
                              warning_ratio=0.8, overdue_at=due, stopped_at=created + timedelta(days=3)))
    session.flush()
    return case


def weekly(session, grid: str, counts: list[int], *, history: bool = True, type_code: str | None = None,
           week: date | None = None) -> None:
    """``counts``: the cases of each week, oldest first, the last being the week looked at (``week``);
    ``history``: one case more, before the first of those weeks."""
    week = week or last_week()
    first = week - timedelta(weeks=len(counts) - 1)
    if history:
        add_case(session, grid, at(first - timedelta(days=3)), type_code=type_code)
    for i, n in enumerate(counts):
        for j in range(n):
            add_case(session, grid, at(first + timedelta(weeks=i, days=j % 7)), type_code=type_code)


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def staff_of(session, grid: str) -> int:
    return session.scalar(select(Post.staff_id).where(Post.grid_code == grid).order_by(Post.id).limit(1))


def complaint(session, grid: str, staff_id: int | None, received: datetime) -> BoardComplaint:
    row = BoardComplaint(grid_code=grid, town_code=grid[:9] + "000", staff_id=staff_id, content="网格员态度不好",
                         status="received", received_at=received)
    session.add(row)
    session.flush()
    return row
