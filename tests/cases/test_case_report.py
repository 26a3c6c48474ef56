"""Issue 14, items 2 and 10 on both databases: a report and its first step in one submit (API and
form), the open cases nearby that a report may repeat, and a duplicate merged into another case."""

from __future__ import annotations

import io
import math
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from shapely.geometry import shape
from sqlalchemy import func, select, update

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.cases import service
from gridgov.kit.clock import utc_now
from gridgov.models import Case, CaseClock, CaseLogEntry, CasePhoto, Grid, Notification, Post

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _category(client) -> str:
    return client.get("/api/v1/case-categories").json()[0]["code"]


def _body(client, grid: str, **extra) -> dict:
    return {"title": "人行道井盖缺失", "category": _category(client), "source": "patrol", "grid_code": grid,
            "address": "解放路 12 号门口", **extra}


def _point(client, grid: str):
    return shape(client.get(f"/api/v1/grids/{grid}").json()["geometry"]).representative_point()


def _east(lon: float, lat: float, metres: float) -> float:
    return lon + metres / (111_320 * math.cos(math.radians(lat)))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 30)).save(out, "PNG")
    return out.getvalue()


def _counts(db) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (Case, CaseLogEntry, CaseClock,
                                                                          Notification, CasePhoto))


# ---------------------------------------------------------------- one step (item 2)


@pytest.mark.req("D2")
def test_a_report_with_escalate_is_registered_and_escalated_in_one_submit(client_as, places, db):
    worker = client_as("worker")
    r = worker.post("/api/v1/cases", json=_body(worker, places.grid, next_action="escalate", note="请尽快处理"))
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "escalated"
    assert case["clocks"]["report"]["stopped_at"] and case["clocks"]["acceptance"]["stopped_at"] is None
    log = worker.get(f"/api/v1/cases/{case['case_no']}/log").json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in log] == [
        ("create", "", "verified"), ("escalate", "verified", "escalated")]
    assert log[1]["note"] == "请尽快处理" and log[1]["prev_hash"] == log[0]["hash"]
    town = client_as("town_dispatcher")
    assert "accept" in town.get(f"/api/v1/cases/{case['case_no']}").json()["available_actions"]
    case_id = db.scalar(select(Case.id).where(Case.case_no == case["case_no"]))
    assert db.scalar(select(func.count()).select_from(Notification).where(Notification.case_id == case_id)) >= 1
    assert service.file_problems(db, db.get(Case, case_id)) == []


def test_a_report_solved_on_site_keeps_its_result_and_the_after_photo_apart(client_as, places, db):
    worker = client_as("worker")
    photo = worker.post("/api/v1/case-photos", files={"file": ("after.png", _png(), "image/png")}).json()["sha256"]
    r = worker.post("/api/v1/cases", json=_body(worker, places.grid, next_action="solve_on_site",
                                                 result="已当场补盖井盖", result_photos=[photo]))
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "resolved" and case["result"] == "已当场补盖井盖" and photo in case["photos"]
    log = worker.get(f"/api/v1/cases/{case['case_no']}/log").json()
    assert [e["action"] for e in log] == ["create", "solve_on_site"] and log[1]["attachments"] == [photo]
    case_id = db.scalar(select(Case.id).where(Case.case_no == case["case_no"]))
    assert db.scalar(select(CasePhoto.stage).where(CasePhoto.case_id == case_id)) == "solve_on_site"


def test_solve_on_site_without_a_result_is_422_in_chinese_and_writes_nothing(client_as, places, db):
    worker = client_as("worker")
    before = _counts(db)
    r = worker.post("/api/v1/cases", json=_body(worker, places.grid, next_action="solve_on_site"))
    assert r.status_code == 422 and "现场处置须填写处置结果" in r.text
    assert _counts(db) == before


def test_a_refused_next_action_leaves_nothing_written(client_as, places, db):
    """A resident's report starts 待核实: escalating it at once is refused (409) by the lifecycle table,
    and the case, its number, file, clock and notices are all rolled back with it."""
    town = client_as("town_dispatcher")
    before = _counts(db)
    r = town.post("/api/v1/cases", json=_body(town, places.grid, source="resident", next_action="escalate"))
    assert r.status_code == 409 and "不能上报" in r.json()["detail"]
    assert _counts(db) == before
    ok = town.post("/api/v1/cases", json=_body(town, places.grid, source="resident"))
    assert ok.status_code == 201 and ok.json()["state"] == "reported"  # without next_action: as before


