"""Luzhou's loop end to end through the API, on its own demo city, on both databases (issue 13).

LZ§5 sets up grid agencies down to the village (村/社区) and LZ§16 has workers report to the village
agency; an urgent case goes "立即" to the competent department as well. The demo city here is
luzhou's (built once per backend, every test rolled back), served by an app running under luzhou's
profile, so the accounts are the ones the LZ demo gives (``village_dispatcher`` among them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Matter, Notification, User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY, token_for

LZ_CITY = "510500000000"


@pytest.fixture(scope="session")
def lz_engine(db_factory, template_url):
    """A migrated database holding luzhou's demo city (100 grids), committed once per backend."""
    from gridgov.demo import build_demo

    url = db_factory.create(f"gridgov_lz_{db_factory.backend}", template=template_url)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, load_profile("luzhou"), grids=100, now=utc_now(), cipher=FieldCipher(TEST_SECRET_KEY))
    yield engine
    engine.dispose()


@pytest.fixture
def lz(lz_engine, tmp_path):
    """(client_as, session): clients of an app under luzhou's profile over the LZ demo city, and a
    session on the same rolled-back transaction for checks."""
    from fastapi.testclient import TestClient

    from gridgov.app import create_app
    from gridgov.territory.service import locators

    conn = lz_engine.connect()
    trans = conn.begin()
    settings = Settings(demo=True, database_url=str(lz_engine.url), profile="luzhou", var_dir=tmp_path,
                        secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=lz_engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    clients = []

    def client_as(username: str):
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
        clients.append(c)
        return c

    yield client_as, session
    for c in clients:
        c.close()
    session.close()
    trans.rollback()
    conn.close()
    locators.clear()


def _places(session):
    return demo_places(session, LZ_CITY)


def _category(session, places) -> str:
    """安全隐患排查 (LZ§14) on the first county's list: the LZ demo's cases name listed matters."""
    return session.scalar(select(Matter.code).where(Matter.code == f"lz14_04_{places.county[:6]}"))


def _report(client, session, **extra) -> dict:
    places = _places(session)
    body = {"title": "山体护坡出现裂缝", "category": _category(session, places), "source": "patrol",
            "grid_code": places.grid, "address": "滨江路 3 号", **extra}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _act(client, case_no: str, action: str, status: int = 200, **payload) -> dict:
    r = client.post(f"/api/v1/cases/{case_no}/actions/{action}", json=payload)
    assert r.status_code == status, r.text
    return r.json()


def _dept(session, username: str) -> str:
    return session.scalar(select(User.department_code).where(User.username == username))


def _notices(session, username: str, kind: str | None = None) -> list[Notification]:
    uid = session.scalar(select(User.id).where(User.username == username))
    stmt = select(Notification).where(Notification.user_id == uid)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------------------------
# The village agency (LZ§5, LZ§16)


@pytest.mark.setting("territory.agency_levels", "cases.report_to")
@pytest.mark.req("A1", "D2", "D3", "D6", "D8")
def test_a_worker_report_is_accepted_and_carried_to_the_end_by_the_village_agency(lz):
    client_as, session = lz
    places = _places(session)
    worker, village = client_as("worker"), client_as("village_dispatcher")
    case = _report(worker, session)
    no = case["case_no"]
    assert (case["state"], case["handling_level"], case["handling_area_code"]) == ("verified", "village",
                                                                                 places.village)
    _act(worker, no, "escalate")
    assert any(no in n.message for n in _notices(session, "village_dispatcher", "escalate"))

    # The case is the village's: the agencies above may see it but not accept it.
    for above in ("town_dispatcher", "county_dispatcher", "city_admin"):
        _act(client_as(above), no, "accept", 403)
    assert "accept" in village.get(f"/api/v1/cases/{no}").json()["available_actions"]
    inbox = village.get("/cases/inbox")
    assert inbox.status_code == 200 and no in inbox.text

    _act(village, no, "accept")
    _act(village, no, "dispatch", lead_department=_dept(session, "dept_cg"))
    cg = client_as("dept_cg")
    _act(cg, no, "sign")
    _act(cg, no, "handle", result="已加固护坡并设置警示标志")
    _act(village, no, "check")
    closed = _act(village, no, "feedback", evaluation="satisfied")
    assert closed["state"] == "closed"

    log = village.get(f"/api/v1/cases/{no}/log").json()
    assert [e["action"] for e in log] == ["create", "escalate", "accept", "dispatch", "sign", "handle", "check",
                                          "feedback"]
    assert {e["actor"] for e in log if e["action"] in ("accept", "dispatch", "check", "feedback")} == {
        "village_dispatcher"}
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(log, log[1:], strict=False))


