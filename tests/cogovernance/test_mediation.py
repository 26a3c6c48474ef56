"""Mediation of disputes (ZJ§17, requirement F3, issue 18), through the API on both databases: a dispute goes
to the demo town's mediation committee, its mediator records a session and an agreement, the case closes
with every step in its hash-chained file; a failure returns the case to the agency with the next route; a
case that is no dispute gets 409; a mediator of another body sees nothing (404); the parties are sealed at
rest, masked in the lists and the file, and shown in full only by an audited reveal."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from gridgov.cases import service
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, Case, CaseClock, CaseLogEntry, Notification, User
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.mediation import Mediation, MediationParty

from .mediation_data import PARTIES, PLAIN, accepted_case, demo_body, places_of, second_mediator

pytestmark = pytest.mark.req("F3")


@pytest.fixture
def c(client_as):
    return {u: client_as(u) for u in ("worker", "town_dispatcher", "mediator")}


def _act(client, no: str, action: str, status: int = 200, **body):
    r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
    assert r.status_code == status, (action, r.text)
    return r.json()


def test_an_agreement_closes_the_dispute_with_every_step_in_its_file(c, db):
    places = places_of(db)
    body = demo_body(db, places)
    no = accepted_case(c, places)
    assert "mediate" in c["town_dispatcher"].get(f"/api/v1/cases/{no}").json()["available_actions"]
    assert c["mediator"].get(f"/api/v1/cases/{no}").status_code == 404  # not passed to its body yet

    bad = c["town_dispatcher"].post(f"/api/v1/cases/{no}/actions/mediate",
                                    json={**PARTIES, "body": body.id, "party1_id_number": "12345"})
    assert bad.status_code == 422 and "身份证" in bad.json()["detail"] and "12345" not in bad.text
    assert _act(c["town_dispatcher"], no, "mediate", body=body.id, **PARTIES)["state"] == "mediating"
    told = db.scalars(select(Notification.kind).join(User, User.id == Notification.user_id)
                      .join(Case, Case.id == Notification.case_id)
                      .where(User.username == "mediator", Case.case_no == no)).all()
    assert told == ["mediate"]  # the body's mediator is told it has a dispute to mediate
    read = c["mediator"].get(f"/api/v1/cases/{no}").json()
    assert set(read["available_actions"]) >= {"record_mediation", "settle", "mediation_failed"}
    assert "settle" not in c["town_dispatcher"].get(f"/api/v1/cases/{no}").json()["available_actions"]
    today = local(utc_now()).date().isoformat()
    _act(c["mediator"], no, "record_mediation", held_on=today, place="社区调解室", note="双方陈述，约定修复管道")
    _act(c["town_dispatcher"], no, "settle", status=403, agreement="由楼上住户修复")  # only the body's mediator
    _act(c["mediator"], no, "settle", status=422, agreement="由楼上住户修复", agreed_on="2999-01-01")
    _act(c["mediator"], no, "record_mediation", status=422, held_on="2999-01-01", place="x", note="y")
    closed = _act(c["mediator"], no, "settle", agreement="由楼上住户负责修复管道并赔偿 500 元")
    assert closed["state"] == "closed"

    case = db.scalar(select(Case).where(Case.case_no == no))
    db.refresh(case)
    assert service.file_problems(db, case) == []  # the hash chain holds (gridgov cases verify-log)
    log = db.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq)).all()
    steps = [e.action for e in log]
    assert steps[-3:] == ["mediate", "record_mediation", "settle"]
    mediate = log[-3]
    assert mediate.data["body"] == body.id
    assert mediate.data["parties"][0] == {"name": "张**", "phone": "138****5678", "id_number": "**************1234"}
    assert mediate.data["parties"][1]["phone"] == "0511-******34"
    assert log[-1].note.startswith("由楼上住户负责修复")
    dumped = json.dumps([[e.note, e.data] for e in log], ensure_ascii=False)
    assert not any(p in dumped for p in PLAIN)

    mediation = db.scalar(select(Mediation).where(Mediation.case_id == case.id))
    assert (mediation.status, mediation.agreed_on.isoformat()) == ("settled", today)
    parties = db.scalars(select(MediationParty).where(MediationParty.mediation_id == mediation.id)).all()
    assert all(b"13812345678" not in (p.phone_enc or b"") and "张三丰".encode() not in p.name_enc for p in parties)
    line = db.scalar(select(CogovActivity).where(CogovActivity.ref_type == "mediation",
                                                 CogovActivity.ref_id == mediation.id))
    passed_on = local(mediation.passed_at).date()
    assert (line.kind, line.area_code, line.occurred_on) == ("mediation", places.grid, passed_on)

    # the mediator's list and one mediation: parties masked; the full view only with a reason, audited
    listed = c["mediator"].get("/api/v1/cogovernance/mediations").json()
    assert [m["case_no"] for m in listed["items"]] == [no]
    assert listed["items"][0]["parties"][0]["name"] == "张**" and not any(p in json.dumps(listed, ensure_ascii=False)
                                                                         for p in PLAIN)
    one = c["mediator"].get(f"/api/v1/cogovernance/mediations/{mediation.id}").json()
    assert one["sessions"][0]["place"] == "社区调解室" and one["agreement"].startswith("由楼上住户")
    r = c["mediator"].post(f"/api/v1/cogovernance/mediations/{mediation.id}/reveal", json={"reason": "13812345678"})
    assert r.status_code == 422
    r = c["mediator"].post(f"/api/v1/cogovernance/mediations/{mediation.id}/reveal", json={"reason": "联系当事人回访"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["parties"][0] == {"seq": 1, "name": "张三丰", "phone": "13812345678",
                                      "id_number": "320102199001011234"}
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "mediation_parties_revealed"))
    assert entry.object_id == str(mediation.id) and "联系当事人回访" in entry.detail
    assert not any(p in json.dumps([entry.detail, entry.after], ensure_ascii=False) for p in PLAIN)


def test_a_failure_returns_the_case_to_the_agency_with_the_next_route(c, db):
    places = places_of(db)
    no = accepted_case(c, places, type_code="0604")
    _act(c["town_dispatcher"], no, "mediate", body=demo_body(db, places).id, **PARTIES)
    bad = c["mediator"].post(f"/api/v1/cases/{no}/actions/mediation_failed",
                             json={"next_route": "court", "reason": "x"})
    assert bad.status_code == 422
    back = _act(c["mediator"], no, "mediation_failed", next_route="litigation", reason="一方坚持起诉")
    assert back["state"] == "accepted" and "dispatch" in \
        c["town_dispatcher"].get(f"/api/v1/cases/{no}").json()["available_actions"]
    mediation = db.scalar(select(Mediation).join(Case, Case.id == Mediation.case_id).where(Case.case_no == no))
    assert (mediation.status, mediation.next_route) == ("failed", "litigation")
    assert mediation.failure_reason == "一方坚持起诉"
    clock = db.scalar(select(CaseClock).where(CaseClock.case_id == mediation.case_id, CaseClock.kind == "dispatch"))
    assert clock.stopped_at is None and clock.started_at >= mediation.ended_at  # a fresh dispatch period
    # the mediator's part is over: it still sees the case (mediated at its body), may add a note, no more
    assert set(c["mediator"].get(f"/api/v1/cases/{no}").json()["available_actions"]) <= {"comment", "attach"}
    _act(c["mediator"], no, "settle", status=409, agreement="晚了")
    log = c["town_dispatcher"].get(f"/api/v1/cases/{no}/log").json()
    assert log[-1]["action"] == "mediation_failed" and log[-1]["data"]["next_route_label"] == "诉讼"


def test_no_dispute_no_mediation_and_another_body_sees_nothing(c, db, client_as):
    places = places_of(db)
    body = demo_body(db, places)
    plain = accepted_case(c, places, type_code="0101", category="zj12_02")
    r = c["town_dispatcher"].post(f"/api/v1/cases/{plain}/actions/mediate", json={**PARTIES, "body": body.id})
    assert r.status_code == 409 and r.json()["detail"] == "只有矛盾纠纷类事件才能移交调解"

    other = second_mediator(db, places)
    no = accepted_case(c, places)
    _act(c["town_dispatcher"], no, "mediate", body=body.id, **PARTIES)
    m2 = client_as("mediator2")
    assert m2.get(f"/api/v1/cases/{no}").status_code == 404
    assert m2.post(f"/api/v1/cases/{no}/actions/settle", json={"agreement": "越权"}).status_code == 404
    assert m2.get("/api/v1/cogovernance/mediations").json()["total"] == 0
    mid = db.scalar(select(Mediation.id).join(Case, Case.id == Mediation.case_id).where(Case.case_no == no))
    assert m2.get(f"/api/v1/cogovernance/mediations/{mid}").status_code == 404
    assert m2.post(f"/api/v1/cogovernance/mediations/{mid}/reveal", json={"reason": "看看"}).status_code == 404
    # a body that does not serve the case's place, or a stranger's id, is refused and changes nothing
    far = client_as("town_dispatcher").post(f"/api/v1/cases/{plain}/actions/classify", json={"type": "0601"})
    assert far.status_code == 200
    r = c["town_dispatcher"].post(f"/api/v1/cases/{plain}/actions/mediate", json={**PARTIES, "body": 999999})
    assert r.status_code == 422
    assert c["town_dispatcher"].get(f"/api/v1/cases/{plain}").json()["state"] == "accepted"
    # the other body can take it: passed there, its mediator acts and ours no longer sees it
    _act(c["town_dispatcher"], plain, "mediate", body=other.id, **PARTIES)
    assert "settle" in m2.get(f"/api/v1/cases/{plain}").json()["available_actions"]
    assert c["mediator"].get(f"/api/v1/cases/{plain}").status_code == 404
