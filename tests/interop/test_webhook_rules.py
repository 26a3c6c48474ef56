"""The rules of webhooks without a database: targets, events, the signature, the backoff and one
try against a local receiver."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest

from gridgov.errors import Invalid
from gridgov.interop import webhooks, webhooks_job
from gridgov.interop.webhooks import address_problem, body_of, check_events, check_url, sign


@pytest.mark.parametrize("url", ["ftp://10.0.0.5/x", "javascript:alert(1)", "http:///nohost",
                                 "https://user:pw@example.gov.cn/x", "http://example.gov.cn:0/x",
                                 "http://example.gov.cn:99999/x", "//example.gov.cn/x"])
def test_only_plain_http_and_https_targets_are_taken(url):
    with pytest.raises(Invalid):
        check_url(url, "private")


@pytest.mark.parametrize(("address", "public", "private", "any_"), [
    ("114.114.114.114", None, None, None),      # a public address: every policy
    ("10.1.2.3", "内网", None, None),            # a government intranet
    ("192.168.1.20", "内网", None, None),
    ("172.20.0.1", "内网", None, None),
    ("127.0.0.1", "本机", "本机", None),         # loopback: only "any" (tests, one machine)
    ("169.254.169.254", "本机", "本机", None),   # link-local: a cloud's metadata service
    ("::1", "本机", "本机", None),
    ("::ffff:127.0.0.1", "本机", "本机", None),  # v4-mapped loopback is loopback
    ("0.0.0.0", "本机", "本机", None),
])
def test_which_addresses_each_policy_lets_a_webhook_reach(address, public, private, any_):
    for policy, expected in (("public", public), ("private", private), ("any", any_)):
        problem = address_problem(address, policy)
        assert (problem is None) if expected is None else (expected in problem), (address, policy, problem)


def test_the_default_policy_takes_an_intranet_address_and_refuses_loopback():
    assert check_url("http://10.20.30.40:8080/gridgov", "private") == "http://10.20.30.40:8080/gridgov"
    assert check_url("https://dept.example.gov.cn/hook", "public")  # a name: checked when delivering
    for url in ("http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]/x"):
        with pytest.raises(Invalid, match="本机"):
            check_url(url, "private")


def test_events_are_actions_of_the_lifecycle_or_all():
    assert check_events(["sign", "dispatch", "sign"]) == ["dispatch", "sign"]
    assert check_events(["handle", "*"]) == ["*"]
    with pytest.raises(Invalid, match="未知的事件动作：nonsense"):
        check_events(["dispatch", "nonsense"])
    # the names other systems give: case.<action>, and every state change as all
    assert check_events(["case.dispatch", "case.created"]) == ["create", "dispatch"]
    assert check_events(["case.state_changed"]) == check_events(["case.*"]) == ["*"]
    with pytest.raises(Invalid, match="nonsense"):
        check_events(["case.nonsense"])


def test_the_signature_is_the_hmac_sha256_of_the_exact_body():
    body = '{"case_no":"A-1","state":"已分派"}'.encode()
    expected = hmac.new(b"s" * 20, body, hashlib.sha256).hexdigest()
    assert sign("s" * 20, body) == f"sha256={expected}"
    assert sign("s" * 20, body + b" ") != sign("s" * 20, body)


def _event(**changes):
    fields = {"event_id": "0f1e2d3c-0000-4000-8000-000000000001", "case_no": "321102000000-20261207-00001",
              "action": "dispatch", "seq": 4, "from_state": "accepted", "to_state": "dispatched",
              "at": datetime(2026, 12, 7, 2, 0, tzinfo=UTC)}
    return SimpleNamespace(**(fields | changes))


def test_the_body_names_the_event_and_the_state_and_nothing_personal():
    body = body_of(_event(), 7)
    assert body == body_of(_event(), 7)  # the same bytes on every try
    data = __import__("json").loads(body)
    assert data == {"event_id": "0f1e2d3c-0000-4000-8000-000000000001", "event": "dispatch", "webhook_id": 7,
                    "case_no": "321102000000-20261207-00001", "action": "dispatch", "seq": 4,
                    "from_state": "accepted", "state": "dispatched", "state_label": "已分派",
                    "at": "2026-12-07T10:00:00+08:00"}


def test_the_backoff_doubles_from_30_seconds_up_to_an_hour():
    waits = [webhooks_job.backoff(n) for n in range(1, 11)]
    assert waits[:4] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-1] == timedelta(hours=1) and max(waits) == timedelta(hours=1)


def test_one_try_posts_the_signed_body_and_reads_the_answer(receiver):
    receiver.clear()
    body = body_of(_event(), 1)
    item = webhooks_job.Outgoing(5, receiver.url, body, {"Content-Type": "application/json",
                                                         webhooks.SIGNATURE_HEADER: sign("k" * 16, body)})
    with httpx.Client(timeout=2, trust_env=False) as client:
        receiver.answer(503)
        refused = webhooks_job.post(item, policy="any", client=client)
        ok = webhooks_job.post(item, policy="any", client=client)
        blocked = webhooks_job.post(item, policy="private", client=client)  # loopback under the default
    assert (refused.status_code, refused.ok, refused.error) == (503, False, "HTTP 503")
    assert (ok.status_code, ok.ok) == (200, True)
    assert blocked.status_code is None and "本机" in blocked.error
    assert len(receiver.got) == 2 and all(r.signed_by("k" * 16) for r in receiver.got)
    assert not receiver.got[0].signed_by("x" * 16)


def test_a_closed_port_is_a_failed_try_not_an_error():
    item = webhooks_job.Outgoing(5, "http://127.0.0.1:9/hook", b"{}", {})
    with httpx.Client(timeout=1, trust_env=False) as client:
        answer = webhooks_job.post(item, policy="any", client=client)
    assert answer.status_code is None and answer.error.startswith("连接失败") and not answer.ok


def test_gridgov_serve_starts_the_delivery_worker_with_the_deployments_settings(tmp_path, monkeypatch):
    """``create_app(run_jobs=True)`` (what ``gridgov serve`` runs) starts the worker beside the jobs'
    loop, at GRIDGOV_WEBHOOK_INTERVAL_SECONDS under GRIDGOV_WEBHOOK_TARGETS; 0 starts none."""
    import asyncio

    from fastapi.testclient import TestClient

    from gridgov import app as app_module

    from ..conftest import make_settings

    started = []

    def worker(make_session, profile, cipher, settings):
        # recorded as the task is made, before it first runs
        started.append((settings.webhook_targets, settings.webhook_interval_seconds))
        return asyncio.Event().wait()  # the task: waits until the app stops it

    monkeypatch.setattr(app_module.jobs, "run_webhooks_forever", worker)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    for interval, expected in ((7, [("public", 7)]), (0, [])):
        started.clear()
        settings = make_settings(url, tmp_path, sweep_interval_seconds=0, webhook_interval_seconds=interval,
                                 webhook_targets="public")
        with TestClient(app_module.create_app(settings, run_jobs=True)):
            pass
        assert started == expected
