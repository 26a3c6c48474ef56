"""The dispatch clock (ZJ§13, JM§24: the agency dispatches "在规定时间内"), on both databases.

It runs from acceptance to dispatch on ``cases.limits.dispatch_working_days`` (urgent:
``dispatch_urgent_hours``), counts working days with the loaded WorkCalendar, is warned and marked
overdue by the sweep like the other clocks, and is shown with them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gridgov.cases.sweep import sweep
from gridgov.kit.clock import SHANGHAI, utc_now
from gridgov.models import CaseLogEntry, User

from .test_case_sweep import PROFILE, act, clock, notices, open_case


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


@pytest.mark.setting("cases.limits.dispatch_working_days", "cases.limits.warning_ratio")
@pytest.mark.req("D3")
def test_zj_case_accepted_and_not_dispatched_is_warned_then_overdue_in_the_sweep(db):
    """Accepted on Wed 2026-09-30: the next working day is Thu 10-08 (National Day 10-01 … 10-07 off,
    国办发明电〔2025〕7号), so one working day runs to the end of 10-08, the warning at 80 % of it."""
    limits = PROFILE.cases.limits
    assert (limits.dispatch_working_days, limits.warning_ratio) == (1, 0.8)  # local defaults (ZJ§13: 规定时间)
    found = at(2026, 9, 30, 8, 0)
    case = open_case(db, found)
    act(db, "worker", case.case_no, "escalate", found + timedelta(minutes=30))
    accepted_at = at(2026, 9, 30, 10, 0)
    act(db, "town_dispatcher", case.case_no, "accept", accepted_at)
    dispatch = clock(db, case, "dispatch")
    assert dispatch.started_at == accepted_at and dispatch.stopped_at is None
    assert dispatch.due_at == end_of(2026, 10, 8)
    assert dispatch.warn_at == at(2026, 10, 8, 19, 12)  # 0.8 of the working day 10-08
    assert not dispatch.provisional

    before = len(notices(db, "clock_warning"))
    assert sweep(db, at(2026, 10, 6, 12, 0)).warned == 0  # a week of holiday: still on time
    assert clock(db, case, "dispatch").warned_at is None

    result = sweep(db, at(2026, 10, 8, 19, 30))
    assert result.warned == 1 and result.overdue == 0
    warned = notices(db, "clock_warning")
    assert len(warned) == before + 1
    assert [m for u, m in warned if "分派时限" in m] == [
        f"事件 {case.case_no}「{case.title}」的分派时限即将到期，请抓紧办理"]
    assert [u for u, m in warned if "分派时限" in m] == ["town_dispatcher"]  # the agency holding it
    assert sweep(db, at(2026, 10, 8, 20, 0)).warned == 0  # once

    result = sweep(db, at(2026, 10, 9, 0, 1))
    assert result.overdue == 1
    row = clock(db, case, "dispatch")
    assert row.overdue_at is not None and row.stopped_at is None
    assert [u for u, m in notices(db, "clock_overdue") if "分派时限已超期" in m] == ["town_dispatcher"]

    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    act(db, "town_dispatcher", case.case_no, "dispatch", at(2026, 10, 9, 9, 0), lead_department=lead)
    row = clock(db, case, "dispatch")
    assert row.stopped_at is not None and row.final_status == "overdue"  # kept late for the appraisal
    entry = db.scalar(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id)
                      .order_by(CaseLogEntry.seq.desc()).limit(1))
    assert entry.action == "dispatch" and entry.data["dispatch_clock"] == "overdue"
    assert clock(db, case, "handling").stopped_at is None


@pytest.mark.setting("cases.limits.dispatch_urgent_hours")
def test_an_urgent_case_must_be_dispatched_within_the_urgent_hours(db):
    t = at(2026, 11, 23, 9, 0)
    case = open_case(db, t)
    case.urgency = "urgent"
    db.flush()
    act(db, "worker", case.case_no, "escalate", t + timedelta(minutes=5))
    act(db, "town_dispatcher", case.case_no, "accept", t + timedelta(minutes=10))
    hours = PROFILE.cases.limits.dispatch_urgent_hours
    assert clock(db, case, "dispatch").due_at == t + timedelta(minutes=10, hours=hours)
    assert sweep(db, t + timedelta(minutes=11, hours=hours)).overdue == 1


def test_the_dispatch_clock_is_shown_with_the_other_clocks(client_as, places):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    r = worker.post("/api/v1/cases", json={"title": "路灯不亮", "category": "zj12_02", "source": "patrol",
                                            "grid_code": places.grid, "address": "解放路 1 号"})
    no = r.json()["case_no"]
    assert worker.get(f"/api/v1/cases/{no}").json()["clocks"]["dispatch"] is None  # not started
    worker.post(f"/api/v1/cases/{no}/actions/escalate", json={})
    accepted = town.post(f"/api/v1/cases/{no}/actions/accept", json={}).json()
    shown = accepted["clocks"]["dispatch"]
    assert shown["status"] == "on_time" and shown["stopped_at"] is None
    assert datetime.fromisoformat(shown["due_at"]) > utc_now()
    page = town.get(f"/cases/{no}")
    assert page.status_code == 200
    assert 'data-clock="dispatch"' in page.text and "分派时限" in page.text


@pytest.fixture
def places(db):
    from gridgov.accounts.demo import demo_places

    return demo_places(db, "321100000000")