@pytest.mark.setting("territory.agency_levels")
@pytest.mark.req("A1", "D10")
def test_the_village_agency_passes_a_case_up_to_the_town_which_then_holds_it(lz):
    client_as, session = lz
    places = _places(session)
    worker, village, town = client_as("worker"), client_as("village_dispatcher"), client_as("town_dispatcher")
    no = _report(worker, session)["case_no"]
    _act(worker, no, "escalate")
    _act(village, no, "accept")
    up = _act(village, no, "pass_up", reason="涉及多个村，需镇街统筹")
    assert (up["handling_level"], up["handling_area_code"]) == ("town", places.town)
    assert any(no in n.message for n in _notices(session, "town_dispatcher", "pass_up"))
    _act(village, no, "dispatch", 403, lead_department=_dept(session, "dept_cg"))
    _act(town, no, "dispatch", lead_department=_dept(session, "dept_cg"))
    up = _act(town, no, "comment", note="镇街已分派")
    assert up["state"] == "dispatched"


def test_the_luzhou_demo_has_a_village_agency_account_and_the_others_do_not(lz, db):
    _client_as, session = lz
    places = _places(session)
    user = session.scalar(select(User).where(User.username == "village_dispatcher"))
    assert (user.role, user.scope_code, user.is_active) == ("agency_dispatcher", places.village, True)
    assert db.scalar(select(User.id).where(User.username == "village_dispatcher")) is None  # zhenjiang's demo
    assert "village_dispatcher" not in {a.username for a in DEMO_ACCOUNTS}


def test_the_luzhou_login_page_lists_the_village_account(lz):
    client_as, _session = lz
    page = client_as("worker").get("/login")
    assert page.status_code == 200 and "village_dispatcher" in page.text


# ---------------------------------------------------------------------------------------------
# An urgent case goes straight to the competent department as well (LZ§16)


@pytest.mark.setting("cases.emergency_to_department")
@pytest.mark.req("D2")
def test_an_emergency_reaches_the_competent_department_at_once_with_its_own_clock(lz):
    client_as, session = lz
    worker, village, sc, cg = (client_as(u) for u in ("worker", "village_dispatcher", "dept_sc", "dept_cg"))
    case = _report(worker, session, urgency="emergency", title="农贸市场燃气泄漏")
    no = case["case_no"]
    assert sc.get(f"/api/v1/cases/{no}").status_code == 404  # not yet reported to anyone
    assert case["departments"]["emergency"] == []

    before = utc_now()
    escalated = _act(worker, no, "escalate", department=_dept(session, "dept_sc"))
    assert escalated["state"] == "escalated"
    assert [d["code"] for d in escalated["departments"]["emergency"]] == [_dept(session, "dept_sc")]
    clock = escalated["clocks"]["emergency"]
    due = datetime.fromisoformat(clock["due_at"])
    assert before + timedelta(hours=2) <= due <= utc_now() + timedelta(hours=2)  # accept_urgent_hours
    assert clock["stopped_at"] is None

    # At once: the department sees it, is told, and has it on its worklist, before any agency acts.
    seen = sc.get(f"/api/v1/cases/{no}")
    assert seen.status_code == 200 and seen.json()["state"] == "escalated"
    assert seen.json()["available_actions"] == ["comment", "attach", "acknowledge"]
    assert [n.kind for n in _notices(session, "dept_sc") if no in n.message] == ["case_emergency"]
    assert no in sc.get("/cases/department").text
    assert cg.get(f"/api/v1/cases/{no}").status_code == 404  # another department: nothing
    _act(cg, no, "acknowledge", 404)
    _act(village, no, "acknowledge", 403)  # only the department it was sent to

    done = _act(sc, no, "acknowledge", note="已派员到场处置")
    assert done["state"] == "escalated" and done["clocks"]["emergency"]["stopped_at"] is not None
    assert done["departments"]["emergency"][0]["acknowledged_at"] is not None
    _act(sc, no, "acknowledge", 403)  # once
    assert sc.get(f"/api/v1/cases/{no}").status_code == 200  # it keeps seeing what it was sent

    # The loop carries on at the village agency, as for any case; every step is in the file.
    _act(village, no, "accept")
    log = village.get(f"/api/v1/cases/{no}/log").json()
    assert [e["action"] for e in log] == ["create", "escalate", "acknowledge", "accept"]
    assert log[1]["data"]["emergency_department"] == _dept(session, "dept_sc")
    assert log[2]["role"] == "dept_receiver" and log[2]["data"]["department"] == _dept(session, "dept_sc")


