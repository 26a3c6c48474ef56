"""``gridgov demo --scale``: a tiny scale (50 grids, 2,000 cases, 300 people) built by the same code as
the province, on both databases, then read back through what a deployment runs: verify-log, the
statistics rebuild, the sweep, the list, case and statistics APIs, the register's sealed fields."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from gridgov.cases import casetypes, facts_store
from gridgov.cases.service import verify_files
from gridgov.cases.sweep import sweep
from gridgov.cases.workflow import OPEN_STATES
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, CaseLogEntry
from gridgov.models.registry import Person
from gridgov.policy.loader import load_profile
from gridgov.scale import Scale, build
from gridgov.scale.people import id_number

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY, make_settings, token_for

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
SIZE = Scale(grids=50, cases=2_000, people=300)


@pytest.fixture(scope="module")
def scaled(db_factory, template_url):
    engine = make_engine(db_factory.create(template=template_url))
    said: list[str] = []
    found = build(engine, load_profile(DEMO_PROFILE), SIZE, now=NOW, cipher=FieldCipher(TEST_SECRET_KEY),
                  chunk=700, progress=False, say=said.append)
    yield engine, found
    engine.dispose()


def test_counts_files_and_mix(scaled):
    engine, found = scaled
    assert found["grids"] == SIZE.grids and found["cases"] == SIZE.cases and found["registry_people"] == SIZE.people
    assert found["case_facts"] == SIZE.cases
    with make_sessionmaker(engine)() as session:
        assert verify_files(session) == {}  # every file chained as verify-log checks it
        lengths = dict(session.execute(select(CaseLogEntry.case_id, func.count()).group_by(CaseLogEntry.case_id)).all())
        cases = session.execute(select(Case.id, Case.state, Case.source, Case.type_code, Case.log_length,
                                       Case.created_at, Case.closed_at)).all()
        assert all(lengths[c.id] == c.log_length for c in cases)
        states, sources = Counter(c.state for c in cases), Counter(c.source for c in cases)
        assert states["closed"] > 0.8 * SIZE.cases and states["rejected"] > 0.03 * SIZE.cases
        open_ = sum(n for s, n in states.items() if s in OPEN_STATES)
        assert 0 < open_ < 0.05 * SIZE.cases and len([s for s in states if s in OPEN_STATES]) >= 3
        assert set(sources) == {"patrol", "hotline", "resident"}
        shipped = {t.code for t in casetypes.load(None, load_profile(DEMO_PROFILE)).types}
        assert {c.type_code for c in cases} <= shipped and len({c.type_code for c in cases}) >= 20
        spread = [c.created_at for c in cases]
        assert NOW - max(spread) < timedelta(days=30) and NOW - min(spread) > timedelta(days=3 * 365 - 30)
        assert all(c.closed_at > c.created_at for c in cases if c.state == "closed")
        # the statistics rows are what the services derive (a full rebuild changes none) …
        assert facts_store.rebuild(session, NOW) == 0
        session.rollback()
    # … and the clocks carry the sweep's marks up to now: the next minute's sweep has only that minute's work
    with unit_of_work(make_sessionmaker(engine)) as session:
        result = sweep(session, NOW + timedelta(minutes=1), None)
        assert result.warned + result.overdue <= 2
        session.rollback()


def test_personal_data_sealed(scaled):
    engine, _ = scaled
    cipher = FieldCipher(TEST_SECRET_KEY)
    with make_sessionmaker(engine)() as session:
        people = session.scalars(select(Person).order_by(Person.id)).all()
        first = people[0]
        number = id_number(0, first.scope_code[:6])
        assert first.id_number_index == cipher.blind_index(number)
        assert cipher.decrypt(first.id_number_enc) == number and number.encode() not in first.id_number_enc
        assert first.id_number_mask != number and "*" in first.id_number_mask and "*" in first.phone_mask
        assert len({p.id_number_index for p in people}) == SIZE.people
        calls = session.execute(select(Case.reporter_phone_enc, Case.reporter_phone_mask)
                                .where(Case.source == "hotline")).all()
        assert calls and all(c.reporter_phone_enc and "*" in c.reporter_phone_mask for c in calls)
        phone = cipher.decrypt(calls[0].reporter_phone_enc)
        assert phone.isdigit() and phone.encode() not in calls[0].reporter_phone_enc
    if engine.dialect.name == "sqlite":  # nothing in the file in clear
        with open(engine.url.database, "rb") as f:
            raw = f.read()
        assert number.encode() not in raw and phone.encode() not in raw


def test_a_list_counts_up_to_the_cap(scaled, tmp_path, monkeypatch):
    """Past COUNT_CAP a list says "more than the cap" (total = cap + 1) instead of counting a province."""
    from gridgov.app import create_app
    from gridgov.cases import repository

    engine, _ = scaled
    monkeypatch.setattr(repository, "COUNT_CAP", 100)
    app = create_app(make_settings(str(engine.url), tmp_path), engine=engine)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {token_for(client, 'city_admin')}"}
        assert client.get("/api/v1/cases", params={"state": "closed"}, headers=auth).json()["total"] == 101
        rejected = client.get("/api/v1/cases", params={"state": "rejected", "page_size": 100}, headers=auth).json()
        assert rejected["total"] == 101 and len(rejected["items"]) == 100


def test_lists_case_and_statistics_answer(scaled, tmp_path):
    from gridgov.app import create_app

    engine, _ = scaled
    app = create_app(make_settings(str(engine.url), tmp_path), engine=engine)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {token_for(client, 'city_admin')}"}
        with engine.connect() as conn:
            closed = conn.execute(text("SELECT count(*) FROM cases WHERE state = 'closed'")).scalar_one()
            type_code, n_type = conn.execute(text("SELECT type_code, count(*) FROM cases GROUP BY type_code "
                                                  "ORDER BY count(*) DESC, type_code LIMIT 1")).one()
        page = client.get("/api/v1/cases", params={"state": "closed", "page_size": 20}, headers=auth)
        assert page.status_code == 200, page.text
        assert page.json()["total"] == closed and len(page.json()["items"]) == 20
        typed = client.get("/api/v1/cases", params={"type": type_code, "from": "2024-01-01"}, headers=auth).json()
        assert 0 < typed["total"] <= n_type
        no = page.json()["items"][0]["case_no"]
        case = client.get(f"/api/v1/cases/{no}", headers=auth)
        assert case.status_code == 200 and case.json()["state"] == "closed"
        log = client.get(f"/api/v1/cases/{no}/log", headers=auth).json()
        assert log[0]["action"] == "create" and log[-1]["to_state"] == "closed"
        stats = client.get("/api/v1/stats/cases", params={"group_by": "type"}, headers=auth)
        assert stats.status_code == 200, stats.text
        body = stats.json()
        assert body["totals"]["reported"] == SIZE.cases and body["totals"]["closed"] == closed
        assert sum(item["reported"] for item in body["items"]) == SIZE.cases
