"""/dev/outbox: the development sink's messages in demo mode, masked; no such page outside demo mode."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from gridgov.config import Settings
from gridgov.kit.clock import utc_now
from gridgov.notify import outbound

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY


def _store_one(app) -> None:
    with app.state.sessionmaker() as session:
        outbound.send(session, profile=app.state.profile, cipher=app.state.cipher, to="13811112222",
                      template="sms_code", params={"code": "654321", "minutes": 5}, now=utc_now())
        session.commit()


def test_the_outbox_shows_the_stored_messages_masked_in_demo_mode(app, anonymous):
    _store_one(app)
    page = anonymous.get("/dev/outbox")
    assert page.status_code == 200
    assert "【镇江网格】验证码 654321，5 分钟内有效" in page.text and "138****2222" in page.text
    assert "13811112222" not in page.text and "待发送" in page.text


def _production_app(db_connection, tmp_path):
    from gridgov.app import create_app

    settings = Settings(demo=False, database_url=str(db_connection.engine.url), profile=DEMO_PROFILE,
                        var_dir=tmp_path, secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return app


def test_outside_demo_mode_there_is_no_outbox(db_connection, tmp_path):
    app = _production_app(db_connection, tmp_path)
    _store_one(app)
    with TestClient(app) as c:
        assert c.get("/dev/outbox").status_code == 404
        r = c.get("/dev/outbox", headers={"accept": "application/json"})
        assert r.status_code == 404 and r.json()["code"] == "not_found"