@pytest.mark.setting("cases.emergency_to_department")
@pytest.mark.req("D2")
def test_an_urgent_case_whose_department_is_not_known_is_sent_there_by_the_village_agency(lz):
    client_as, session = lz
    worker, village, sc = client_as("worker"), client_as("village_dispatcher"), client_as("dept_sc")
    no = _report(worker, session, urgency="urgent")["case_no"]
    escalated = _act(worker, no, "escalate")  # the matter names no department, nor does the worker
    assert escalated["departments"]["emergency"] == [] and "emergency" not in escalated["clocks"]
    assert "alert" in village.get(f"/api/v1/cases/{no}").json()["available_actions"]
    assert no in village.get("/cases/inbox").text
    assert "相关主管部门" in _act(village, no, "alert", 422)["detail"]
    _act(client_as("town_dispatcher"), no, "alert", 403, department=_dept(session, "dept_sc"))
    sent = _act(village, no, "alert", department=_dept(session, "dept_sc"))
    assert sent["state"] == "escalated" and sent["clocks"]["emergency"]["stopped_at"] is None
    assert "alert" not in sent["available_actions"]
    _act(village, no, "alert", 409, department=_dept(session, "dept_cg"))  # once
    assert sc.get(f"/api/v1/cases/{no}").status_code == 200
    assert [n.kind for n in _notices(session, "dept_sc") if no in n.message] == ["case_emergency"]
    _act(sc, no, "acknowledge")


@pytest.mark.setting("cases.emergency_to_department")
def test_only_an_urgent_case_goes_to_a_department_and_a_normal_one_never_needs_alerting(lz):
    client_as, session = lz
    worker, village = client_as("worker"), client_as("village_dispatcher")
    normal = _report(worker, session)["case_no"]
    refused = worker.post(f"/api/v1/cases/{normal}/actions/escalate", json={"department": _dept(session, "dept_sc")})
    assert refused.status_code == 422 and "紧急" in refused.json()["detail"]
    assert worker.get(f"/api/v1/cases/{normal}").json()["state"] == "verified"  # nothing changed
    assert _act(worker, normal, "escalate")["departments"]["emergency"] == []
    assert "alert" not in village.get(f"/api/v1/cases/{normal}").json()["available_actions"]
    _act(village, normal, "alert", 409, department=_dept(session, "dept_sc"))


@pytest.mark.setting("cases.emergency_to_department")
def test_the_matters_department_kind_picks_the_nearest_department_of_that_kind(lz):
    client_as, session = lz
    places = _places(session)
    matter = session.scalar(select(Matter).where(Matter.code == _category(session, places)))
    matter.department_kind = "yingji"
    session.flush()
    worker = client_as("worker")
    no = _report(worker, session, urgency="emergency")["case_no"]
    sent = _act(worker, no, "escalate")["departments"]["emergency"]
    assert [d["code"] for d in sent] == [f"{places.town}-yingji"]  # the town's, nearest the grid


