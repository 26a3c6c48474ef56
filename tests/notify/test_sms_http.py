"""The ``http`` SMS channel against a relay on loopback: a message a transaction stored goes out right
after that transaction commits (none for one rolled back); a refusal stays pending for the job."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from gridgov.config import Settings
from gridgov.db import make_engine
from gridgov.kit.clock import utc_now
from gridgov.models import OutboundMessage
from gridgov.notify import outbound

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY


@pytest.fixture
def relay():
    """A relay that answers each POST with the next status of ``answers`` (200 when they run out)."""
    got, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(answers.pop(0) if answers else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", got, answers
    server.shutdown()


def test_a_committed_message_goes_out_at_once_and_a_refused_one_waits_for_the_job(fresh_url, tmp_path, relay):
    from gridgov.app import create_app

    url, got, answers = relay
    settings = Settings(demo=False, database_url=fresh_url, profile=DEMO_PROFILE, var_dir=tmp_path,
                        secret_key=TEST_SECRET_KEY, sms_channel="http", sms_url=url, sms_token="relay-token")
    assert outbound.configured(settings)
    engine = make_engine(fresh_url)
    app = create_app(settings, engine=engine)

    def store(code: str, *, commit: bool) -> None:
        with app.state.write_sessionmaker() as session:
            outbound.send(session, profile=app.state.profile, cipher=app.state.cipher, to="13612345678",
                          template="sms_code", params={"code": code, "minutes": 5}, now=utc_now())
            session.commit() if commit else session.rollback()

    store("111111", commit=False)
    assert got == []
    store("222222", commit=True)
    assert [(auth, {k: v for k, v in body.items() if k != "id"}) for auth, body in got] == [
        ("Bearer relay-token", {"to": "13612345678",
                                "text": "【镇江网格】验证码 222222，5 分钟内有效，请勿告诉他人。"})]
    answers.append(500)
    store("333333", commit=True)
    with app.state.sessionmaker() as session:
        rows = {m.text[10:16]: m for m in session.scalars(select(OutboundMessage))}
        assert (rows["222222"].status, rows["333333"].status) == ("sent", "pending")
        assert got[0][1]["id"] == rows["222222"].id
        assert rows["333333"].last_error == "短信网关返回 500"
        said = outbound.deliver_pending(session, channel=outbound.channel_for(settings), cipher=app.state.cipher,
                                        now=utc_now() + timedelta(minutes=2))
        session.commit()
    assert said.sent == 1 and [g[1]["text"][10:16] for g in got] == ["222222", "333333", "333333"]
    engine.dispose()


def test_the_http_channel_needs_its_address(tmp_path):
    with pytest.raises(ValueError, match="GRIDGOV_SMS_URL"):
        Settings(demo=True, var_dir=tmp_path, secret_key=TEST_SECRET_KEY, sms_channel="http")
