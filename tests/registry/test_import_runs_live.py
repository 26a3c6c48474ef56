"""A background import on a real server (uvicorn over SQLite and PostgreSQL): while the run's rows
are being written in their one transaction (holding SQLite's write lock), a poller's reads answer at
once with the progress so far, and the run ends ``done`` with every row.

Deterministic, not timed: the run is held after its second batch until the poller has seen that
batch's progress (an event), then let go."""

from __future__ import annotations

import threading

import httpx
import pytest

from gridgov.registry import import_runs, importing

from .test_import_runs import RUNS, _people
from .test_io import _csv, _places

pytestmark = pytest.mark.req("D3")


@pytest.fixture
def live(live_server_on_backend):
    return live_server_on_backend


def test_a_poller_reads_the_progress_while_the_rows_are_being_written(live, db, monkeypatch):
    places = _places(db)
    content = _csv("people", _people(places.county, places.grid2[:12], 3000))
    monkeypatch.setattr(importing, "BATCH", 500)
    reached, seen = threading.Event(), threading.Event()
    update = import_runs.Board.update

    def held(board, run_id, user_id, done, total):
        update(board, run_id, user_id, done, total)
        if done == 1000:  # two batches written, the transaction still open
            reached.set()
            seen.wait(timeout=60)

    monkeypatch.setattr(import_runs.Board, "update", held)
    with httpx.Client(base_url=live, timeout=30) as http:
        token = http.post("/api/v1/auth/token", json={"username": "city_admin", "password": "demo12345"})
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        r = http.post(RUNS, data={"kind": "people"}, files={"file": ("p.csv", content, "text/csv")})
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
        try:
            assert reached.wait(timeout=120), "导入未开始写入"
            mid = http.get(f"{RUNS}/{run_id}", timeout=5)  # answers while the write lock is held
            page = http.get(f"/registry/io/runs/{run_id}", headers={"accept": "text/html"}, timeout=5)
        finally:
            seen.set()
        assert mid.status_code == 200, mid.text
        assert (mid.json()["state"], mid.json()["done"], mid.json()["total"]) == ("running", 1000, 3000)
        assert 'max="3000" value="1000"' in page.text and 'hx-trigger="every 1s"' in page.text
        for _ in range(600):
            final = http.get(f"{RUNS}/{run_id}").json()
            if final["state"] not in import_runs.LIVE:
                break
            threading.Event().wait(0.1)
        assert (final["state"], final["done"], final["total"], final["created"]) == ("done", 3000, 3000, 3000)
        listed = http.get("/api/v1/people", params={"q": "进度2999"}).json()
        assert [p["name"] for p in listed["items"]] == ["进度2999"]  # committed, seen by another request
