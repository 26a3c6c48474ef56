"""Two people acting on one case at once: one wins, the other hears 409, nothing is half-written.

The requests go through the real app on a committed database (each request commits or rolls back
on its own session), from two threads released together by a barrier, several rounds per backend.
On PostgreSQL the first request locks the case row (SELECT … FOR UPDATE) and the second, once it
gets the row, sees the new state and is refused by the lifecycle table. On SQLite (WAL) both may
read the old state; the second writer then fails with "database is locked" (a stale snapshot), which
``actions.act`` maps to 409, or sees the new state if it started after the first committed.
"""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.cases import service
from gridgov.models import Case, CaseLogEntry

from ..conftest import token_for

CITY = "321100000000"
ROUNDS = 6


def _client(app, username: str) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
    return c


def _at_once(calls):
    """Runs each ``call()`` in its own thread, all released by one barrier; their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request never returned (deadlock?)"
    return results


def _file(factory, case_no):
    with factory() as s:
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        log = s.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq)).all()
        return case.state, case.version, case.log_length, [e.action for e in log], service.verify_files(s, case_no)


def test_two_people_acting_on_one_case_at_once(committed):
    app, factory = committed
    with factory() as s:
        grid = demo_places(s, CITY).grid
    worker, leader = _client(app, "worker"), _client(app, "leader")  # both grid workers of the demo grid
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    outcomes = []
    for round_no in range(ROUNDS):
        r = worker.post("/api/v1/cases", json={"title": f"并发测试 {round_no}", "category": category,
                                               "source": "patrol", "grid_code": grid, "address": "测试路 1 号"})
        assert r.status_code == 201, r.text
        no = r.json()["case_no"]
        state, version, length, actions, broken = _file(factory, no)
        assert (state, length, actions, broken) == ("verified", 1, ["create"], {})

        # Odd rounds: the same action twice; even rounds: two different actions on one state.
        second = ("escalate", {}) if round_no % 2 else ("solve_on_site", {"result": "现场已处置"})
        first = worker.post, f"/api/v1/cases/{no}/actions/escalate", {}
        other = leader.post, f"/api/v1/cases/{no}/actions/{second[0]}", second[1]
        responses = _at_once([lambda c=c: c[0](c[1], json=c[2]) for c in (first, other)])
        assert not any(isinstance(x, BaseException) for x in responses), responses
        codes = sorted(x.status_code for x in responses)
        assert codes == [200, 409], [(x.status_code, x.text) for x in responses]
        winner = next(x for x in responses if x.status_code == 200).json()
        loser = next(x for x in responses if x.status_code == 409).json()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in loser["detail"])
        outcomes.append(loser["detail"])

        state, after, length, actions, broken = _file(factory, no)
        assert state == winner["state"]
        assert after == version + 1  # bumped once: the loser wrote nothing
        assert length == 2 and len(actions) == 2 and actions[0] == "create"
        assert actions[1] in ("escalate", second[0]) and broken == {}
    worker.close()
    leader.close()
