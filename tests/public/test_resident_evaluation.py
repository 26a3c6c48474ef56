"""A resident's evaluation of a case the agency closed without its word (issue 17): recorded through
the lifecycle's ``evaluate`` (the state stays), once; unsatisfied reopens within the profile's
reopen window and is only recorded past it (the answer says so); the result and its photos are
shown once the case is resolved, to whoever holds the code."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.models import Case, CaseLogEntry
from gridgov.models.messages import OutboundMessage
from gridgov.public import report_api

from .resident import inside, png, report


@pytest.fixture
def places(db):
    return demo_places(db, "321100000000")


def _closed_by_the_agency(anonymous, client_as, app, db, places, *, photo: bool = False):
    got = report(anonymous, app, inside(db, places.grid), db=db).json()
    no = got["case_no"]
    worker, town = client_as("worker"), client_as("town_dispatcher")
    photos = []
    if photo:
        up = town.post("/api/v1/case-photos", files={"file": ("a.png", png(), "image/png")})
        assert up.status_code == 201, up.text
        photos = [up.json()["sha256"]]
    for client, action, body in ((worker, "verify", {}), (worker, "escalate", {}), (town, "accept", {}),
                                 (town, "solve", {"result": "已协调供电所修复路灯", "photos": photos}),
                                 (town, "feedback", {"evaluation": "satisfied", "note": "电话回访"})):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, r.text
    return no, got["tracking_code"], photos


@pytest.mark.req("D6")
@pytest.mark.setting("cases.limits.reopen_days")
def test_a_closed_case_takes_the_residents_word_once_and_unsatisfied_past_the_window_does_not_reopen(
        anonymous, client_as, app, db, places, monkeypatch):
    no, code, photos = _closed_by_the_agency(anonymous, client_as, app, db, places, photo=True)
    seen = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).json()
    assert seen["state"] == "closed" and seen["may_evaluate"] is True
    assert seen["result"] == "已协调供电所修复路灯" and seen["evaluation_label"] == "满意"
    assert [p["sha256"] for p in seen["result_photos"]] == photos
    url = seen["result_photos"][0]["url"]
    assert anonymous.get(url, params={"code": code}).headers["content-type"] == "image/png"
    assert anonymous.get(url, params={"code": "WRONG-CODE"}).status_code == 404

    days = app.state.profile.cases.limits.reopen_days
    closed_at = db.scalar(select(Case.closed_at).where(Case.case_no == no))
    late = closed_at.astimezone(UTC) + timedelta(days=days, minutes=1)
    monkeypatch.setattr(report_api, "utc_now", lambda: late)
    r = anonymous.post(f"/api/v1/public/cases/{no}/evaluation",
                       json={"code": code, "evaluation": "unsatisfied", "comment": "灯又坏了"})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["reopened"] is False and answer["state"] == "closed" and "期限" in answer["message"]
    case = db.scalar(select(Case).where(Case.case_no == no))
    db.refresh(case)
    assert case.evaluation == "unsatisfied" and case.state == "closed"
    last = db.scalar(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq.desc()))
    assert (last.action, last.role, last.actor_id, last.data["previous_evaluation"]) == (
        "evaluate", "public", None, "satisfied")
    told = db.scalars(select(OutboundMessage.template).where(OutboundMessage.case_id == case.id)).all()
    assert told.count("closed") == 1  # the agency's closure; the resident's own word tells it nothing
    again = anonymous.post(f"/api/v1/public/cases/{no}/evaluation", json={"code": code, "evaluation": "satisfied"})
    assert again.status_code == 409 and "重复" in again.json()["detail"]
    assert anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).json()["may_evaluate"] is False


@pytest.mark.req("D6")
def test_unsatisfied_within_the_window_reopens_a_case_the_agency_closed(anonymous, client_as, app, db, places):
    no, code, _ = _closed_by_the_agency(anonymous, client_as, app, db, places)
    # the resident may say it in Chinese as the page does (满意/基本满意/不满意)
    r = anonymous.post(f"/api/v1/public/cases/{no}/evaluation", json={"code": code, "evaluation": "不满意"})
    assert r.status_code == 200, r.text
    assert r.json()["evaluation"] == "unsatisfied" and r.json()["reopened"] is True
    assert r.json()["state"] == "accepted"  # no lead department: the agency
    steps = [s["label"] for s in anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).json()["timeline"]]
    assert steps[-2:] == ["提出人已评价", "已重新办理"]


def test_an_open_case_cannot_be_evaluated_yet(anonymous, app, db, places):
    got = report(anonymous, app, inside(db, places.grid), db=db).json()
    r = anonymous.post(f"/api/v1/public/cases/{got['case_no']}/evaluation",
                       json={"code": got["tracking_code"], "evaluation": "satisfied"})
    assert r.status_code == 409 and "办结后才能评价" in r.json()["detail"]

