"""Visits and patrols (E6): visits falling due and clearing, the due list by role and jurisdiction,
photos, finding a household, and a need found on a visit becoming a case in one step."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from gridgov.models import Case
from gridgov.models.registry import PersonAccess, PersonTag, Visit

from .care_fixtures import days_ago, grids, household, tag


@pytest.fixture
def home(db, app):
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    here = household(db, cipher, grid, "解放路", ["王老伯", "王小明"])
    later = household(db, cipher, grid, "人民路", ["钱阿姨"])
    there = household(db, cipher, grid2, "中山路", ["赵大姐"])
    tag(db, cipher, profile, here.people[0], "severe_mental", since=days_ago(40))      # due 10 days ago
    tag(db, cipher, profile, here.people[0], "elderly_alone", since=days_ago(9))       # due 2 days ago
    tag(db, cipher, profile, later.people[0], "disabled", since=days_ago(1))           # due in 89 days
    tag(db, cipher, profile, there.people[0], "elderly_alone", since=days_ago(30))
    return here, later, there


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.req("E6")
@pytest.mark.setting("registry.special_groups.elderly_alone", "registry.special_groups.severe_mental")
def test_visits_fall_due_by_the_tags_frequency_and_a_visit_clears_them(db, app, client_as, home):
    here, later, _ = home
    grid = here.grid
    worker = client_as("worker")
    due = worker.get("/api/v1/visits/due", params={"grid": grid}).json()
    listed = [(i["person_id"], i["tag"], i["due_status"]) for i in due["items"]]
    assert listed == [(here.people[0].id, "severe_mental", "overdue"), (here.people[0].id, "elderly_alone", "overdue")]
    assert due["items"][0]["days_overdue"] == 10 and due["items"][0]["tag_name"] == "严重精神障碍患者"
    assert all(i["person_id"] != later.people[0].id for i in due["items"])  # not due for 89 days
    viewed = db.scalars(select(PersonAccess.person_id).where(PersonAccess.username == "worker",
                                                             PersonAccess.fields == "special_groups")).all()
    assert viewed == [here.people[0].id]  # the due list's view of a person's tags is in its access log
    assert worker.get("/api/v1/visits/due", params={"grid": grid, "within": 90}).json()["total"] == 3

    r = worker.post("/api/v1/visits", json={"person_id": here.people[0].id, "note": "精神状态平稳",
                                            "visited_at": _iso(days_ago(1))})
    assert r.status_code == 201, r.text
    assert worker.get("/api/v1/visits/due", params={"grid": grid, "within": 0}).json()["items"] == []
    soon = worker.get("/api/v1/visits/due", params={"grid": grid}).json()["items"]  # due again within 7 days
    assert [(i["tag"], i["due_status"], i["days_overdue"]) for i in soon] == [("elderly_alone", "due", 0)]
    dues = dict(db.execute(select(PersonTag.tag_index, PersonTag.visit_due_on)
                           .where(PersonTag.person_id == here.people[0].id)).all())
    cipher = app.state.cipher
    assert dues[cipher.blind_index("tag:elderly_alone")] == days_ago(1) + timedelta(days=7)
    assert dues[cipher.blind_index("tag:severe_mental")] == days_ago(1) + timedelta(days=30)
    # a late entry of an older visit never moves a due date back
    worker.post("/api/v1/visits", json={"person_id": here.people[0].id, "visited_at": _iso(days_ago(20))})
    db.expire_all()
    assert db.scalar(select(PersonTag.visit_due_on).where(
        PersonTag.tag_index == cipher.blind_index("tag:elderly_alone"),
        PersonTag.person_id == here.people[0].id)) == days_ago(1) + timedelta(days=7)


def _iso(day) -> str:
    return f"{day.isoformat()}T10:00:00+08:00"


@pytest.mark.setting("registry.special_groups.elderly_alone")
def test_the_frequency_is_read_from_the_profile(db, app, client_as, home):
    here, _, _ = home
    profile = app.state.profile
    groups = dict(profile.registry.special_groups)
    groups["elderly_alone"] = groups["elderly_alone"].model_copy(update={"visit_every_days": 3})
    app.state.profile = profile.model_copy(update={"registry": profile.registry.model_copy(
        update={"special_groups": groups})})
    r = client_as("worker").post(f"/api/v1/people/{here.people[1].id}/tags",
                                 json={"tag": "elderly_alone", "since": str(days_ago(0))})
    assert r.json()["visit_due_on"] == str(days_ago(0) + timedelta(days=3))


@pytest.mark.req("E6")
def test_a_household_visit_clears_its_occupants_and_the_due_list_hides_tags_by_role(client_as, home):
    here, _, there = home
    dispatcher = client_as("town_dispatcher").get("/api/v1/visits/due", params={"grid": here.grid})
    assert dispatcher.status_code == 200
    assert [i["tag"] for i in dispatcher.json()["items"]] == ["elderly_alone"]
    assert "严重精神障碍患者" not in dispatcher.text and "severe_mental" not in dispatcher.text
    assert client_as("worker2").get("/api/v1/visits/due", params={"grid": here.grid}).status_code == 404
    assert client_as("dept_cg").get("/api/v1/visits/due").json()["items"] == []
    mine = client_as("worker2").get("/api/v1/visits/due").json()
    assert [i["person_id"] for i in mine["items"]] == [there.people[0].id]

    r = client_as("worker").post("/api/v1/visits", json={"house_id": here.house.id, "services": "送药"})
    assert r.status_code == 201 and r.json()["address"] == here.address.canonical
    assert client_as("worker").get("/api/v1/visits/due", params={"grid": here.grid, "within": 0}).json()["total"] == 0


@pytest.mark.req("E6")
def test_visits_are_listed_within_the_jurisdiction_only(client_as, home):
    here, _, there = home
    mine = client_as("worker").post("/api/v1/visits", json={"person_id": here.people[1].id, "note": "入户"}).json()
    theirs = client_as("worker2").post("/api/v1/visits", json={"person_id": there.people[0].id}).json()
    assert client_as("worker2").post("/api/v1/visits", json={"person_id": here.people[1].id}).status_code == 404
    ids = {v["id"] for v in client_as("worker").get("/api/v1/visits").json()["items"]}
    assert mine["id"] in ids and theirs["id"] not in ids
    by_person = client_as("worker").get("/api/v1/visits", params={"person": here.people[1].id}).json()
    assert [v["id"] for v in by_person["items"]] == [mine["id"]] and by_person["items"][0]["person_name"] == "王小明"
    assert client_as("worker2").get(f"/api/v1/visits/{mine['id']}").status_code == 404
    assert client_as("worker").get(f"/api/v1/visits/{mine['id']}").json()["note"] == "入户"
    assert client_as("city_admin").get("/api/v1/visits", params={"grid": here.grid}).json()["total"] >= 1
    assert client_as("worker").get("/api/v1/visits", params={"grid": there.grid}).status_code == 404
    assert client_as("dept_cg").get("/api/v1/visits").json()["total"] == 0


def test_a_patrol_needs_a_place_and_bad_input_changes_nothing(db, client_as, home):
    worker = client_as("worker")
    before = db.scalar(select(Visit.id).order_by(Visit.id.desc()).limit(1))
    for body in ({"kind": "visit"}, {"kind": "patrol"}, {"person_id": home[0].people[0].id, "lon": 119.4},
                 {"person_id": home[0].people[0].id, "visited_at": "2099-01-01T00:00:00+08:00"},
                 {"person_id": home[0].people[0].id, "photos": ["0" * 64]}):
        r = worker.post("/api/v1/visits", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"]
    assert db.scalar(select(Visit.id).order_by(Visit.id.desc()).limit(1)) == before


@pytest.mark.req("E6")
def test_a_visit_keeps_its_photos_seen_only_within_the_jurisdiction(client_as, home):
    here, _, _ = home
    worker = client_as("worker")
    up = worker.post("/api/v1/visit-photos", files={"file": ("a.jpg", _jpeg(), "image/jpeg")})
    assert up.status_code == 201, up.text
    sha = up.json()["sha256"]
    visit = worker.post("/api/v1/visits", json={"house_id": here.house.id, "photos": [sha]}).json()
    assert visit["photos"] == [sha]
    assert worker.get(f"/api/v1/visit-photos/{sha}").headers["content-type"] == "image/jpeg"
    assert worker.get(f"/api/v1/visit-photos/{sha}", params={"thumbnail": True}).status_code == 200
    assert client_as("worker2").get(f"/api/v1/visit-photos/{sha}").status_code == 404


def test_a_household_is_found_by_address_or_by_name_within_the_jurisdiction(client_as, home):
    here, _, there = home
    worker = client_as("worker")
    by_road = worker.get("/api/v1/visits/households", params={"q": "解放路"}).json()
    assert [h["house_id"] for h in by_road] == [here.house.id]
    assert {p["name"] for p in by_road[0]["people"]} == {"王老伯", "王小明"}
    assert [h["house_id"] for h in worker.get("/api/v1/visits/households", params={"q": "王小明"}).json()] == [
        here.house.id]
    assert worker.get("/api/v1/visits/households", params={"q": "赵大姐"}).json() == []
    assert [h["house_id"] for h in client_as("worker2").get("/api/v1/visits/households",
                                                            params={"q": "赵大姐"}).json()] == [there.house.id]


@pytest.mark.req("E6")
def test_a_need_found_on_a_visit_becomes_a_case_in_one_step_without_the_tag(db, client_as, home):
    here, _, _ = home
    worker = client_as("worker")
    up = worker.post("/api/v1/visit-photos", files={"file": ("a.jpg", _jpeg(), "image/jpeg")}).json()
    visit = worker.post("/api/v1/visits", json={"person_id": here.people[0].id, "needs": "楼道灯不亮，老人夜间出行不便",
                                                "photos": [up["sha256"]]}).json()
    assert client_as("worker2").post(f"/api/v1/visits/{visit['id']}/case",
                                     json={"title": "楼道灯不亮", "category": "zj12_02"}).status_code == 404
    r = worker.post(f"/api/v1/visits/{visit['id']}/case", json={"title": "楼道灯不亮", "category": "zj12_02"})
    assert r.status_code == 201, r.text
    case_no = r.json()["case_no"]
    case = worker.get(f"/api/v1/cases/{case_no}").json()
    assert case["source"] == "visit" and case["grid_code"] == here.grid
    assert case["description"] == "楼道灯不亮，老人夜间出行不便" and case["address"] == here.address.canonical
    assert case["photos"] == [up["sha256"]]
    for leak in ("严重精神障碍患者", "独居老人", "severe_mental", "elderly_alone", "王老伯"):
        assert leak not in str(case)
    row = db.scalar(select(Case).where(Case.case_no == case_no))
    assert row.person_id is None
    assert worker.get(f"/api/v1/visits/{visit['id']}").json()["case_no"] == case_no
    again = worker.post(f"/api/v1/visits/{visit['id']}/case", json={"title": "楼道灯不亮", "category": "zj12_02"})
    assert again.status_code == 409 and case_no in again.json()["detail"]


def test_a_visit_without_a_need_asks_for_a_description(client_as, home):
    worker = client_as("worker")
    visit = worker.post("/api/v1/visits", json={"house_id": home[0].house.id}).json()
    r = worker.post(f"/api/v1/visits/{visit['id']}/case", json={"title": "无描述", "category": "zj12_02"})
    assert r.status_code == 422 and "描述" in r.json()["detail"]
    assert worker.get(f"/api/v1/visits/{visit['id']}").json()["case_no"] is None
