"""The periodic job ``analysis_warnings``: each agency desk is told the warnings of its jurisdiction,
each warning once per user whatever the runs, and the job works at most once an hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov import jobs
from gridgov.analysis.warnings_job import run_warnings
from gridgov.kit.clock import utc_now
from gridgov.models import Notification
from gridgov.models.analysis_warnings import WarningRun

from .warning_data import add_case, at, places, today, user, weekly


def _told(db, username: str) -> list[str]:
    uid = user(db, username).id
    return list(db.scalars(select(Notification.dedupe_key).where(Notification.user_id == uid,
                                                                 Notification.kind == "analysis_warning")
                           .order_by(Notification.dedupe_key)))


def _repeat(db, grid: str, address: str) -> None:
    for d in (1, 2, 3):
        add_case(db, grid, at(today() - timedelta(days=d)), address=address)


@pytest.mark.req("E4")
def test_each_desk_is_told_its_warnings_once(db, app):
    p = places(db)
    weekly(db, p.grid, [1] * 8 + [8])
    _repeat(db, p.grid2, "中山路 5 号")  # the other county's
    profile, cipher, now = app.state.profile, app.state.cipher, utc_now()

    said = run_warnings(db, now, profile, cipher)
    assert said is not None and said.startswith("预警 2 项")
    town, county, city = (_told(db, u) for u in ("town_dispatcher", "county_dispatcher", "city_admin"))
    uid = user(db, "town_dispatcher").id
    assert len(town) == 1 and town[0].startswith("warning:week:grid:") and town[0].endswith(f":{uid}")
    assert len(county) == 1 and len(city) == 2
    message = db.scalar(select(Notification.message).where(Notification.dedupe_key == town[0]))
    assert message.startswith("预警：网格事件量突增") and "8 件" in message

    assert run_warnings(db, now, profile, cipher) is None  # the hour is taken: nothing worked out again
    assert run_warnings(db, now + timedelta(hours=1), profile, cipher) is None  # worked out, nothing new told
    assert db.scalar(select(func.count()).select_from(WarningRun)) == 2
    assert _told(db, "town_dispatcher") == town and len(_told(db, "city_admin")) == 2

    _repeat(db, p.grid, "解放路 12 号")  # a new warning in the town
    assert run_warnings(db, now + timedelta(hours=2), profile, cipher).startswith("预警 3 项，发出提醒 3 条")
    assert len(_told(db, "town_dispatcher")) == 2 and len(_told(db, "city_admin")) == 3


def test_the_job_is_registered_and_runs_with_the_apps_cipher(db, app):
    p = places(db)
    _repeat(db, p.grid, "解放路 12 号")
    job = next(j for j in jobs.JOBS if j.name == "analysis_warnings")
    assert job.with_cipher
    done = dict(jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=utc_now() + timedelta(days=400),
                                   cipher=app.state.cipher))
    assert "analysis_warnings" not in done  # a year on, the repeat is long past: nothing to tell
    done = dict(jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=utc_now(),
                                   cipher=app.state.cipher))
    assert done["analysis_warnings"] == "预警 1 项，发出提醒 3 条"  # the town's, county's and city's desks
    assert len(_told(db, "town_dispatcher")) == 1
