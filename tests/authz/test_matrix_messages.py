"""Messages to residents and the public map in the jurisdiction matrix (issue 17).

Both are PUBLIC and hold no jurisdiction: every demo account reads exactly what a visitor reads.

* ``/dev/outbox`` exists in demo mode only (it stands in for the residents' phones, who have no
  account): every account and a visitor get the same page, phones masked; outside demo mode every
  one of them gets 404 (tests/notify/test_outbox_page.py).
* ``/public/map`` and ``GET /api/v1/public/map``: 404 for everyone while off (the default); when on,
  the same cells for every account and for a visitor, whatever its area: a county's dispatcher sees
  the other county's reports no more precisely than anyone else does.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import service
from gridgov.cases.schemas import CaseCreate
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, User
from gridgov.notify import outbound
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY, make_settings, token_for
from .matrix_common import CITY, Failures

USERS = [a.username for a in DEMO_ACCOUNTS]


def _app(db_connection, tmp_path, **settings):
    from gridgov.app import create_app

    app = create_app(make_settings(str(db_connection.engine.url), tmp_path, **settings), engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return app


def _as(app, username: str | None) -> TestClient:
    c = TestClient(app)
    if username:
        c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
    return c


@pytest.fixture
def map_on(db_connection, tmp_path):
    return _app(db_connection, tmp_path, public_map=True)


def _body(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def _resident_report(db) -> None:
    """A resident's report with a point in the first county's grid (seen whole only by that county's staff)."""
    grid = demo_places(db, CITY).grid
    u = db.scalar(select(User).where(User.username == "town_dispatcher"))
    me = Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                   scope_code=u.scope_code, department_code=u.department_code)
    data = CaseCreate(title="井盖缺失", category="zj12_02", source="resident", grid_code=grid, address="中山路 8 号",
                      reporter_phone="13912345678")
    case = service.create_case(db, me, data, now=utc_now(), profile=load_profile("zhenjiang"),
                               cipher=FieldCipher(TEST_SECRET_KEY), media_root=None).case
    row = db.get(Case, case.id)
    row.lon, row.lat = 119.45, 32.2
    db.flush()


def test_every_account_reads_the_same_outbox_and_the_same_public_map_as_a_visitor(db, map_on, app):
    _resident_report(db)
    with map_on.state.sessionmaker() as session:
        outbound.send(session, profile=map_on.state.profile, cipher=map_on.state.cipher, to="13700001111",
                      template="sms_code", params={"code": "246810", "minutes": 5}, now=utc_now())
        session.commit()
    failures = Failures()
    with _as(map_on, None) as visitor:
        outbox, cells = visitor.get("/dev/outbox"), visitor.get("/api/v1/public/map")
    assert outbox.status_code == 200 and "137****1111" in outbox.text
    assert cells.status_code == 200 and cells.json()["reports"] == 1
    for username in USERS:
        with _as(map_on, username) as c:
            mine = c.get("/dev/outbox")
            failures.check(mine.status_code == 200 and _body(mine.text).count("137****1111") == 1
                           and "13700001111" not in mine.text, f"{username} /dev/outbox")
            failures.check(c.get("/api/v1/public/map").json() == cells.json(), f"{username} /api/v1/public/map")
        with _as(app, username) as c:  # the map off: 404 for everyone
            for path in ("/public/map", "/api/v1/public/map"):
                failures.check(c.get(path).status_code == 404, f"{username} {path} while off")
    assert not failures.items, "\n".join(failures.items)
