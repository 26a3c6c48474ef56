"""The register of mediation bodies (ZJ§17, issue 18) through its pages and API: the town's dispatcher
registers a body of its town (a bad area refused in Chinese, nothing written), links a mediator's account,
unlinks it; the case page offers only the active bodies serving the case's place; every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gridgov.models import AuditEntry, User
from gridgov.models.mediation import MediationBody

from .mediation_data import accepted_case, demo_body, places_of

pytestmark = pytest.mark.req("F3")
HTML = {"accept": "text/html"}


def test_the_town_keeps_its_register_and_the_case_page_offers_its_bodies(client_as, db):
    places = places_of(db)
    town = client_as("town_dispatcher")
    page = town.get("/cogovernance/mediation/bodies", headers=HTML)
    assert page.status_code == 200 and demo_body(db, places).name in page.text and "钱调解员（mediator）" in page.text
    before = db.scalar(select(func.count(MediationBody.id)))
    bad = town.post("/cogovernance/mediation/bodies", headers=HTML, follow_redirects=False,
                    data={"name": "某调解站", "kind": "station", "area_code": places.town2})
    assert bad.status_code == 404 and db.scalar(select(func.count(MediationBody.id))) == before  # another county
    bad = town.post("/api/v1/cogovernance/mediation/bodies", json={"name": "某调解站", "kind": "court",
                                                                  "area_code": places.town})
    assert bad.status_code == 422 and "调解组织类别应为" in bad.json()["detail"]
    r = town.post("/cogovernance/mediation/bodies", headers=HTML, follow_redirects=False,
                  data={"name": "高河街道矛盾纠纷调处化解中心", "kind": "centre", "area_code": places.town,
                        "phone": "0511-80001111"})
    assert r.status_code == 303
    body = db.scalar(select(MediationBody).where(MediationBody.name == "高河街道矛盾纠纷调处化解中心"))
    mediator = db.scalar(select(User.id).where(User.username == "mediator"))
    r = town.post(f"/cogovernance/mediation/bodies/{body.id}/members", headers=HTML, follow_redirects=False,
                  data={"user_id": str(mediator)})
    assert r.status_code == 303
    again = town.post(f"/api/v1/cogovernance/mediation/bodies/{body.id}/members", json={"user_id": mediator})
    assert again.status_code == 409
    worker = db.scalar(select(User.id).where(User.username == "worker"))
    assert town.post(f"/api/v1/cogovernance/mediation/bodies/{body.id}/members",
                     json={"user_id": worker}).status_code == 422  # not a mediator's account
    read = town.get(f"/api/v1/cogovernance/mediation/bodies/{body.id}").json()
    assert [m["username"] for m in read["members"]] == ["mediator"] and read["kind_label"] == "矛盾纠纷调处化解中心"

    c = {u: client_as(u) for u in ("worker", "town_dispatcher")}
    no = accepted_case(c, places)
    form = town.get(f"/cases/{no}", headers=HTML).text.split('id="act-mediate"')[1].split("</form>")[0]
    assert body.name in form and demo_body(db, places).name in form
    assert town.patch(f"/api/v1/cogovernance/mediation/bodies/{body.id}", json={"active": False}).status_code == 200
    form = town.get(f"/cases/{no}", headers=HTML).text.split('id="act-mediate"')[1].split("</form>")[0]
    assert body.name not in form  # a body no longer active is not offered
    r = town.delete(f"/api/v1/cogovernance/mediation/bodies/{body.id}/members/{mediator}")
    assert r.status_code == 200 and r.json()["members"] == []
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "mediation_body",
                                                             AuditEntry.object_id == str(body.id))))
    assert actions == {"mediation_body_created", "mediation_member_added", "mediation_body_updated",
                       "mediation_member_removed"}
