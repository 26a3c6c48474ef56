"""A case in mediation everywhere else a case's state shows (issue 18): the resident who reported the dispute
follows it (调解中, then closed by the agreement) without seeing the parties or the agreement; Open311 reads
it as open; the agency's dispatch queue and dispatch clock leave it while the body mediates (a failure gives
the agency a fresh dispatch period: tests/cogovernance/test_mediation.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from gridgov.interop.open311 import status_notes, status_of
from gridgov.kit.clock import local, utc_now
from gridgov.models import Case, CaseClock

from ..public.resident import inside, report
from .mediation_data import PARTIES, PLAIN, demo_body, places_of

pytestmark = pytest.mark.req("F3")


def test_the_reporter_follows_the_mediation_and_the_parties_stay_hidden(anonymous, client_as, app, db):
    places = places_of(db)
    got = report(anonymous, app, inside(db, places.grid), db=db, type="0601",
                 description="楼上漏水，邻居之间发生争执").json()
    no, code = got["case_no"], got["tracking_code"]
    worker, town, mediator = client_as("worker"), client_as("town_dispatcher"), client_as("mediator")
    for client, action, body in ((worker, "verify", {}), (worker, "escalate", {}), (town, "accept", {}),
                                 (town, "mediate", {"body": demo_body(db, places).id, **PARTIES})):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    seen = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).json()
    assert seen["state_label"] == "调解中" and seen["timeline"][-1]["label"] == "已移交调解组织调解"
    assert (status_of("mediating"), status_notes("mediating")) == ("open", "事件调解中")
    inbox = town.get("/cases/inbox", headers={"accept": "text/html"}).text
    assert no not in inbox  # the body holds it now, not the agency's dispatch queue
    clock = db.scalar(select(CaseClock).join(Case, Case.id == CaseClock.case_id)
                      .where(Case.case_no == no, CaseClock.kind == "dispatch"))
    assert clock.stopped_at is not None  # the agency's dispatch period stops while the body mediates

    today = local(utc_now()).date().isoformat()
    for action, body in (("record_mediation", {"held_on": today, "place": "社区调解室", "note": "面对面调解"}),
                         ("settle", {"agreement": "张三丰赔偿李四光 800 元"})):
        r = mediator.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    seen = anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).json()
    assert seen["state_label"] == "已结案" and seen["timeline"][-1]["label"] == "调解达成协议，事件已结案"
    text = json.dumps(seen, ensure_ascii=False)
    assert "800" not in text and not any(p in text for p in PLAIN)
