"""The closed loop through the JSON API on the demo city: every step answers as the lifecycle says,
every refusal changes nothing, and the file chains every action."""

import itertools
import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service
from gridgov.catalogue import lookup
from gridgov.models import Case, CaseLogEntry, Grid, Notification, User

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def worker(client_as):
    return client_as("worker")


def _report(client, grid, **extra):
    body = {"title": "人行道井盖缺失", "category": extra.pop("category", "zj12_02"),
            "source": "patrol", "grid_code": grid, "address": "解放路 12 号门口", **extra}
    return client.post("/api/v1/cases", json=body)


@pytest.mark.setting("cases.categories")
def test_categories_are_the_profiles_until_a_list_governs_the_place(worker, places, db, app):
    got = worker.get("/api/v1/case-categories").json()
    assert got and all(set(c) == {"code", "name"} for c in got)
    if not lookup.has_catalogue(db, places.grid):  # with a list: tests/catalogue/test_catalogue_hold.py
        assert got == [{"code": c.code, "name": c.name} for c in app.state.profile.cases.categories]


@pytest.mark.req("D1", "D2")
def test_a_worker_reports_in_its_grid_and_the_case_starts_verified_with_a_report_clock(worker, places, db):
    categories = [c["code"] for c in worker.get("/api/v1/case-categories").json()]
    r = _report(worker, places.grid, category=categories[0])
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "verified" and case["grid_code"] == places.grid
    assert re.fullmatch(rf"{places.county}-\d{{8}}-\d{{5}}", case["case_no"])
    assert set(case["clocks"]) == {"report", "acceptance", "dispatch", "handling", "feedback"}
    assert case["clocks"]["report"]["status"] == "on_time" and case["clocks"]["handling"] is None
    assert "+08:00" in worker.get(f"/api/v1/cases/{case['case_no']}").text
    log = worker.get(f"/api/v1/cases/{case['case_no']}/log").json()
    assert [e["action"] for e in log] == ["create"] and log[0]["prev_hash"] == "0" * 64


@pytest.mark.req("D2", "D3", "D6", "D8")
def test_the_whole_loop_from_patrol_to_closed(client_as, places, db):
    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    categories = [c["code"] for c in worker.get("/api/v1/case-categories").json()]
    no = _report(worker, places.grid, category=categories[0]).json()["case_no"]
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))

    def act(client, action, status=200, **body):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == status, r.text
        return r.json()

    assert act(worker, "escalate")["state"] == "escalated"
    assert act(town, "accept")["state"] == "accepted"
    case = act(town, "dispatch", lead_department=lead)
    assert case["state"] == "dispatched" and case["departments"]["lead"]["code"] == lead
    assert case["clocks"]["handling"]["due_at"]
    assert act(dept, "sign")["state"] == "in_progress"
    assert act(dept, "handle", result="已补装井盖")["state"] == "handled"
    assert act(town, "check")["state"] == "resolved"
    closed = act(town, "feedback", evaluation="satisfied")
    assert closed["state"] == "closed" and closed["clocks"]["feedback"]["stopped_at"]
    log = town.get(f"/api/v1/cases/{no}/log").json()
    assert [e["action"] for e in log] == ["create", "escalate", "accept", "dispatch", "sign", "handle", "check",
                                          "feedback"]
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(log))
    assert service.verify_files(db, no) == {}


def test_refusals_answer_409_403_404_and_422_and_change_nothing(client_as, places, db):
    worker, worker2, town, dept = (client_as(u) for u in ("worker", "worker2", "town_dispatcher", "dept_cg"))
    categories = [c["code"] for c in worker.get("/api/v1/case-categories").json()]
    no = _report(worker, places.grid, category=categories[0]).json()["case_no"]
    before = db.scalar(select(Case.version).where(Case.case_no == no)), _log_count(db, no)

    r = town.post(f"/api/v1/cases/{no}/actions/sign", json={})
    assert r.status_code == 409 and "不能签收" in r.json()["detail"]
    r = town.post(f"/api/v1/cases/{no}/actions/escalate", json={})
    assert r.status_code == 403
    r = worker2.post(f"/api/v1/cases/{no}/actions/escalate", json={})
    missing = worker2.post("/api/v1/cases/321100000000-20990101-00001/actions/escalate", json={})
    assert r.status_code == missing.status_code == 404
    assert r.json()["detail"].replace(no, "X") == missing.json()["detail"].replace("321100000000-20990101-00001", "X")
    r = worker.post(f"/api/v1/cases/{no}/actions/reject", json={})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = dept.get(f"/api/v1/cases/{no}")
    assert r.status_code == 404  # not dispatched to this department
    db.expire_all()
    assert (db.scalar(select(Case.version).where(Case.case_no == no)), _log_count(db, no)) == before


