"""Observability (issue 19): /metrics by route template, job and sweep metrics, the backlogs read at
scrape time, who may scrape; the request id (header, error pages); JSON log lines without personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from gridgov import jobs
from gridgov.app import create_app
from gridgov.models.messages import PENDING, OutboundMessage
from gridgov.models.webhooks import WebhookDelivery
from gridgov.observability import configure_logging
from gridgov.observability.context import RequestContextMiddleware
from tests.cases.test_case_sweep import open_case
from tests.conftest import make_settings

LOOPBACK = ("127.0.0.1", 40000)
PHONE, ID_NUMBER = "13912345678", "320102199001011234"
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def scrape(app) -> dict[tuple[str, tuple], float]:
    """/metrics from the loopback address, as {(sample name, sorted labels): value}."""
    with TestClient(app, client=LOOPBACK) as c:
        r = c.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template_and_status_never_by_path(app):
    case = dict(method="GET", route="/api/v1/cases/{case_no}", status="401")
    before = value(scrape(app), "gridgov_http_request_duration_seconds_count", **case)
    with TestClient(app) as c:
        assert c.get(f"/api/v1/cases/{PHONE}?id_number={ID_NUMBER}").status_code == 401
        assert c.get("/api/v1/health").status_code == 200
        assert c.get(f"/no/such/page/{PHONE}").status_code == 404
    with TestClient(app, client=LOOPBACK) as c:
        text = c.get("/metrics").text
    samples = scrape(app)
    assert value(samples, "gridgov_http_request_duration_seconds_count", **case) == before + 1
    assert value(samples, "gridgov_http_request_duration_seconds_count",
                 method="GET", route="/api/v1/health", status="200") >= 1
    assert value(samples, "gridgov_http_request_duration_seconds_count",
                 method="GET", route="<unmatched>", status="404") >= 1
    assert PHONE not in text and ID_NUMBER not in text  # no raw path, no query string in any label
    assert value(samples, "gridgov_db_pool_size", database="primary") >= 1
    assert ("gridgov_db_pool_checked_out", (("database", "primary"),)) in samples


def test_jobs_durations_last_success_and_sweep_marks(app, monkeypatch):
    with app.state.sessionmaker() as session:
        open_case(session, T0)
        session.commit()

    def broken(session, now, profile):
        raise RuntimeError("boom")

    sweep_job = next(j for j in jobs.JOBS if j.name == "cases_sweep")
    monkeypatch.setattr(jobs, "JOBS", (sweep_job, jobs.Job("obs_broken", "总是失败", broken)))
    before, started = scrape(app), time.time()
    done = dict(jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=T0 + timedelta(days=60)))
    after = scrape(app)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gridgov_job_duration_seconds_count", job="cases_sweep", outcome="ok") == 1
    assert delta("gridgov_job_duration_seconds_count", job="obs_broken", outcome="failed") == 1
    assert value(after, "gridgov_job_last_success_timestamp_seconds", job="cases_sweep") >= int(started)
    assert ("gridgov_job_last_success_timestamp_seconds", (("job", "obs_broken"),)) not in after
    # the counter adds up what the sweep said it marked
    warned, overdue, supervision, notices = map(int, re.findall(r"\d+", done["cases_sweep"]))
    assert overdue >= 1
    assert delta("gridgov_sweep_marks_total", mark="warned") == warned
    assert delta("gridgov_sweep_marks_total", mark="overdue") == overdue
    assert delta("gridgov_sweep_marks_total", mark="supervision_overdue") == supervision
    assert delta("gridgov_sweep_marks_total", mark="notices") == notices


def test_backlogs_equal_the_pending_rows(app):
    with app.state.sessionmaker() as session:
        for status in (PENDING, PENDING, "sent"):
            session.add(OutboundMessage(template="obs", text="您反映的事件已受理", phone_enc=b"sealed",
                                        phone_mask="139****5678", status=status, created_at=T0))
        session.commit()
        pending = session.scalar(select(func.count()).select_from(OutboundMessage)
                                 .where(OutboundMessage.status == PENDING))
        deliveries = session.scalar(select(func.count()).select_from(WebhookDelivery)
                                    .where(WebhookDelivery.status == "pending"))
    samples = scrape(app)
    assert pending >= 2
    assert value(samples, "gridgov_outbox_pending") == pending
    assert value(samples, "gridgov_webhook_deliveries_pending") == deliveries
    assert value(samples, "gridgov_metrics_database_up") == 1


def _app_with(db_connection, tmp_path, **settings):
    from sqlalchemy.orm import sessionmaker

    app = create_app(make_settings(str(db_connection.engine.url), tmp_path, **settings), engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return app


def test_who_may_scrape(app, db_connection, tmp_path):
    json_accept = {"accept": "application/json"}
    with TestClient(app) as c:  # the test client's address is no allowed network
        r = c.get("/metrics", headers=json_accept)
        assert r.status_code == 403 and r.json()["code"] == "forbidden" and "监控指标" in r.json()["detail"]
    with TestClient(app, client=LOOPBACK) as c:
        assert c.get("/metrics").status_code == 200
        # through a proxy on the same machine the peer is the proxy: not taken as local
        assert c.get("/metrics", headers={"x-forwarded-for": "203.0.113.9", **json_accept}).status_code == 403
    token = "scrape-token-0123456789abcdef"
    guarded = _app_with(db_connection, tmp_path, metrics_token=token, metrics_allow="10.1.0.0/16")
    with TestClient(guarded, client=("10.1.2.3", 5000)) as c:
        assert c.get("/metrics").status_code == 200
    with TestClient(guarded, client=LOOPBACK) as c:  # loopback no longer listed
        assert c.get("/metrics", headers=json_accept).status_code == 403
    with TestClient(guarded) as c:
        assert c.get("/metrics", headers={"authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/metrics", headers={"authorization": f"Bearer {token}x"}).status_code == 403
        assert c.get("/metrics", headers={"authorization": f"Bearer {token}",
                                          "x-forwarded-for": "203.0.113.9"}).status_code == 200


def test_request_id_round_trip_generated_refused_and_on_error_pages(anonymous):
    r = anonymous.get("/api/v1/health", headers={"x-request-id": "proxy-1.A_b"})
    assert r.headers["x-request-id"] == "proxy-1.A_b"
    made = anonymous.get("/api/v1/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    for bad in ("x" * 65, "a b", "id\u4e00".encode(), "<script>", ""):
        got = anonymous.get("/api/v1/health", headers={"x-request-id": bad}).headers["x-request-id"]
        assert got != bad and re.fullmatch(r"[0-9a-f]{32}", got), bad
    page = anonymous.get("/no/such/page", headers={"accept": "text/html", "x-request-id": "help-desk-42"})
    assert page.status_code == 404 and page.headers["x-request-id"] == "help-desk-42"
    assert "请求编号：<code>help-desk-42</code>" in page.text
    api = anonymous.get("/api/v1/cases/NOPE", headers={"accept": "application/json"})
    assert api.status_code == 401 and re.fullmatch(r"[0-9a-f]{32}", api.headers["x-request-id"])
    assert anonymous.get("/static/no-such-file.css").headers.get("x-request-id")
    big = anonymous.post("/api/v1/auth/token", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                         headers={"content-type": "application/json", "accept": "application/json"})
    assert big.status_code == 413 and big.headers.get("x-request-id")


def test_an_uncaught_error_is_answered_500_with_the_id():
    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    r = TestClient(RequestContextMiddleware(broken), raise_server_exceptions=False).get(
        "/x", headers={"x-request-id": "crash-1"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "crash-1" and "crash-1" in r.text


def test_a_line_logged_by_a_route_in_the_thread_pool_carries_the_request_id(json_log):
    from fastapi import FastAPI

    tiny = FastAPI()

    @tiny.get("/work")
    def work() -> dict:  # a sync route: run in the thread pool
        logging.getLogger("gridgov.test").warning("做了一件事")
        return {}

    r = TestClient(RequestContextMiddleware(tiny)).get("/work", headers={"x-request-id": "pool-7"})
    said = [json.loads(line) for line in json_log.getvalue().splitlines()]
    mine = next(line for line in said if line["logger"] == "gridgov.test")
    assert r.headers["x-request-id"] == "pool-7" and mine["request_id"] == "pool-7"
    assert mine["message"] == "做了一件事" and mine["level"] == "WARNING"


def test_bad_metrics_settings_stop_the_start(tmp_path):
    with pytest.raises(ValueError, match="GRIDGOV_METRICS_ALLOW"):
        make_settings("sqlite://", tmp_path, metrics_allow="127.0.0.1/32,内网")
    with pytest.raises(ValueError, match="GRIDGOV_METRICS_TOKEN"):
        make_settings("sqlite://", tmp_path, metrics_token="short")
    with pytest.raises(ValueError):
        make_settings("sqlite://", tmp_path, log_format="xml")


@pytest.fixture
def json_log():
    stream, root, httpx = io.StringIO(), logging.getLogger(), logging.getLogger("httpx")
    levels = root.level, httpx.level
    handler = configure_logging("json", stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(levels[0])
    httpx.setLevel(levels[1])


def test_json_log_lines_have_the_shape_and_no_personal_data(anonymous, json_log):
    r = anonymous.get(f"/api/v1/cases/{PHONE}?phone={PHONE}&id_number={ID_NUMBER}",
                      headers={"accept": "application/json", "x-request-id": "log-1"})
    assert r.status_code == 401
    anonymous.post("/api/v1/auth/token", json={"username": PHONE, "password": ID_NUMBER})
    out = json_log.getvalue()
    assert PHONE not in out and ID_NUMBER not in out
    lines = [json.loads(line) for line in out.splitlines()]  # one JSON object per line
    access = [line for line in lines if line["logger"] == "gridgov.access"]
    assert len(access) == 2
    first = access[0]
    assert set(first) >= {"time", "level", "logger", "message", "request_id", "method", "route", "status",
                          "duration_ms", "client_ip"}
    assert first["request_id"] == "log-1" and first["level"] == "INFO"
    assert (first["method"], first["route"], first["status"]) == ("GET", "/api/v1/cases/{case_no}", 401)
    assert first["client_ip"] == "testclient" and first["duration_ms"] >= 0
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert access[1]["route"] == "/api/v1/auth/token" and re.fullmatch(r"[0-9a-f]{32}", access[1]["request_id"])


MULTIPROCESS = """
import os, sys
from gridgov.observability import job_finished
from gridgov.observability.metrics import exposition
child = os.fork()
if child == 0:  # another worker: its own pid, its own files
    job_finished("sweep", 0.5, True, now=100)
    os._exit(0)
