"""A case in a grid with no worker on post (issue 13): the agency holding it verifies it itself, or
assigns it to a worker of a neighbouring grid who then sees and verifies it, as the profile's
``cases.unstaffed_grid`` allows; both through the lifecycle and the hash-chained file. SQLite and
PostgreSQL.

In the demo, only the demo grid (…001) has worker accounts; its neighbour …002 (same village) has
posts but no account acting on them: nobody could verify a case there before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service, unstaffed
from gridgov.models import Case, CaseAssignment, Notification, User

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def bare_grid(places):
    """A grid of the demo grid's village with no worker account on post."""
    return places.grid[:12] + "002"


def _register(town, grid):
    category = town.get("/api/v1/case-categories").json()[0]["code"]
    r = town.post("/api/v1/cases", json={"title": "群众反映井盖缺失", "category": category, "source": "hotline",
                                         "grid_code": grid, "address": "解放路 8 号", "reporter_name": "李女士"})
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "reported"
    return r.json()


def _act(client, no, action, **body):
    return client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)


def _uid(db, username):
    return db.scalar(select(User.id).where(User.username == username))


def _only(app, *ways):
    profile = app.state.profile
    app.state.profile = profile.model_copy(
        update={"cases": profile.cases.model_copy(update={"unstaffed_grid": list(ways)})})


@pytest.mark.setting("cases.unstaffed_grid")
@pytest.mark.req("D2")
def test_an_agency_verifies_and_accepts_a_case_in_a_grid_with_no_worker(client_as, db, places, bare_grid):
    town = client_as("town_dispatcher")
    case = _register(town, bare_grid)
    assert {"verify", "assign", "reject"} <= set(case["available_actions"])
    no = case["case_no"]
    r = _act(town, no, "verify", note="电话回访核实属实")
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    assert "accept" in r.json()["available_actions"]
    r = _act(town, no, "accept")
    assert r.status_code == 200 and r.json()["state"] == "accepted", r.text
    assert r.json()["clocks"]["report"]["status"] in ("on_time", "warning", "overdue")
    log = town.get(f"/api/v1/cases/{no}/log").json()
    assert [(e["action"], e["role"], e["to_state"]) for e in log] == [
        ("create", "agency_dispatcher", "reported"), ("verify", "agency_dispatcher", "verified"),
        ("accept", "agency_dispatcher", "accepted")]
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(log, log[1:], strict=False))
    stored = db.scalar(select(Case).where(Case.case_no == no))
    assert service.file_problems(db, stored) == []


@pytest.mark.setting("cases.unstaffed_grid")
def test_where_the_grid_has_a_worker_the_agency_neither_verifies_nor_assigns(client_as, places):
    town = client_as("town_dispatcher")
    case = _register(town, places.grid)
    assert not {"verify", "assign"} & set(case["available_actions"])
    r = _act(town, case["case_no"], "verify")
    assert r.status_code == 403 and "本网格的网格员" in r.json()["detail"]
    assert town.get(f"/api/v1/cases/{case['case_no']}").json()["state"] == "reported"


@pytest.mark.setting("cases.unstaffed_grid")
@pytest.mark.req("D2")
def test_a_case_assigned_to_a_neighbouring_grids_worker_is_seen_and_verified_by_it(
        client_as, db, places, bare_grid):
    town, worker, worker2 = client_as("town_dispatcher"), client_as("worker"), client_as("worker2")
    no = _register(town, bare_grid)["case_no"]
    assert worker.get(f"/api/v1/cases/{no}").status_code == 404  # not its grid, not yet assigned
    neighbours = unstaffed.neighbours(db, db.scalar(select(Case).where(Case.case_no == no)),
                                      client_as("worker").app.state.profile)
    assert {n.user_id for n in neighbours} == {_uid(db, "worker"), _uid(db, "leader")}
    # A worker of another county is no neighbour: 422, nothing written.
    r = _act(town, no, "assign", worker=_uid(db, "worker2"))
    assert r.status_code == 422 and "不是相邻网格的在岗网格员" in r.json()["detail"], r.text
    assert db.scalar(select(CaseAssignment.id).where(CaseAssignment.user_id == _uid(db, "worker2"))) is None
    r = _act(town, no, "assign", worker=_uid(db, "worker"), note="相邻网格代为核实")
    assert r.status_code == 200 and r.json()["state"] == "reported", r.text
    case_id = db.scalar(select(Case.id).where(Case.case_no == no))
    assert db.scalar(select(Notification.id).where(Notification.case_id == case_id,
                                                   Notification.user_id == _uid(db, "worker"),
                                                   Notification.kind == "assign"))
    seen = worker.get(f"/api/v1/cases/{no}")
    assert seen.status_code == 200 and "verify" in seen.json()["available_actions"]
    assert no in {c["case_no"] for c in worker.get("/api/v1/cases").json()["items"]}
    assert worker2.get(f"/api/v1/cases/{no}").status_code == 404
    r = _act(worker, no, "verify", note="现场核实属实")
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    r = _act(worker, no, "escalate")
    assert r.status_code == 200 and r.json()["state"] == "escalated", r.text
    log = town.get(f"/api/v1/cases/{no}/log").json()
    assert [(e["action"], e["actor"]) for e in log] == [
        ("create", "town_dispatcher"), ("assign", "town_dispatcher"), ("verify", "worker"), ("escalate", "worker")]
    assert log[1]["data"]["worker"] == _uid(db, "worker") and log[1]["data"]["worker_grid"] == places.grid
    assert service.file_problems(db, db.get(Case, case_id)) == []


@pytest.mark.setting("cases.unstaffed_grid")
def test_the_profile_decides_which_way_the_agency_may_take(app, client_as, db, bare_grid):
    town = client_as("town_dispatcher")
    _only(app)  # neither: the old dead end (only refuse or supervise)
    no = _register(town, bare_grid)["case_no"]
    assert _act(town, no, "verify").status_code == 403
    assert _act(town, no, "assign", worker=_uid(db, "worker")).status_code == 403
    _only(app, "agency_verifies")
    assert "assign" not in town.get(f"/api/v1/cases/{no}").json()["available_actions"]
    assert _act(town, no, "assign", worker=_uid(db, "worker")).status_code == 403
    _only(app, "neighbour_worker")
    assert _act(town, no, "verify").status_code == 403
    assert _act(town, no, "assign", worker=_uid(db, "worker")).status_code == 200


def test_the_agency_inbox_lists_a_case_it_must_verify_for_an_unstaffed_grid(client_as, places, bare_grid):
    town = client_as("town_dispatcher")
    waiting = _register(town, bare_grid)["case_no"]
    staffed = _register(town, places.grid)["case_no"]
    page = town.get("/cases/inbox", headers={"accept": "text/html"}).text
    assert "待核实（网格无在岗网格员）" in page and waiting in page and staffed not in page
    form = town.get(f"/cases/{waiting}", headers={"accept": "text/html"}).text
    assert 'name="worker"' in form and "张网格（" in form  # the demo grid's worker, offered as a neighbour