def test_lists_are_scoped(client_as, places):
    worker, worker2, town = client_as("worker"), client_as("worker2"), client_as("town_dispatcher")
    categories = [c["code"] for c in worker.get("/api/v1/case-categories").json()]
    no = _report(worker, places.grid, category=categories[0]).json()["case_no"]
    assert no in [c["case_no"] for c in town.get("/api/v1/cases").json()["items"]]
    assert no not in [c["case_no"] for c in worker2.get("/api/v1/cases").json()["items"]]
    assert _report(worker, places.grid2, category=categories[0]).status_code == 422


def test_a_case_outside_every_grid_is_refused_in_chinese(worker):
    r = worker.post("/api/v1/cases", json={"title": "测试事项", "category": "x", "source": "patrol", "lon": 0.0,
                                           "lat": 0.0})
    assert r.status_code == 422


def _log_count(db, no):
    case_id = db.scalar(select(Case.id).where(Case.case_no == no))
    return len(db.scalars(select(CaseLogEntry.id).where(CaseLogEntry.case_id == case_id)).all())


@pytest.mark.req("D1", "E2")
def test_a_hotline_case_answers_as_stored_and_tells_the_grids_workers(client_as, places, db):
    """Intake answers from what it wrote (no read-back): the answer must be the case as stored,
    and the grid's active workers (only they) are told to verify it, once each."""
    import shapely

    town = client_as("town_dispatcher")
    wkb = db.scalar(select(Grid.geom_wkb).where(Grid.code == places.grid))
    inside = shapely.point_on_surface(shapely.from_wkb(wkb))
    category = town.get("/api/v1/case-categories").json()[1]["code"]
    r = town.post("/api/v1/cases", json={
        "title": "群众反映路灯不亮", "description": "夜间整条路段路灯不亮", "category": category,
        "source": "hotline", "urgency": "urgent", "lon": inside.x, "lat": inside.y, "address": "解放路口",
        "reporter_name": "王先生", "reporter_phone": "13912345678"})
    assert r.status_code == 201, r.text
    answered = r.json()
    assert answered["state"] == "reported" and answered["grid_code"] == places.grid
    assert answered["reporter_phone"] != "13912345678" and answered["reporter_phone"].endswith("5678")
    assert answered["available_actions"]
    assert town.get(f"/api/v1/cases/{answered['case_no']}").json() == answered

    case_id = db.scalar(select(Case.id).where(Case.case_no == answered["case_no"]))
    told = db.execute(select(Notification.user_id, Notification.kind, Notification.dedupe_key)
                      .where(Notification.case_id == case_id)).all()
    workers = set(db.scalars(select(User.id).where(
        User.scope_code == places.grid, User.is_active.is_(True),
        User.role.in_(["leader", "fulltime", "parttime", "professional"]))))
    assert workers and {u for u, _, _ in told} == workers and len(told) == len(workers)
    assert {k for _, k, _ in told} == {"case_to_verify"}
    assert {key for _, _, key in told} == {f"{answered['case_no']}:reported:{u}" for u in workers}


def test_a_refused_intake_takes_no_number(worker, places):
    """Intake takes its number with the matter lookup (one round trip on PostgreSQL) and refuses
    an unlisted category afterwards: the refusal must give the number back (no gap)."""
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    first = _report(worker, places.grid, category=category).json()["case_no"]
    refused = _report(worker, places.grid, category="no_such_matter")
    assert refused.status_code == 422 and "no_such_matter" in refused.json()["detail"]
    second = _report(worker, places.grid, category=category).json()["case_no"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_an_action_reads_the_matters_limits_and_the_departments_once(client_as, places, db, app):
    """Issue 12: an action and its answer read ``Matter.limits`` once and the case's departments once
    (the actor's part and the answer's lists share them), rather than each step reading its own."""
    from sqlalchemy import event

    worker, town, dept = client_as("worker"), client_as("town_dispatcher"), client_as("dept_cg")
    no = _report(worker, places.grid).json()["case_no"]
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    for client, action, body in ((worker, "escalate", {}), (town, "accept", {}),
                                 (town, "dispatch", {"lead_department": lead})):
        assert client.post(f"/api/v1/cases/{no}/actions/{action}", json=body).status_code == 200

    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()).lower())

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        r = dept.post(f"/api/v1/cases/{no}/actions/sign", json={})
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    assert r.status_code == 200 and r.json()["departments"]["lead"]["code"] == lead, r.text
    limits = [s for s in seen if s.startswith("select matters.limits")]
    departments = [s for s in seen if "from case_departments join departments" in s]
    assert len(limits) == 1, limits
    assert len(departments) == 1, departments