os.waitpid(child, 0)
job_finished("sweep", 0.5, True, now=200)
sys.stdout.write(exposition(object()).decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """Two processes record a job each; /metrics counts both (PROMETHEUS_MULTIPROC_DIR)."""
    from gridgov.observability import prepare_multiprocess

    env_before = os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    try:
        (tmp_path / "prometheus").mkdir()
        (tmp_path / "prometheus" / "counter_999.db").write_bytes(b"left over from an earlier run")
        folder = prepare_multiprocess(tmp_path, workers=2)
        assert folder == tmp_path / "prometheus" and os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder)
        assert not list(folder.iterdir())  # emptied
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        text = subprocess.run([sys.executable, "-c", MULTIPROCESS], env=env, check=True, timeout=60,
                              capture_output=True, text=True).stdout
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if env_before is not None:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = env_before
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert value(samples, "gridgov_job_duration_seconds_count", job="sweep", outcome="ok") == 2
    assert value(samples, "gridgov_job_last_success_timestamp_seconds", job="sweep") == 200
    assert value(samples, "gridgov_metrics_database_up") == 0  # no database in that process: said, not raised
    assert prepare_multiprocess(tmp_path, workers=1) is None


def test_gridgov_serve_logs_json_lines_and_no_uvicorn_access_line(tmp_path):
    """``GRIDGOV_LOG_FORMAT=json gridgov serve``: every line on stderr is one JSON object, uvicorn's
    own lines included; the access line is ours (route template, no query string)."""
    import secrets
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "GRIDGOV_LOG_FORMAT": "json",
           "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(48), "GRIDGOV_VAR_DIR": str(tmp_path),
           "GRIDGOV_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "GRIDGOV_SWEEP_INTERVAL_SECONDS": "0",
           "GRIDGOV_WEBHOOK_INTERVAL_SECONDS": "0"}
    env.pop("GRIDGOV_DEMO", None)
    proc = subprocess.Popen([sys.executable, "-c", "from gridgov.cli import app; app()", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 45
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health?phone={PHONE}", timeout=2) as r:
                    assert r.headers["x-request-id"]
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "gridgov serve 未能启动"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as r:  # loopback: allowed by default
            assert b'route="/api/v1/health"' in r.read()
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=20)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert PHONE not in err
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # uvicorn's lines, as JSON
    access = [line for line in lines if line["logger"] == "gridgov.access"]
    assert {line["route"] for line in access} == {"/api/v1/health", "/metrics"}
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
