"""The overdue-visit warning of the periodic sweep: the grid's workers are told once per overdue
period, a tag is named only to a role that may see it and never when its sensitivity is high."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gridgov import jobs
from gridgov.kit.clock import utc_now
from gridgov.models import Notification, User
from gridgov.registry.care import warn_overdue_visits

from .care_fixtures import days_ago, grids, household, tag


@pytest.fixture
def overdue(db, app):
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    here = household(db, cipher, grid, "解放路", ["王老伯"])
    there = household(db, cipher, grid2, "中山路", ["赵大姐"])
    tag(db, cipher, profile, here.people[0], "severe_mental", since=days_ago(40))   # 10 days overdue
    tag(db, cipher, profile, here.people[0], "elderly_alone", since=days_ago(9))    # 2 days overdue
    tag(db, cipher, profile, there.people[0], "disabled", since=days_ago(1))         # not due
    now = utc_now()
    parttime = User(username="care_parttime", display_name="兼职网格员甲", password_hash="x", role="parttime",
                    scope_code=grid, created_at=now, updated_at=now)
    db.add(parttime)
    db.flush()
    return here, there, parttime


def _notices(db, username: str) -> list[str]:
    user_id = db.scalar(select(User.id).where(User.username == username))
    return list(db.scalars(select(Notification.message).where(Notification.user_id == user_id,
                                                              Notification.kind == "visit_overdue")
                           .order_by(Notification.id)))


@pytest.mark.req("E6")
@pytest.mark.setting("registry.special_groups.severe_mental", "registry.special_groups.elderly_alone")
def test_the_grid_is_warned_once_per_overdue_period_without_naming_what_a_role_may_not_see(db, app, overdue):
    here, there, parttime = overdue
    profile, cipher = app.state.profile, app.state.cipher
    now = utc_now()
    sent = warn_overdue_visits(db, now, profile, cipher)
    worker, leader, part = _notices(db, "worker"), _notices(db, "leader"), _notices(db, "care_parttime")
    assert len(worker) == len(leader) == 2 and sent == 5
    assert any("独居老人" in m for m in worker) and not any("严重精神障碍患者" in m for m in worker + leader)
    assert all("王**" in m and "王老伯" not in m for m in worker)
    assert any("已逾期 10 天" in m for m in worker) and any("已逾期 2 天" in m for m in worker)
    # the part-time worker may see 独居老人 only: it hears of that one, named, and of nothing else
    assert len(part) == 1 and "独居老人" in part[0]
    assert _notices(db, "worker2") == []
    # once per overdue period: the next sweep says nothing
    assert warn_overdue_visits(db, now + timedelta(minutes=1), profile, cipher) == 0
    # a visit moves the due date; when that one passes too, the grid is warned again
    app_client_visit(db, app, here.people[0].id, now)
    assert warn_overdue_visits(db, now + timedelta(days=3), profile, cipher) == 0
    again = warn_overdue_visits(db, now + timedelta(days=9), profile, cipher)
    assert again == 3 and len(_notices(db, "worker")) == 3

    # the sensitivity is read from the profile: a group made low is named to the roles that see it
    groups = dict(profile.registry.special_groups)
    groups["severe_mental"] = groups["severe_mental"].model_copy(update={"sensitivity": "low"})
    lowered = profile.model_copy(update={"registry": profile.registry.model_copy(update={"special_groups": groups})})
    assert warn_overdue_visits(db, now + timedelta(days=40), lowered, cipher) >= 2
    assert any("严重精神障碍患者" in m for m in _notices(db, "worker"))
    assert not any("严重精神障碍患者" in m for m in _notices(db, "care_parttime"))


def app_client_visit(db, app, person_id: int, now: datetime) -> None:
    from gridgov.registry.care_schemas import VisitCreate
    from gridgov.registry.care_visits import record_visit

    from .care_fixtures import principal

    record_visit(db, principal(db, "worker"), VisitCreate(person_id=person_id), profile=app.state.profile,
                 cipher=app.state.cipher, media_root=app.state.settings.media_path, now=now)
    db.flush()


def test_the_warning_is_a_registered_job_that_runs_with_the_apps_cipher(db, app, overdue):
    job = next(j for j in jobs.JOBS if j.name == "registry_visits")
    assert job.with_cipher
    done = dict(jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=datetime.now(UTC),
                                   cipher=app.state.cipher))
    assert done["registry_visits"] == "特殊人群走访逾期提醒 5 条"
    assert len(_notices(db, "worker")) == 2
