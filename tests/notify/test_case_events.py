"""The case-event outbox (gridgov.notify.events): one event per change of a case, written in the
change's own transaction, by intake's fast path and by every action."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, service
from gridgov.cases.schemas import CaseCreate
from gridgov.errors import Conflict, Forbidden
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, CaseLogEntry, User
from gridgov.models.webhooks import CaseEvent
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"


def who(db, username: str) -> Principal:
    user = db.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name,
                     role=user.role, scope_code=user.scope_code, department_code=user.department_code)


def report(db, grid: str, now, tmp_path, *, username: str = "worker") -> Case:
    data = CaseCreate(title="占道经营堵塞通道", category="zj12_02", source="patrol", grid_code=grid,
                      address="中山路 8 号")
    new = service.create_case(db, who(db, username), data, now=now, profile=load_profile("zhenjiang"),
                              cipher=FieldCipher(TEST_SECRET_KEY), media_root=tmp_path)
    return db.get(Case, new.case.id)


def act(db, username: str, case_no: str, action: str, now, tmp_path, **payload):
    return actions.act(db, who(db, username), case_no, action, payload, now=now, profile=load_profile("zhenjiang"),
                       media_root=tmp_path)


def events_of(db, case_id: int) -> list[CaseEvent]:
    return list(db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


def test_every_entry_of_a_case_file_has_its_event_from_intake_on(db, tmp_path):
    places = demo_places(db, CITY)
    now = utc_now()
    case = report(db, places.grid, now - timedelta(hours=1), tmp_path)
    db.expire_all()
    [created] = events_of(db, case.id)  # intake's fast path (one CTE statement on PostgreSQL)
    assert (created.case_no, created.seq, created.action, created.from_state, created.to_state) == (
        case.case_no, 1, "create", "", "verified")
    assert created.at == case.created_at and created.fanned_at is None
    assert uuid.UUID(created.event_id).version == 4

    act(db, "worker", case.case_no, "escalate", now - timedelta(minutes=30), tmp_path)
    act(db, "town_dispatcher", case.case_no, "accept", now, tmp_path)
    db.flush()
    log = list(db.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq)))
    events = events_of(db, case.id)
    assert [(e.seq, e.action, e.from_state, e.to_state, e.at) for e in events] == [
        (e.seq, e.action, e.from_state, e.to_state, e.at) for e in log]
    assert len({e.event_id for e in events}) == 3


def test_a_change_that_rolls_back_leaves_no_event(db, tmp_path):
    places = demo_places(db, CITY)
    now = utc_now()
    case = report(db, places.grid, now - timedelta(hours=1), tmp_path)
    db.flush()
    before = len(events_of(db, case.id))

    savepoint = db.begin_nested()  # the action's transaction: it writes, then something fails
    act(db, "worker", case.case_no, "escalate", now, tmp_path)
    db.flush()
    assert len(events_of(db, case.id)) == before + 1
    savepoint.rollback()
    db.expire_all()
    assert len(events_of(db, case.id)) == before

    with pytest.raises((Conflict, Forbidden)):  # refused by the lifecycle: nothing written, no event
        act(db, "worker", case.case_no, "sign", now, tmp_path)
    db.flush()
    assert len(events_of(db, case.id)) == before
    act(db, "worker", case.case_no, "escalate", now, tmp_path)  # the same change, kept this time
    db.flush()
    assert [e.action for e in events_of(db, case.id)][before:] == ["escalate"]
