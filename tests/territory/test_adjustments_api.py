"""Grid adjustments through the JSON API and the pages: the full path of a split with three
agencies, the board-relevant grids table, the locator, and the refusals. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import Grid
from gridgov.models.territory import GridAdjustment

from .adjustment_data import places, split_plan, today


@pytest.fixture
def county_admin(app, db):
    """A county agency administrator (the demo has none): the one who approves."""
    p = places(db)
    create_user(db, SYSTEM, UserCreate(username="county_admin_t", display_name="区网格中心管理员",
                                       password="Adj-test-9931",
                                     role="agency_admin", scope_code=p.county, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": "county_admin_t", "password": "Adj-test-9931"})
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    yield c
    c.close()


def _body(p, plan, **over):
    body = {"kind": "split", "town_code": p.town, "trigger": "relocation", "reason": "拆迁安置后人口增加",
            "committee_opinion": "社区居委会同意拆分", "effective_on": str(today(utc_now())), "plan": plan}
    return {**body, **over}


@pytest.mark.req("A3")
def test_a_split_goes_from_proposal_to_effect_and_the_grids_and_locator_follow(client_as, county_admin, client, db):
    p = places(db)
    plan, (west, east), _w, east_geom = split_plan(db, p.grid)
    town = client_as("town_dispatcher")
    r = town.post("/api/v1/adjustments", json=_body(p, plan))
    assert r.status_code == 201, r.text
    adj = r.json()
    assert adj["status"] == "proposed" and adj["status_label"] == "待审批" and adj["new_codes"] == [west, east]
    assert adj["trigger_label"] == "大规模拆迁安置" and adj["requires_filing"] is True

    r = county_admin.post(f"/api/v1/adjustments/{adj['id']}/approve", json={"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"/api/v1/adjustments/{adj['id']}/file", json={"note": "备案"})
    assert r.status_code == 200 and r.json()["status"] == "effective"

    # The grids table the public board reads: the new grids in service, the old one retired.
    listed = {g["code"] for g in client.get("/api/v1/grids",
                                            params={"area": p.grid[:12], "page_size": 200}).json()["items"]}
    assert {west, east} <= listed and p.grid not in listed
    assert client.get(f"/api/v1/grids/{p.grid}").json()["status"] == "retired"
    point = shapely.point_on_surface(east_geom)
    r = client.get("/api/v1/grids/locate", params={"lon": point.x, "lat": point.y})
    assert r.json()["grid_code"] == east
    history = client.get(f"/api/v1/grids/{east}/history").json()
    assert [h["adjustment_id"] for h in history] == [adj["id"]]
    assert [a["id"] for a in town.get("/api/v1/adjustments", params={"status": "effective"}).json()] == [adj["id"]]
    assert town.get("/api/v1/adjustments", params={"status": "proposed"}).json() == []


def test_wrong_roles_are_403_and_another_county_is_404(client_as, county_admin, db):
    p = places(db)
    plan, *_ = split_plan(db, p.grid)
    assert client_as("worker").post("/api/v1/adjustments", json=_body(p, plan)).status_code == 403
    assert client_as("dept_cg").get("/api/v1/adjustments").status_code == 403
    r = client_as("city_admin").post("/api/v1/adjustments", json=_body(p, plan))
    assert r.status_code == 403 and "县(市、区)级或镇(街道)级网格化机构提出" in r.json()["detail"]
    adj = client_as("county_dispatcher").post("/api/v1/adjustments", json=_body(p, plan)).json()
    r = client_as("county_dispatcher").post(f"/api/v1/adjustments/{adj['id']}/approve", json={})
    assert r.status_code == 403  # a dispatcher may propose, not approve
    assert client_as("worker2").get(f"/api/v1/adjustments/{adj['id']}").status_code == 403
    # Someone of another county: the adjustment does not exist for them, nor does the town.
    plan2, *_ = split_plan(db, p.grid2)
    r = client_as("county_dispatcher").post("/api/v1/adjustments", json=_body(p, plan2, town_code=p.town2))
    assert r.status_code == 404
    assert client_as("county_dispatcher").get(f"/api/v1/adjustments/{adj['id'] + 1000}").status_code == 404
    r = county_admin.post(f"/api/v1/adjustments/{adj['id']}/reject", json={"note": ""})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    assert county_admin.post(f"/api/v1/adjustments/{adj['id']}/reject",
                             json={"note": "不合理"}).json()["status"] == "rejected"


def test_a_bad_plan_is_a_422_with_chinese_details_and_nothing_is_written(client_as, db):
    p = places(db)
    plan, *_ = split_plan(db, p.grid)
    plan["features"][1]["properties"]["kind"] = "dedicated"
    plan["features"][1]["properties"]["dedicated_type"] = "park"
    before = db.scalar(select(func.count()).select_from(GridAdjustment))
    r = client_as("town_dispatcher").post("/api/v1/adjustments", json=_body(p, plan, trigger="earthquake"))
    assert r.status_code == 422
    body = r.json()
    assert "未保存" in body["detail"]
    fields = {e["field"] for e in body["errors"]}
    assert {"trigger", "features[1]"} <= fields
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["reason"]) for e in body["errors"])
    r = client_as("town_dispatcher").post("/api/v1/adjustments", json=_body(p, plan, effective_on="明天"))
    assert r.status_code == 422 and "effective_on" in r.json()["detail"]
    assert db.scalar(select(func.count()).select_from(GridAdjustment)) == before
    assert db.get(Grid, p.grid).status == "active"


def test_the_pages_list_propose_and_show_an_adjustment(client_as, county_admin, db):
    p = places(db)
    plan, (west, _east), *_ = split_plan(db, p.grid)
    town = client_as("town_dispatcher")
    form = town.get("/adjustments/new")
    assert form.status_code == 200 and "调整原因类别" in form.text and "人口数量较大变化" in form.text
    fields = {"kind": "split", "town_code": p.town, "trigger": "population_change", "reason": "人口增长",
              "committee_opinion": "", "effective_on": str(today(utc_now()) + timedelta(days=5)),
              "retire": p.grid, "plan_text": json.dumps({"type": "FeatureCollection", "features": plan["features"]})}
    bad = town.post("/adjustments/new", data=fields)
    assert bad.status_code == 422 and "村（居）民委员会" in bad.text and "人口增长" in bad.text  # input kept
    fields["committee_opinion"] = "同意"
    ok = town.post("/adjustments/new", data=fields, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    detail = town.get(ok.headers["location"])
    assert detail.status_code == 200 and "待审批" in detail.text and west in detail.text
    assert 'action="/adjustments/' not in detail.text  # a dispatcher has no buttons to press
    listing = town.get("/adjustments")
    assert "拆分" in listing.text and "待审批" in listing.text
    adj_id = int(ok.headers["location"].rsplit("/", 1)[1])
    page = county_admin.get(f"/adjustments/{adj_id}")
    assert f'action="/adjustments/{adj_id}/approve"' in page.text and "/static/vendor/leaflet/leaflet.js" in page.text
    r = county_admin.post(f"/adjustments/{adj_id}/approve", data={"note": "同意"}, follow_redirects=False)
    assert r.status_code == 303
    assert "已批准" in county_admin.get(f"/adjustments/{adj_id}").text
