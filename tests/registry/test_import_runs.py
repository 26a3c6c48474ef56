"""Register imports in the background with progress (issue 15: "all or nothing, with progress for
large files"): the run's progress seen by a poller while it writes, the result at the end, a failed
run with each bad row and nothing written, and the run hidden from users who did not start it and
whose jurisdiction does not hold it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.kit.clock import utc_now
from gridgov.models import User
from gridgov.models.registry import ImportRun, Person
from gridgov.registry import import_runs, importing

from .test_io import _csv, _id, _places

pytestmark = pytest.mark.req("D3")

RUNS = "/api/v1/registry/imports"


def _people(county: str, village: str, n: int) -> list[dict]:
    """``n`` valid people (sequence numbers below the demo's 950–999, so none is registered yet)."""
    out = []
    for i in range(n):
        born = date(1960, 1, 1) + timedelta(days=i)
        out.append({"name": f"进度{i}", "id_number": _id(f"{county[:6]}{born:%Y%m%d}{100 + i % 800:03d}"),
                    "residence_kind": "户籍人口", "area_code": village})
    return out


def _start(client, kind: str, content: bytes, name: str = "big.csv"):
    return client.post(RUNS, data={"kind": kind}, files={"file": (name, content, "application/octet-stream")})


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Person))


def test_a_large_import_runs_in_the_background_and_a_poller_sees_its_progress(db, client, monkeypatch):
    places = _places(db)
    content = _csv("people", _people(places.county, places.grid[:12], 3000))
    monkeypatch.setattr(importing, "BATCH", 500)  # six batches: six progress updates
    seen: list[dict] = []
    update = import_runs.Board.update

    def polled(board, run_id, user_id, done, total):  # after each update a poller asks, as the page does
        update(board, run_id, user_id, done, total)
        seen.append(client.get(f"{RUNS}/{run_id}").json())

    monkeypatch.setattr(import_runs.Board, "update", polled)
    before = _count(db)
    r = _start(client, "people", content)
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["state"] == "queued" and started["done"] == 0
    running = [(s["state"], s["done"], s["total"]) for s in seen]
    assert ("running", 500, 3000) in running and ("running", 2500, 3000) in running
    assert [d for state, d, t in running if t == 3000] == [0, 500, 1000, 1500, 2000, 2500, 3000]
    final = client.get(f"{RUNS}/{started['id']}").json()
    assert (final["state"], final["done"], final["total"], final["created"]) == ("done", 3000, 3000, 3000)
    assert final["errors"] == [] and final["finished_at"] is not None
    assert _count(db) == before + 3000
    # the run's row holds the result (no poller's memory needed once it ended)
    assert db.get(ImportRun, started["id"]).state == "done"


def test_a_run_with_bad_rows_ends_failed_with_each_row_and_writes_nothing(db, client):
    places = _places(db)
    rows = _people(places.county, places.grid[:12], 1200)
    good = rows[10]["id_number"]
    rows[10]["id_number"] = good[:17] + ("1" if good[17] != "1" else "2")  # bad check digit: line 12
    rows[500]["area_code"] = "999999999999"  # unknown village: line 502
    rows[900]["birth_date"] = "1980-13-40"  # bad date: line 902
    before = _count(db)
    r = _start(client, "people", _csv("people", rows))
    assert r.status_code == 202, r.text
    run = client.get(f"{RUNS}/{r.json()['id']}").json()
    assert run["state"] == "failed" and "未导入任何数据" in run["message"]
    assert {(e["line"], e["column"]) for e in run["errors"]} == {(12, "公民身份号码"), (502, "现住村（社区）代码"),
                                                               (902, "出生日期")}
    assert "校验位" in {e["line"]: e["reason"] for e in run["errors"]}[12]
    assert good[:17] not in str(run)  # the error table names rows, never their values
    assert _count(db) == before


def test_an_unreadable_file_ends_failed(db, client):
    r = _start(client, "people", b"PK\x03\x04 not really a workbook", "p.xlsx")
    run = client.get(f"{RUNS}/{r.json()['id']}").json()
    assert run["state"] == "failed" and "Excel" in run["message"]


def test_the_page_starts_a_run_and_shows_its_bar_and_error_table(db, client_as):
    places = _places(db)
    html = {"accept": "text/html"}
    admin = client_as("city_admin")
    page = admin.get("/registry/io", headers=html)
    assert 'action="/registry/io/imports"' in page.text
    rows = [{"name": "钱二", "id_number": "110105194912310021", "residence_kind": "户籍人口",
             "area_code": places.grid[:12]}]
    r = admin.post("/registry/io/imports", data={"kind": "people"}, headers=html, follow_redirects=False,
                   files={"file": ("p.csv", _csv("people", rows), "text/csv")})
    assert r.status_code == 303 and r.headers["location"].startswith("/registry/io?run=")
    shown = admin.get(r.headers["location"], headers=html)
    assert 'id="import-run"' in shown.text and 'data-state="failed"' in shown.text
    assert "<td class=\"num\">2</td><td>公民身份号码</td>" in shown.text and "/registry/io/runs/" not in shown.text
    good = _people(places.county, places.grid[:12], 3)
    r = admin.post("/registry/io/imports", data={"kind": "people"}, headers=html, follow_redirects=False,
                   files={"file": ("p.csv", _csv("people", good), "text/csv")})
    run_id = int(r.headers["location"].rsplit("=", 1)[1])
    fragment = admin.get(f"/registry/io/runs/{run_id}", headers=html)
    assert 'data-state="done"' in fragment.text and "<progress" in fragment.text and "导入完成" in fragment.text


def test_a_running_run_polls_every_second_with_a_progress_bar(db, client_as):
    admin = client_as("city_admin")
    board = import_runs.board_of(admin.app.state)
    me = db.scalar(select(User).where(User.username == "city_admin"))
    run = ImportRun(kind="people", user_id=me.id, scope_code=me.scope_code, state="running", done=0, total=100,
                    created=0, message="", errors=[], created_at=utc_now())
    db.add(run)
    db.flush()
    run_id = run.id
    board.update(run_id, me.id, 40, 100)  # as if the run were writing its rows now
    try:
        fragment = admin.get(f"/registry/io/runs/{run_id}", headers={"accept": "text/html"}).text
    finally:
        board.end(run_id)
    assert 'hx-trigger="every 1s"' in fragment and 'max="100" value="40"' in fragment
    # while the run is live its user may not start another one
    board.update(run_id, me.id, 40, 100)
    try:
        busy = admin.post(RUNS, data={"kind": "people"}, files={"file": ("p.csv", b"x", "text/csv")})
    finally:
        board.end(run_id)
    assert busy.status_code == 409 and "正在进行" in busy.json()["detail"]
    # the page shows the same bar while the run is live
    page = admin.get(f"/registry/io?run={run_id}", headers={"accept": "text/html"}).text
    assert 'id="import-run"' in page and f'hx-get="/registry/io/runs/{run_id}"' in page


def test_a_run_left_live_by_an_earlier_server_process_shows_failed(db, client):
    me = db.scalar(select(User).where(User.username == "city_admin"))
    import_runs.board_of(client.app.state)  # this process's board exists from its first import
    run = ImportRun(kind="units", user_id=me.id, scope_code=me.scope_code, state="running", done=0, total=9000,
                    created=0, message="", errors=[], created_at=utc_now() - timedelta(hours=1))
    db.add(run)
    db.flush()
    shown = client.get(f"{RUNS}/{run.id}").json()
    assert shown["state"] == "failed" and "中断" in shown["message"] and shown["created"] == 0