@pytest.mark.setting("cases.emergency_to_department")
def test_the_sweep_tells_the_department_that_has_not_acknowledged_in_time(lz):
    from gridgov.cases.sweep import sweep

    client_as, session = lz
    worker = client_as("worker")
    no = _report(worker, session, urgency="emergency")["case_no"]
    _act(worker, no, "escalate", department=_dept(session, "dept_sc"))
    sweep(session, utc_now() + timedelta(hours=3))
    overdue = [n for n in _notices(session, "dept_sc", "clock_overdue") if no in n.message]
    assert len(overdue) == 1 and "紧急直报接报时限" in overdue[0].message
    assert [n for n in _notices(session, "village_dispatcher", "clock_overdue") if no in n.message]


# ---------------------------------------------------------------------------------------------
# Under a profile without the flag nothing changes


@pytest.mark.setting("cases.emergency_to_department")
def test_under_zhenjiang_an_emergency_goes_to_the_town_agency_only(client_as, db):
    assert not load_profile("zhenjiang").cases.emergency_to_department
    places = demo_places(db, "321100000000")
    worker = client_as("worker")
    body = {"title": "燃气泄漏", "category": "zj12_02", "source": "patrol", "grid_code": places.grid,
            "address": "中山路 1 号", "urgency": "emergency"}
    no = worker.post("/api/v1/cases", json=body).json()["case_no"]
    dept = db.scalar(select(User.department_code).where(User.username == "dept_sc"))
    named = worker.post(f"/api/v1/cases/{no}/actions/escalate", json={"department": dept})
    assert named.status_code == 422
    escalated = _act(worker, no, "escalate")
    assert "emergency" not in escalated["departments"] and "emergency" not in escalated["clocks"]
    assert client_as("dept_sc").get(f"/api/v1/cases/{no}").status_code == 404
    town = client_as("town_dispatcher")
    assert "alert" not in town.get(f"/api/v1/cases/{no}").json()["available_actions"]
    _act(town, no, "alert", 409, department=dept)


@pytest.mark.setting("cases.emergency_to_department")
def test_the_escalate_form_asks_for_the_department_only_for_an_urgent_case_under_luzhou(lz, client_as, db):
    lz_client_as, session = lz
    worker = lz_client_as("worker")
    urgent = _report(worker, session, urgency="urgent")["case_no"]
    normal = _report(worker, session)["case_no"]
    page = worker.get(f"/cases/{urgent}").text
    assert 'id="escalate-department"' in page and _dept(session, "dept_sc") in page
    assert 'id="escalate-department"' not in worker.get(f"/cases/{normal}").text
    posted = worker.post(f"/cases/{urgent}/actions/escalate", data={"department": _dept(session, "dept_sc")},
                         follow_redirects=False)
    assert posted.status_code == 303
    assert worker.get(f"/api/v1/cases/{urgent}").json()["departments"]["emergency"][0]["code"] == _dept(
        session, "dept_sc")

    places = demo_places(db, "321100000000")  # zhenjiang's demo: no such field
    zj_worker = client_as("worker")
    body = {"title": "燃气泄漏", "category": "zj12_02", "source": "patrol", "grid_code": places.grid,
            "address": "中山路 1 号", "urgency": "urgent"}
    no = zj_worker.post("/api/v1/cases", json=body).json()["case_no"]
    assert 'id="escalate-department"' not in zj_worker.get(f"/cases/{no}").text


@pytest.mark.req("D1")
def test_a_type_alone_names_the_county_variant_of_its_starter_matter_under_luzhou(lz):
    """LZ's lists are the counties' own (LZ§15), numbered per county (lz14_03 → lz14_03_510502): a case
    reported with a type and no matter falls under the county's variant of the type's starter matter,
    and the worker reports and escalates it in one submit."""
    client_as, session = lz
    places = _places(session)
    body = {"title": "路边私搭乱建", "type": "0101", "source": "patrol", "grid_code": places.grid,
            "address": "滨江路 5 号", "next_action": "escalate"}
    r = client_as("worker").post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["category"] == f"lz14_03_{places.county[:6]}" and case["type"] == "0101"
    assert case["state"] == "escalated"
