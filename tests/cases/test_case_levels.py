"""Level by level (QZ§17 市、县（区）、镇（街道）……应当逐级受理、办理上报的需求事项), on both databases.

Under qinzhou's profile (``cases.level_by_level = true``) a case climbs one agency level at a time:
the town that received it keeps it until it passes it up, the pass-up reaches the next level only,
and a higher agency cannot take or act on a case that has not reached it. Under a profile without
the rule (zhenjiang's) the agency holding a case may send it straight to a higher level.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.config import Settings
from gridgov.errors import Forbidden, Invalid
from gridgov.kit.clock import utc_now
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY, token_for
from .test_case_scenarios import _snapshot, _unchanged, at, places, qinzhou, zhenjiang  # noqa: F401  (fixtures)


def _accepted(desk, grid: str, t) -> str:
    no = desk.report("worker", grid, now=t)
    desk.act("worker", no, "escalate", now=t + timedelta(minutes=10))
    desk.act("town_dispatcher", no, "accept", now=t + timedelta(minutes=20))
    return no


@pytest.mark.setting("cases.level_by_level")
@pytest.mark.req("D10")
def test_qz_a_case_climbs_one_level_at_a_time_and_only_the_level_it_reached_acts(qinzhou, places):  # noqa: F811
    assert qinzhou.profile.cases.level_by_level is True  # QZ§17
    t = at(2026, 11, 2, 9, 0)
    no = qinzhou.report("worker", places.grid, now=t)
    qinzhou.act("worker", no, "escalate", now=t + timedelta(minutes=10))
    for higher in ("county_dispatcher", "city_admin"):  # the case reached the town, not them
        with pytest.raises(Forbidden):
            qinzhou.act(higher, no, "accept", now=t + timedelta(minutes=15))
    qinzhou.act("town_dispatcher", no, "accept", now=t + timedelta(minutes=20))
    cg = qinzhou.dept("dept_cg")
    for higher in ("county_dispatcher", "city_admin"):
        before = _snapshot(qinzhou, no)
        with pytest.raises(Forbidden):
            qinzhou.act(higher, no, "dispatch", now=t + timedelta(minutes=25), lead_department=cg)
        with pytest.raises(Forbidden):
            qinzhou.act(higher, no, "solve", now=t + timedelta(minutes=25), result="上级直接处理")
        with pytest.raises(Forbidden):
            qinzhou.act(higher, no, "pass_up", now=t + timedelta(minutes=25), reason="上级提走")
        _unchanged(qinzhou, no, before)

    # Never skipping: the town may not send it to the city over the county's head.
    before = _snapshot(qinzhou, no)
    with pytest.raises(Forbidden, match="逐级"):
        qinzhou.act("town_dispatcher", no, "pass_up", now=t + timedelta(minutes=30), reason="事项重大",
                    to_area=places.city)
    with pytest.raises(Invalid, match="上级网格化机构"):  # not above this case at all
        qinzhou.act("town_dispatcher", no, "pass_up", now=t + timedelta(minutes=30), reason="事项重大",
                    to_area=places.county2)
    _unchanged(qinzhou, no, before)
    assert qinzhou.case(no).handling_area_code == places.town

    passed_at = t + timedelta(hours=1)
    case = qinzhou.act("town_dispatcher", no, "pass_up", now=passed_at, reason="跨街道协调，本级无法处理")
    assert (case.state, case.handling_area_code, case.handling_level) == ("accepted", places.county, "county")
    entry = qinzhou.log(no)[-1]
    assert (entry.data["from_area"], entry.data["to_area"]) == (places.town, places.county)
    assert qinzhou.clock(no, "dispatch").started_at == passed_at  # the county's own dispatch period

    # The town no longer holds it; the city still has not received it.
    for other in ("town_dispatcher", "city_admin"):
        with pytest.raises(Forbidden):
            qinzhou.act(other, no, "dispatch", now=passed_at + timedelta(minutes=5), lead_department=cg)
    case = qinzhou.act("county_dispatcher", no, "dispatch", now=passed_at + timedelta(minutes=10), lead_department=cg)
    assert case.state == "dispatched"
    assert qinzhou.clock(no, "dispatch").final_status == "on_time"


@pytest.mark.setting("cases.level_by_level")
def test_without_level_by_level_the_town_may_send_a_case_straight_to_the_city(zhenjiang, places):  # noqa: F811
    assert zhenjiang.profile.cases.level_by_level is False
    t = at(2026, 11, 2, 9, 0)
    no = _accepted(zhenjiang, places.grid, t)
    with pytest.raises(Invalid, match="上级网格化机构"):
        zhenjiang.act("town_dispatcher", no, "pass_up", now=t + timedelta(hours=1), reason="重大",
                      to_area=places.town2)
    case = zhenjiang.act("town_dispatcher", no, "pass_up", now=t + timedelta(hours=1), reason="涉及全市统筹",
                         to_area=places.city)
    assert (case.handling_area_code, case.handling_level) == (places.city, "city")
    assert zhenjiang.log(no)[-1].data["to_area"] == places.city
    with pytest.raises(Forbidden):  # skipped, so the county holds nothing
        zhenjiang.act("county_dispatcher", no, "solve", now=t + timedelta(hours=2), result="区里解决")
    case = zhenjiang.act("city_admin", no, "solve", now=t + timedelta(hours=2), result="市级统筹协调解决")
    assert case.state == "resolved"
    assert zhenjiang.clock(no, "dispatch").final_status == "on_time"  # solved by the agency stops it too


# ---------------------------------------------------------------------------------------------
# The same through the API of an app running under qinzhou's profile


@pytest.fixture
def qz_client_as(db_connection, tmp_path):
    from gridgov.app import create_app

    settings = Settings(demo=True, database_url=str(db_connection.engine.url), profile="qinzhou",
                        var_dir=tmp_path, secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    clients = []

    def make(username: str):
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.mark.setting("cases.level_by_level")
@pytest.mark.req("D10")
def test_qz_level_by_level_through_the_api(qz_client_as, places, db):  # noqa: F811
    assert load_profile("qinzhou").cases.level_by_level
    create_user(db, SYSTEM, UserCreate(username="county2_dispatcher", display_name="另一区调度员",
                                       password="demo12345", role="agency_dispatcher", scope_code=places.county2,
                                       must_change_password=False), now=utc_now(), demo=True)
    db.flush()
    worker, town = qz_client_as("worker"), qz_client_as("town_dispatcher")
    county, city, outsider = qz_client_as("county_dispatcher"), qz_client_as("city_admin"), qz_client_as(
        "county2_dispatcher")
    assert worker.get("/api/v1/health").json()["profile"] == "qinzhou"
    r = worker.post("/api/v1/cases", json={"title": "小区围墙开裂", "category": "zj12_02", "source": "patrol",
                                            "grid_code": places.grid, "address": "人民路 3 号"})
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]

    def act(client, action, status=200, **body):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == status, r.text
        return r.json()

    act(worker, "escalate")
    assert "只有" in act(county, "accept", 403)["detail"]  # reached the town, not the county
    assert act(outsider, "accept", 404)["detail"] == f"事件 {no} 不存在"  # outside its area: like missing
    assert outsider.get(f"/api/v1/cases/{no}").status_code == 404
    case = act(town, "accept")
    assert case["clocks"]["dispatch"]["status"] == "on_time" and case["clocks"]["dispatch"]["stopped_at"] is None
    assert "dispatch" not in county.get(f"/api/v1/cases/{no}").json()["available_actions"]

    refused = act(town, "pass_up", 403, reason="事项重大", to_area=places.city)
    assert "逐级" in refused["detail"] and "越级" in refused["detail"]
    assert town.get(f"/api/v1/cases/{no}").json()["handling_area_code"] == places.town  # nothing changed
    act(town, "pass_up", 422, reason="事项重大", to_area=places.county2)

    passed = act(town, "pass_up", reason="本级无法协调", to_area=places.county)
    assert (passed["handling_area_code"], passed["handling_level"]) == (places.county, "county")
    assert "dispatch" not in town.get(f"/api/v1/cases/{no}").json()["available_actions"]
    assert "dispatch" in county.get(f"/api/v1/cases/{no}").json()["available_actions"]
    act(city, "dispatch", 403, lead_department="x")  # the city has not received it
    act(town, "dispatch", 403, lead_department="x")  # the town passed it on
    up = act(county, "pass_up", reason="需市级统筹")
    assert up["handling_area_code"] == places.city
    assert "solve" in city.get(f"/api/v1/cases/{no}").json()["available_actions"]


# ---------------------------------------------------------------------------------------------
# The case page offers what the profile allows


HTML = {"Accept": "text/html,application/xhtml+xml"}


def _accepted_api(worker, town, grid: str) -> str:
    r = worker.post("/api/v1/cases", json={"title": "桥下积水", "category": "zj12_02", "source": "patrol",
                                            "grid_code": grid, "address": "滨江路 5 号"})
    no = r.json()["case_no"]
    assert worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 200
    assert town.post(f"/api/v1/cases/{no}/actions/accept", json={}).status_code == 200
    return no


def _offered_areas(html: str) -> list[str]:
    select = re.search(r'<select id="pass_up-to_area" name="to_area">(.*?)</select>', html, re.S)
    assert select, "no 提交至 choice on the page"
    return re.findall(r'<option value="(\d{12})"', select.group(1))


@pytest.mark.setting("cases.level_by_level")
def test_the_pass_up_form_offers_the_levels_the_profile_allows(client_as, qz_client_as, places):  # noqa: F811
    worker, town = client_as("worker"), client_as("town_dispatcher")
    no = _accepted_api(worker, town, places.grid)
    html = town.get(f"/cases/{no}", headers=HTML).text
    assert _offered_areas(html) == [places.county, places.city]  # zhenjiang: any level above
    r = town.post(f"/cases/{no}/actions/pass_up", data={"reason": "需市级统筹", "to_area": places.city},
                  headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text[:800]
    assert town.get(f"/api/v1/cases/{no}").json()["handling_area_code"] == places.city

    qz_worker, qz_town = qz_client_as("worker"), qz_client_as("town_dispatcher")
    no = _accepted_api(qz_worker, qz_town, places.grid)
    assert _offered_areas(qz_town.get(f"/cases/{no}", headers=HTML).text) == [places.county]  # QZ§17: next only
    r = qz_town.post(f"/cases/{no}/actions/pass_up", data={"reason": "事项重大", "to_area": places.city},
                     headers=HTML, follow_redirects=False)
    assert r.status_code == 403 and "逐级" in r.text  # a crafted post is refused in Chinese
    assert qz_town.get(f"/api/v1/cases/{no}").json()["handling_area_code"] == places.town