def test_the_worker_form_ends_with_two_steps_each_one_submit(client_as, places):
    worker = client_as("worker")
    html = worker.get("/cases/new", headers=HTML).text
    assert 'name="next_action" value="solve_on_site"' in html and 'name="next_action" value="escalate"' in html
    assert ">提交<" not in html and "data-busy" in html
    data = {"title": "路灯不亮", "category": _category(worker), "source": "patrol", "grid_code": places.grid,
            "address": "花园路 3 号"}
    r = worker.post("/cases/new", data={**data, "next_action": "escalate"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and "done=escalate" in r.headers["location"]
    no = re.search(r"/cases/([\d-]+)\?", r.headers["location"]).group(1)
    assert worker.get(f"/api/v1/cases/{no}").json()["state"] == "escalated"
    refused = worker.post("/cases/new", data={**data, "next_action": "solve_on_site"}, headers=HTML)
    assert refused.status_code == 422 and "现场处置须填写处置结果" in refused.text
    done = worker.post("/cases/new", data={**data, "next_action": "solve_on_site", "result": "已修复"},
                       files=[("result_photos", ("after.png", _png(), "image/png"))], headers=HTML,
                       follow_redirects=False)
    no = re.search(r"/cases/([\d-]+)\?", done.headers["location"]).group(1)
    solved = worker.get(f"/api/v1/cases/{no}").json()
    assert solved["state"] == "resolved" and solved["result"] == "已修复" and len(solved["photos"]) == 1


# ---------------------------------------------------------------- duplicates (item 10)


def _located(client, grid: str, **extra) -> tuple[str, float, float]:
    p = _point(client, grid)
    body = {k: v for k, v in _body(client, grid, lon=p.x, lat=p.y, **extra).items() if k != "grid_code"}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()["case_no"], p.x, p.y


def _nearby(client, lon, lat, category) -> dict[str, int]:
    r = client.get("/api/v1/cases/nearby", params={"lon": lon, "lat": lat, "category": category})
    assert r.status_code == 200, r.text
    return {c["case_no"]: c["distance_m"] for c in r.json()}


def test_nearby_finds_open_cases_of_the_category_within_the_distance_only(client_as, places, db, app, monkeypatch):
    worker, worker2 = client_as("worker"), client_as("worker2")
    category = _category(worker)
    no, lon, lat = _located(worker, places.grid)
    assert app.state.settings.duplicate_radius_m == 100 and app.state.settings.duplicate_days == 7
    near = _nearby(worker, _east(lon, lat, 60), lat, category)
    assert no in near and 55 <= near[no] <= 65
    assert no not in _nearby(worker, _east(lon, lat, 150), lat, category)
    others = [c["code"] for c in worker.get("/api/v1/case-categories").json() if c["code"] != category]
    if others:
        assert no not in _nearby(worker, lon, lat, others[0])
    assert no not in _nearby(worker2, lon, lat, category)  # outside worker2's jurisdiction
    monkeypatch.setattr(app.state.settings, "duplicate_radius_m", 200)
    assert no in _nearby(worker, _east(lon, lat, 150), lat, category)
    bad = worker.get("/api/v1/cases/nearby", params={"lon": 200, "lat": lat})
    assert bad.status_code == 422


def test_nearby_leaves_out_old_and_finished_cases(client_as, places, db, app, monkeypatch):
    worker = client_as("worker")
    category = _category(worker)
    no, lon, lat = _located(worker, places.grid)
    db.execute(update(Case).where(Case.case_no == no).values(created_at=utc_now() - timedelta(days=8)))
    db.flush()
    assert no not in _nearby(worker, lon, lat, category)
    monkeypatch.setattr(app.state.settings, "duplicate_days", 10)
    assert no in _nearby(worker, lon, lat, category)
    assert worker.post(f"/api/v1/cases/{no}/actions/solve_on_site", json={"result": "已修复"}).status_code == 200
    assert no in _nearby(worker, lon, lat, category)  # resolved is still open (awaiting feedback)
    assert client_as("town_dispatcher").post(f"/api/v1/cases/{no}/actions/feedback",
                                             json={"evaluation": "satisfied"}).status_code == 200
    assert no not in _nearby(worker, lon, lat, category)


def _second_worker(db, app, places):
    """A worker of another grid of the same town (the demo's worker serves ``places.grid``)."""
    from fastapi.testclient import TestClient

    from gridgov.kit import tokens
    from gridgov.models import User

    from ..conftest import TEST_SECRET_KEY

    other = db.scalar(select(Grid.code).where(Grid.code.startswith(places.town[:9]), Grid.code != places.grid,
                                              Grid.status == "active").order_by(Grid.code))
    create_user(db, SYSTEM, UserCreate(username="dup_worker", display_name="重复上报人", password="Matrix-test-9931",
                                       role="fulltime", scope_code=other, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    user = db.scalar(select(User).where(User.username == "dup_worker"))
    # A worker account acts only on an active post with its training passed (B4): the demo worker's
    # record (trained) also serves the other grid.
    user.staff_id = db.scalar(select(User.staff_id).where(User.username == "worker"))
    db.add(Post(staff_id=user.staff_id, role="fulltime", scope_code=other, grid_code=other,
                start_date=date(2024, 1, 2), status="active", created_at=utc_now()))
    db.flush()
    c = TestClient(app)
    c.headers["Authorization"] = "Bearer " + tokens.issue(
        TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
        expires_at=utc_now() + timedelta(hours=1))
    return c, other, user.id


@pytest.mark.req("D8")
def test_a_dispatcher_merges_a_duplicate_with_links_both_ways_and_the_reporter_follows(client_as, places, db, app):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    other_worker, other_grid, other_id = _second_worker(db, app, places)
    target = worker.post("/api/v1/cases", json=_body(worker, places.grid, next_action="escalate")).json()["case_no"]
    dup = other_worker.post("/api/v1/cases", json=_body(other_worker, other_grid, next_action="escalate"))
    assert dup.status_code == 201, dup.text
    dup = dup.json()["case_no"]
    assert other_worker.get(f"/api/v1/cases/{target}").status_code == 404  # not its grid, yet

    assert worker.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": target}).status_code in (403, 404)
    assert town.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": dup}).status_code == 422
    assert town.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": "X987654"}).status_code == 422
    assert town.post(f"/api/v1/cases/{dup}/actions/merge", json={}).status_code == 422
    r = town.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": target, "note": "同一井盖"})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["state"] == "closed" and merged["merged_into"] == target
    assert all(c is None or c["stopped_at"] for c in merged["clocks"].values())
    assert town.get(f"/api/v1/cases/{target}").json()["merged_from"] == [dup]
    assert town.get(f"/api/v1/cases/{dup}").json()["merged_into"] == target

    dup_log = town.get(f"/api/v1/cases/{dup}/log").json()
    assert (dup_log[-1]["action"], dup_log[-1]["to_state"], dup_log[-1]["data"]["into"]) == ("merge", "closed",
                                                                                              target)
    assert target in dup_log[-1]["note"] and "同一井盖" in dup_log[-1]["note"]
    target_log = town.get(f"/api/v1/cases/{target}/log").json()
    assert target_log[-1]["action"] == "merged_in" and target_log[-1]["data"] == {"from": dup}
    for no in (dup, target):
        assert service.file_problems(db, db.scalar(select(Case).where(Case.case_no == no))) == []

    told = db.scalars(select(Notification.message).where(Notification.user_id == other_id,
                                                         Notification.kind == "merge")).all()
    assert any(target in m for m in told)
    assert other_worker.get(f"/api/v1/cases/{target}").status_code == 200  # follows the case it joined
    listed = other_worker.get("/api/v1/cases", params={"per_page": 200}).json()["items"]
    assert target in {c["case_no"] for c in listed}
    assert f'data-case="{target}"' in other_worker.get("/cases/mine", headers=HTML).text  # its worklist
    page = other_worker.get(f"/cases/{dup}", headers=HTML).text
    assert f'href="/cases/{target}"' in page and 'id="merged-into"' in page
    assert town.post(f"/api/v1/cases/{dup}/actions/merge", json={"into": target}).status_code == 409
    assert town.post(f"/api/v1/cases/{target}/actions/merge", json={"into": dup}).status_code == 409


def test_verification_shows_nearby_cases_and_merges_from_the_page(client_as, places, db):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    first, lon, lat = _located(worker, places.grid, next_action="escalate")
    second, _lon, _lat = _located(worker, places.grid, next_action="escalate", title="井盖又丢了")
    html = town.get(f"/cases/{second}", headers=HTML).text
    assert "附近已有相同事件" in html and f'data-case="{first}"' in html and "合并到此事件" in html
    r = town.post(f"/cases/{second}/actions/merge", data={"into": first}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert town.get(f"/api/v1/cases/{second}").json()["merged_into"] == first
    assert f'href="/cases/{second}"' in town.get(f"/cases/{first}", headers=HTML).text


def test_i_found_it_too_adds_the_report_to_the_existing_case_instead(client_as, places, db):
    worker = client_as("worker")
    no, lon, lat = _located(worker, places.grid)
    before = db.scalar(select(func.count()).select_from(Case))
    form = {"title": "井盖缺失", "description": "我路过也看到了", "category": _category(worker), "source": "patrol",
            "lon": f"{lon:.7f}", "lat": f"{lat:.7f}", "join_case": no}
    r = worker.post("/cases/new", data=form,
                    files=[("photos", ("again.png", _png(), "image/png"))], headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/cases/{no}?done=joined")
    assert db.scalar(select(func.count()).select_from(Case)) == before
    last = worker.get(f"/api/v1/cases/{no}/log").json()[-1]
    assert last["action"] == "comment" and "我也发现了" in last["note"] and "我路过也看到了" in last["note"]
    assert len(last["attachments"]) == 1
