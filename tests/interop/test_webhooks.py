"""Webhooks end to end on both databases: a client subscribes, the case's changes are delivered
signed to a receiver on loopback, a failed try is retried with backoff (``now`` injected, no
sleeping), 24 hours of failures end ``failed`` and flagged, only the cases the client may see are
delivered; the department client's own actions come back to it as events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from gridgov.kit.clock import utc_now
from gridgov.models import Case
from gridgov.models.interop import ApiClient
from gridgov.models.webhooks import WebhookDelivery

from .webhook_data import SECRET, act, as_client, deliver, delivery_states, places, report, subscribe, user


@pytest.fixture
def hook_app(app, receiver):
    """The test app, its webhooks allowed to reach the receiver on loopback."""
    app.state.settings = app.state.settings.model_copy(update={"webhook_targets": "any"})
    receiver.clear()
    return app


def _dept_client(hook_app, db, api_client, department_user: str = "dept_cg"):
    p = places(db)
    _, key = api_client("department", p.county, user(db, department_user).department_code)
    return as_client(hook_app, key)


def _accepted(hook_app, db, now) -> str:
    """A worker's case, escalated and accepted by the town (not yet any department's)."""
    no = report(hook_app, db, places(db).grid, now)
    act(hook_app, db, "worker", no, "escalate", now)
    act(hook_app, db, "town_dispatcher", no, "accept", now)
    return no


@pytest.mark.req("E2")
def test_a_department_system_is_told_of_the_dispatch_signs_and_handles_and_hears_of_both(
        hook_app, db, api_client, receiver):
    dept = _dept_client(hook_app, db, api_client)
    hook = subscribe(dept, receiver.url)
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(hook_app, db, now)
    deliver(hook_app, now)
    assert receiver.got == []  # not its case yet: nothing, and never later for these changes

    act(hook_app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)
    deliver(hook_app, now)
    [dispatched] = receiver.got
    assert dispatched.signed_by(SECRET) and not dispatched.signed_by(SECRET + "x")
    body = dispatched.json
    assert (body["case_no"], body["action"], body["state"], body["webhook_id"]) == (no, "dispatch", "dispatched", hook)
    assert dispatched.headers["x-gridgov-event-id"] == body["event_id"]
    assert dispatched.headers["content-type"].startswith("application/json")

    for action, payload in (("sign", {}), ("handle", {"result": "已清理占道摊点"})):
        r = dept.post(f"/api/v1/cases/{no}/actions/{action}", json=payload)
        assert r.status_code == 200, r.text
    deliver(hook_app, utc_now() + timedelta(seconds=2))
    assert receiver.events()[1:] == [(no, "sign"), (no, "handle")]
    assert all(r.signed_by(SECRET) for r in receiver.got)
    assert len({r.json["event_id"] for r in receiver.got}) == 3


def test_a_500_is_tried_again_after_the_backoff_and_then_delivered(hook_app, db, api_client, receiver):
    dept = _dept_client(hook_app, db, api_client)
    hook = subscribe(dept, receiver.url, events=["dispatch"])
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(hook_app, db, now)
    act(hook_app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)

    receiver.answer(500)
    deliver(hook_app, now)
    assert delivery_states(db, no) == ["pending"] and len(receiver.got) == 1
    deliver(hook_app, now + timedelta(seconds=20))  # the backoff (30 s) has not passed: nothing sent
    assert len(receiver.got) == 1
    deliver(hook_app, now + timedelta(seconds=31))
    assert delivery_states(db, no) == ["delivered"] and len(receiver.got) == 2
    first, second = receiver.got
    assert first.body == second.body and first.signed_by(SECRET) and second.signed_by(SECRET)
    assert (first.headers["x-gridgov-attempt"], second.headers["x-gridgov-attempt"]) == ("1", "2")

    r = dept.get(f"/api/v1/webhooks/{hook}/deliveries")
    assert r.status_code == 200, r.text
    [delivery] = r.json()["items"]
    assert (delivery["case_no"], delivery["action"], delivery["status"], delivery["attempts"]) == (
        no, "dispatch", "delivered", 2)
    assert [t["status_code"] for t in delivery["tries"]] == [500, 200]
    deliver(hook_app, now + timedelta(hours=1))
    assert len(receiver.got) == 2  # delivered once: never again


def test_after_24_hours_of_failures_the_delivery_is_failed_shown_to_the_agency_and_the_case_flagged(
        hook_app, db, api_client, receiver, client_as):
    dept = _dept_client(hook_app, db, api_client)
    subscribe(dept, receiver.url, events=["dispatch"])
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(hook_app, db, now)
    act(hook_app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)
    admin = client_as("city_admin")
    assert "webhook-failed" not in admin.get(f"/cases/{no}").text

    receiver.answer(*[500] * 40)
    hours = 0
    while hours < 24:
        deliver(hook_app, now + timedelta(hours=hours))
        assert delivery_states(db, no) == ["pending"], hours  # never failed before the window ends
        hours += 1
    deliver(hook_app, now + timedelta(hours=24))
    assert delivery_states(db, no) == ["failed"]
    assert len(receiver.got) == 25  # one try an hour here (the backoff is shorter), the last at 24 h
    deliver(hook_app, now + timedelta(hours=30))
    assert len(receiver.got) == 25  # failed is final

    page = admin.get(f"/cases/{no}")
    assert 'id="webhook-failed"' in page.text and "/webhooks/failed" in page.text
    listed = admin.get("/webhooks/failed")
    assert listed.status_code == 200 and f'data-case="{no}"' in listed.text and "HTTP 500" in listed.text
    town = client_as("town_dispatcher")  # sees the case and its flag, not the agency admin's page
    assert 'id="webhook-failed"' in town.get(f"/cases/{no}").text
    assert town.get("/webhooks/failed").status_code == 403


@pytest.mark.req("D6")
def test_only_the_cases_a_client_may_see_are_delivered(hook_app, db, api_client, receiver):
    p = places(db)
    hotline_id, hotline_key = api_client("hotline", p.county)
    hotline = as_client(hook_app, hotline_key)
    subscribe(hotline, receiver.url, events=["create", "escalate"])
    other = _dept_client(hook_app, db, api_client, "dept_sc")  # a department the case never reaches
    subscribe(other, receiver.url)
    now = utc_now() + timedelta(seconds=1)
    its_own = report(hook_app, db, p.grid, now)
    not_its = report(hook_app, db, p.grid, now)
    hotline_user = db.get(ApiClient, hotline_id).user_id
    db.execute(update(Case).where(Case.case_no == its_own).values(created_by=hotline_user))  # the hotline's case
    for no in (its_own, not_its):
        act(hook_app, db, "worker", no, "escalate", now)
    deliver(hook_app, now)
    assert sorted(receiver.events()) == [(its_own, "create"), (its_own, "escalate")]


def test_a_deleted_subscription_gets_nothing_more(hook_app, db, api_client, receiver):
    dept = _dept_client(hook_app, db, api_client)
    hook = subscribe(dept, receiver.url, events=["dispatch", "sign"])
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(hook_app, db, now)
    act(hook_app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)
    receiver.answer(500)
    deliver(hook_app, now)
    assert dept.delete(f"/api/v1/webhooks/{hook}").status_code == 204
    act(hook_app, db, "dept_cg", no, "sign", now)
    deliver(hook_app, now + timedelta(minutes=5))
    assert receiver.events() == [(no, "dispatch")]  # the one try before; neither a retry nor the sign
    assert delivery_states(db, no) == ["dropped"]
    assert dept.get(f"/api/v1/webhooks/{hook}").status_code == 404


def test_the_periodic_jobs_deliver_too_under_the_deployments_target_policy(app, db, api_client, receiver):
    """``gridgov jobs`` (and serve's loop) run the webhooks job; GRIDGOV_WEBHOOK_TARGETS decides where it
    may post: under the default (``private``) the receiver on loopback is refused, and that try is a failure."""
    from gridgov import jobs

    receiver.clear()
    hook_settings = app.state.settings.model_copy(update={"webhook_targets": "any"})
    app.state.settings = hook_settings
    dept = _dept_client(app, db, api_client)
    subscribe(dept, receiver.url, events=["dispatch"])
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(app, db, now)
    act(app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)

    private = hook_settings.model_copy(update={"webhook_targets": "private"})
    done = dict(jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=now, cipher=app.state.cipher,
                                   settings=private))
    assert "webhooks" in done and receiver.got == []
    db.expire_all()
    [delivery] = db.scalars(select(WebhookDelivery)).all()
    assert (delivery.status, delivery.attempts) == ("pending", 1) and "本机" in delivery.last_error

    jobs.run_jobs_once(app.state.sessionmaker, app.state.profile, now=now + timedelta(minutes=1),
                       cipher=app.state.cipher, settings=hook_settings)
    assert receiver.events() == [(no, "dispatch")] and delivery_states(db, no) == ["delivered"]


def test_a_revoked_client_is_told_nothing_more(hook_app, db, api_client, receiver):
    from gridgov.interop.clients import revoke_client

    p = places(db)
    client_id, key = api_client("department", p.county, user(db, "dept_cg").department_code)
    dept = as_client(hook_app, key)
    subscribe(dept, receiver.url, events=["dispatch", "sign"])
    now = utc_now() + timedelta(seconds=1)
    no = _accepted(hook_app, db, now)
    act(hook_app, db, "town_dispatcher", no, "dispatch", now, lead_department=user(db, "dept_cg").department_code)
    receiver.answer(500)
    deliver(hook_app, now)
    revoke_client(db, str(client_id), now=now)
    db.flush()
    act(hook_app, db, "dept_cg", no, "sign", now)
    deliver(hook_app, now + timedelta(minutes=5))
    assert receiver.events() == [(no, "dispatch")]  # neither the retry nor the sign
    assert delivery_states(db, no) == ["dropped"]
