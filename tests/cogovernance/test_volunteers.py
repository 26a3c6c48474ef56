"""Volunteers and informants (issue 18; ZJ§9, ZJ§23, JM§10) on both databases: a courier registered by
the town's dispatcher reports through the resident channel and is counted as an informant (the case is
marked on its page and in the list, a ledger line, points by the profile); an unregistered phone is not;
a micro-grid takes one liaison (register and staff posts together); phones are encrypted and masked and
a reveal is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.errors import Conflict
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, Case, MicroGrid
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.volunteers import InformantReport, Volunteer
from gridgov.policy.loader import load_profile
from gridgov.public import informants
from gridgov.public.report import phone_index
from gridgov.staff import posts

from ..public.resident import inside, report
from ..staff.test_staff_profile_settings import _person, _post

CITY = "321100000000"
COURIER_PHONE = "13700001234"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def micros(db, places):
    """Two micro-grids of the demo grid (the demo city has none)."""
    codes = [places.grid + "01", places.grid + "02"]
    for n, code in enumerate(codes, start=1):
        db.add(MicroGrid(code=code, grid_code=places.grid, name=f"{n}号微网格", households=40, status="active",
                         created_at=utc_now()))
    db.flush()
    return codes


def _register(client, **body):
    return client.post("/api/v1/cogovernance/volunteers", json=body)


@pytest.mark.req("F4")
def test_a_courier_reports_through_the_resident_channel_and_is_counted_as_an_informant(
        client_as, anonymous, app, db, places, micros):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    org = town.post("/api/v1/cogovernance/volunteer-orgs",
                    json={"name": "顺达快递解放路站", "kind": "courier", "area_code": places.town,
                          "contact": "0511-8888"})
    assert org.status_code == 201, org.text
    made = _register(town, name="赵快递", kind="courier", place_code=micros[0], phone=COURIER_PHONE,
                     org_id=org.json()["id"])
    assert made.status_code == 201, made.text
    courier = made.json()
    assert courier["phone_masked"] != COURIER_PHONE and courier["phone_masked"].endswith("1234")
    assert courier["org_name"] == "顺达快递解放路站" and courier["points"] == 0
    stored = db.get(Volunteer, courier["id"])
    assert COURIER_PHONE.encode() not in stored.phone_enc and COURIER_PHONE not in stored.phone_index
    listed = worker.get("/api/v1/cogovernance/volunteers", params={"kind": "courier", "area": places.grid}).json()
    assert "赵快递" in [v["name"] for v in listed["items"]] and COURIER_PHONE not in str(listed)

    r = report(anonymous, app, inside(db, places.grid), db=db, phone=COURIER_PHONE)
    assert r.status_code == 201, r.text
    case_no = r.json()["case_no"]
    case = db.scalar(select(Case).where(Case.case_no == case_no))
    mark = db.scalar(select(InformantReport).where(InformantReport.case_id == case.id))
    assert mark is not None and mark.volunteer_id == courier["id"] and mark.grid_code == places.grid
    line = db.scalar(select(CogovActivity).where(CogovActivity.ref_type == "informant_report",
                                                 CogovActivity.ref_id == mark.id))
    assert (line.kind, line.area_code, line.occurred_on) == ("informant_report", places.grid,
                                                             local(utc_now()).date())

    other = report(anonymous, app, inside(db, places.grid), db=db, phone="13912340000")  # not registered
    assert other.status_code == 201, other.text
    other_case = db.scalar(select(Case).where(Case.case_no == other.json()["case_no"]))
    assert db.scalar(select(InformantReport).where(InformantReport.case_id == other_case.id)) is None

    page = worker.get(f"/cases/{case_no}")
    assert page.status_code == 200 and "信息员上报" in page.text and "赵快递（快递员）" in page.text
    assert "信息员上报" not in worker.get(f"/cases/{other_case.case_no}").text
    mine = worker.get("/cases/mine").text
    assert "信息员上报 · 赵快递（快递员）" in mine and mine.count("信息员上报 ·") == 1

    recognition = load_profile("zhenjiang").recognition
    got = worker.get(f"/api/v1/cogovernance/volunteers/{courier['id']}/reports").json()
    assert [i["case_no"] for i in got["items"]] == [case_no] and got["points"] == recognition.per_report
    assert worker.post(f"/api/v1/cases/{case_no}/actions/verify", json={}).status_code == 200
    again = worker.get(f"/api/v1/cogovernance/volunteers/{courier['id']}").json()
    assert again["reports"] == 1 and again["points"] == recognition.per_report + recognition.per_accepted
    ranking = worker.get("/api/v1/cogovernance/volunteers/ranking").json()
    assert [(row["volunteer"]["name"], row["points"]) for row in ranking["people"]] == [("赵快递", again["points"])]
    assert [(g["grid_code"], g["reports"]) for g in ranking["grids"]] == [(places.grid, 1)]
    record = worker.get(f"/cogovernance/volunteers/{courier['id']}")
    assert record.status_code == 200 and case_no in record.text and COURIER_PHONE not in record.text

    # deactivated: the phone no longer marks a report
    assert town.post(f"/api/v1/cogovernance/volunteers/{courier['id']}/deactivate", json={}).status_code == 200
    index = phone_index(app.state.cipher, COURIER_PHONE)
    assert stored.phone_index == index and informants.registered(db, index) is None


@pytest.mark.req("A6")
@pytest.mark.setting("staff.liaisons_per_micro_grid")
def test_a_micro_grid_takes_one_liaison_from_the_register_and_the_staff_posts_together(
        client_as, db, places, micros):
    town = client_as("town_dispatcher")
    first = _register(town, name="周联络", kind="liaison", place_code=micros[0], phone="13700002001")
    assert first.status_code == 201, first.text
    second = _register(town, name="吴联络", kind="liaison", place_code=micros[0], phone="13700002002")
    assert second.status_code == 409 and "该微网格已有 1 名在岗联络员" in second.json()["detail"]
    assert "ZJ§9" in second.json()["detail"]
    on_grid = _register(town, name="吴联络", kind="liaison", place_code=places.grid, phone="13700002002")
    assert on_grid.status_code == 422 and "微网格" in on_grid.json()["detail"]
    neighbour = _register(town, name="吴联络", kind="liaison", place_code=micros[1], phone="13700002002")
    assert neighbour.status_code == 201
    same_phone = _register(town, name="冒名", kind="volunteer", place_code=micros[1], phone="13700002002")
    assert same_phone.status_code == 409
    # the staffing gaps count the register: micro-grid 1 has its liaison; a building head is a volunteer (ZJ§9)
    assert _register(town, name="郑楼长", kind="building_head", place_code=micros[0],
                     phone="13700002003").status_code == 201
    gaps = posts.staffing_gaps(db, SYSTEM, places.grid[:12], profile=load_profile("zhenjiang"))
    mine = {(g.micro_grid_code, g.kind): g.detail for g in gaps.gaps if g.micro_grid_code in micros}
    assert (micros[0], "no_liaison") not in mine and (micros[1], "no_liaison") not in mine
    assert mine[(micros[0], "no_volunteer")] == "1号微网格：在岗志愿者 1 名，应至少 2 名"
    roster = client_as("worker").get("/cogovernance/volunteers/roster")
    assert roster.status_code == 200 and "周联络（微网格联络员）" in roster.text and "郑楼长（楼栋长）" in roster.text
    # a staff liaison post on that micro-grid cannot start beside the register's liaison
    zj = load_profile("zhenjiang")
    holder = _person(db, places.grid[:12], 951)
    post = _post(db, "zhenjiang", holder, "liaison", micro_grid_code=micros[0])
    with pytest.raises(Conflict) as refused:
        posts.start_post(db, SYSTEM, post, profile=zj, now=utc_now())
    assert "该微网格已有 1 名在岗联络员" in refused.value.message
    # deactivating the register's liaison frees the place: the post starts, and a register liaison is refused
    vid = first.json()["id"]
    assert town.post(f"/api/v1/cogovernance/volunteers/{vid}/deactivate", json={}).status_code == 200
    posts.start_post(db, SYSTEM, post, profile=zj, now=utc_now())
    again = _register(town, name="钱联络", kind="liaison", place_code=micros[0], phone="13700002004")
    assert again.status_code == 409


def test_a_phone_is_revealed_only_with_a_reason_and_audited(client_as, db, places, micros):
    town = client_as("town_dispatcher")
    vid = _register(town, name="陈志愿", kind="volunteer", place_code=micros[1], phone="13700003001").json()["id"]
    assert town.post(f"/api/v1/cogovernance/volunteers/{vid}/reveal", json={"reason": ""}).status_code == 422
    shown = town.post(f"/api/v1/cogovernance/volunteers/{vid}/reveal", json={"reason": "联系本人核实上报"})
    assert shown.status_code == 200 and shown.json()["phone"] == "13700003001"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "volunteer_phone_revealed")
                      .order_by(AuditEntry.id.desc()).limit(1))
    assert entry.object_id == str(vid) and "13700003001" not in str(entry.__dict__)
    assert "13700003001" not in str([e.__dict__ for e in db.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "volunteer"))])
    assert client_as("worker").post(f"/api/v1/cogovernance/volunteers/{vid}/reveal",
                                    json={"reason": "看看"}).status_code == 403
    page = town.post(f"/cogovernance/volunteers/{vid}/reveal", data={"reason": "联系本人"})
    assert page.status_code == 200 and "13700003001" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert date.fromisoformat(town.get(f"/api/v1/cogovernance/volunteers/{vid}").json()["joined_on"])


@pytest.mark.setting("recognition.per_report", "recognition.per_accepted", "recognition.per_closed")
def test_points_follow_the_profile():
    from gridgov.cogovernance.volunteers_rules import points_of, total_points

    zj = load_profile("zhenjiang").recognition
    rich = zj.model_copy(update={"per_report": 5, "per_accepted": 0, "per_closed": 10})
    assert points_of(zj, "reported") == zj.per_report
    assert points_of(zj, "rejected") == zj.per_report
    assert points_of(zj, "verified") == zj.per_report + zj.per_accepted
    assert points_of(zj, "closed") == zj.per_report + zj.per_accepted + zj.per_closed
    assert total_points(rich, ["reported", "closed", "rejected"]) == 5 + 15 + 5
    assert load_profile("jiangmen").requirement("recognition.per_report").cite() != ""


def test_the_register_page_keeps_a_refused_form_and_registers_a_good_one(client_as, db, places, micros):
    town = client_as("town_dispatcher")
    assert "登记志愿者或信息员" in town.get("/cogovernance/volunteers").text
    assert "登记志愿者或信息员" not in client_as("worker").get("/cogovernance/volunteers").text  # reads only
    bad = town.post("/cogovernance/volunteers", data={"name": "孙骑手", "kind": "rider", "place_code": micros[1],
                                                      "phone": "12345"})
    assert bad.status_code == 422 and "11 位手机号码" in bad.text and 'value="孙骑手"' in bad.text
    assert db.scalar(select(Volunteer).where(Volunteer.name == "孙骑手")) is None
    org = town.post("/cogovernance/volunteers/orgs", data={"name": "美味外卖", "kind": "delivery",
                                                           "area_code": places.town, "contact": ""},
                    follow_redirects=False)
    assert org.status_code == 303
    good = town.post("/cogovernance/volunteers", data={"name": "孙骑手", "kind": "rider", "place_code": micros[1],
                                                       "phone": "13700004001"}, follow_redirects=False)
    assert good.status_code == 303
    record = town.get(good.headers["location"])
    assert "孙骑手" in record.text and "外卖骑手" in record.text and "13700004001" not in record.text
    outside = town.post("/cogovernance/volunteers", data={"name": "外区", "kind": "rider", "place_code": places.grid2,
                                                          "phone": "13700004002"})
    assert outside.status_code == 404


def test_an_import_is_all_or_nothing_and_names_each_bad_line(client_as, db, places, micros):
    town = client_as("town_dispatcher")
    header = "姓名,类别,所在微网格或网格编码,手机号\n"
    bad = (header + f"甲,楼栋长,{micros[0]},13700005001\n"
           f"乙,快递员,{micros[0]},123\n"
           f"丙,微网格联络员,{micros[1]},13700005003\n"
           f"丁,liaison,{micros[1]},13700005004\n"
           f"戊,外卖骑手,{places.grid2},13700005005\n")
    r = town.post("/api/v1/cogovernance/volunteers/import", files={"file": ("v.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    assert [(e["line"], e["reason"][:8]) for e in r.json()["errors"]] == [
        (3, "请填写 11 位"), (5, "该微网格已有 1"), (6, f"网格 {places.grid2[:5]}")]
    assert r.json()["errors"][2]["reason"] == f"网格 {places.grid2} 不存在"  # another county: like missing
    assert db.scalar(select(Volunteer).where(Volunteer.name.in_(["甲", "丙"]))) is None
    good = header + f"甲,楼栋长,{micros[0]},13700005001\n丙,liaison,{micros[1]},13700005003\n"
    r = town.post("/api/v1/cogovernance/volunteers/import", files={"file": ("v.csv", good.encode(), "text/csv")})
    assert r.status_code == 201 and r.json() == {"created": 2}
    assert {v.kind for v in db.scalars(select(Volunteer).where(Volunteer.name.in_(["甲", "丙"])))} == {
        "building_head", "liaison"}
    assert client_as("worker").post("/api/v1/cogovernance/volunteers/import",
                                    files={"file": ("v.csv", good.encode(), "text/csv")}).status_code == 403
