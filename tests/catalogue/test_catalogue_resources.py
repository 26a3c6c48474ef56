"""Resources sent with a matter (C6: ZJ§8 力量、资源、经费下沉到网格, JS§10, QZ§8 人员、经费、业务指导和
技能培训): an admission records what the department sends; once admitted the public list shows it;
a change may update it; bad input is a Chinese 422 that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.models import CatalogueApplication, Matter

from . import test_catalogue_api as api
from .test_catalogue_api import body, county_list, ensure

account = api.account
"""The fixture of test_catalogue_api: ``account(username, role, scope)`` makes an account and a client."""


@pytest.fixture
def places(db):
    return demo_places(db, api.CITY)

HTML = {"Accept": "text/html"}
SENT = {"people": "区城管执法中队派 2 名队员每周进网格", "funds": "每个网格每年巡查经费 2000 元",
        "guidance": "区城管局明确巡查标准并每季度指导", "training": "上岗前培训半天"}


def admit(db, anonymous, client_as, account, county: str, name: str, resources) -> dict:
    ensure(db, "zhenjiang", county)
    cat = county_list(anonymous, county)
    r = client_as("dept_cg").post("/api/v1/catalogue/applications", json=body(cat["id"], name, resources=resources))
    assert r.status_code == 201, r.text
    agency = account("res_county_admin", "agency_admin", county)
    app_id = r.json()["id"]
    assert agency.post(f"/api/v1/catalogue/applications/{app_id}/review", json={"note": "可"}).status_code == 200
    r = agency.post(f"/api/v1/catalogue/applications/{app_id}/approve", json={"document": "区委办〔2026〕9号"})
    assert r.status_code == 200, r.text
    return {"list": cat, "code": r.json()["matter_code"], "agency": agency}


@pytest.mark.req("C6")
def test_an_admitted_matter_carries_the_resources_its_department_sends_onto_the_public_list(
        app, db, places, anonymous, client_as, account):
    done = admit(db, anonymous, client_as, account, places.county, "门店油烟巡查",
                 {**SENT, "people": "  " + SENT["people"] + "  "})
    matter = db.scalar(select(Matter).where(Matter.code == done["code"]))
    assert matter.resources == SENT
    listed = {m["code"]: m for m in county_list(anonymous, places.county)["matters"]}
    assert listed[done["code"]]["resources"] == SENT
    html = anonymous.get(f"/catalogue/{places.county}", headers=HTML).text
    row = html.split(f'data-code="{done["code"]}"', 1)[1].split("</tr>", 1)[0]
    for label, key in (("人员力量", "people"), ("经费", "funds"), ("业务指导", "guidance"), ("技能培训", "training")):
        assert f"{label}：{SENT[key]}" in row

    # a change updates them (and the version comparison names the field)
    cat = done["list"]
    r = client_as("dept_cg").post("/api/v1/catalogue/applications", json={
        "kind": "change", "list_id": cat["id"], "matter_id": matter.id, "reason": "经费调整",
        "matter": {"resources": {**SENT, "funds": "每个网格每年 3000 元"}}})
    assert r.status_code == 201, r.text
    agency = done["agency"]
    agency.post(f"/api/v1/catalogue/applications/{r.json()['id']}/review", json={"note": "可"})
    r = agency.post(f"/api/v1/catalogue/applications/{r.json()['id']}/approve", json={"document": "区委办〔2026〕10号"})
    assert r.status_code == 200, r.text
    db.refresh(matter)
    assert matter.resources["funds"] == "每个网格每年 3000 元"


@pytest.mark.req("C6")
def test_a_matter_sent_without_resources_says_so_on_the_public_list(app, db, places, anonymous, client_as,
                                                                     account):
    done = admit(db, anonymous, client_as, account, places.county, "沿街晾晒劝导", None)
    assert db.scalar(select(Matter.resources).where(Matter.code == done["code"])) is None
    html = anonymous.get(f"/catalogue/{places.county}", headers=HTML).text
    assert "部门未填写" in html.split(f'data-code="{done["code"]}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.req("C6")
@pytest.mark.parametrize("resources, message", [
    ({"funds": "元" * 501}, "经费不能超过 500 字"),
    ({"housing": "一间办公室"}, "matter.resources.housing取值无效"),
    ({"people": 3}, "matter.resources.people取值无效"),
])
def test_bad_resources_are_refused_and_nothing_is_written(db, places, anonymous, client_as, resources, message):
    ensure(db, "zhenjiang", places.county)
    cat = county_list(anonymous, places.county)
    before = db.scalar(select(func.count()).select_from(CatalogueApplication))
    r = client_as("dept_cg").post("/api/v1/catalogue/applications",
                                  json=body(cat["id"], "资源有误的事项", resources=resources))
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"]
    assert db.scalar(select(func.count()).select_from(CatalogueApplication)) == before
