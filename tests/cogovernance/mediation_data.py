"""Shared steps of the mediation tests (ZJ§17, issue 18): a dispute reported by the demo worker and accepted
by the demo town, and a second mediator at a second body of the same town."""

from __future__ import annotations

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import utc_now
from gridgov.models import User
from gridgov.models.mediation import MediationBody, MediationMember

CITY = "321100000000"
PARTIES = {"party1_name": "张三丰", "party1_phone": "13812345678", "party1_id_number": "320102199001011234",
           "party2_name": "李四光", "party2_phone": "0511-84441234"}
PLAIN = ("张三丰", "13812345678", "320102199001011234", "李四光", "0511-84441234", "84441234")


def accepted_case(c: dict, places, *, type_code: str = "0601", category: str = "zj12_03") -> str:
    """A case reported by ``worker``, escalated and accepted by ``town_dispatcher``."""
    body = {"title": "邻里因漏水发生纠纷", "category": category, "type": type_code, "source": "patrol",
            "grid_code": places.grid, "address": "解放路 12 号"}
    r = c["worker"].post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    for who, action in (("worker", "escalate"), ("town_dispatcher", "accept")):
        r = c[who].post(f"/api/v1/cases/{no}/actions/{action}", json={})
        assert r.status_code == 200, (action, r.text)
    return no


def demo_body(db, places) -> MediationBody:
    return db.scalar(select(MediationBody).where(MediationBody.area_code == places.town))


def second_mediator(db, places) -> MediationBody:
    """Another body of the demo town with its own mediator ``mediator2`` (the demo mediator's password)."""
    now = utc_now()
    first = db.scalar(select(User).where(User.username == "mediator"))
    other = User(username="mediator2", display_name="孙调解员", password_hash=first.password_hash, role="mediator",
                 scope_code=places.town, is_active=True, created_at=now, updated_at=now)
    body = MediationBody(name="演示街道调解站", kind="station", area_code=places.town, phone="", active=True,
                         created_at=now, updated_at=now)
    db.add_all([other, body])
    db.flush()
    db.add(MediationMember(body_id=body.id, user_id=other.id, added_at=now))
    db.commit()
    return body


def places_of(db):
    return demo_places(db, CITY)
