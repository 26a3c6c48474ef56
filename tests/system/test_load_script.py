"""bench/load.py keeps working: a few seconds of its mixed load, with a handful of users, against a live
demo server on each database (the figures themselves are bench/README.md's, never a test's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_load_script_drives_every_role_through_the_api_without_an_error(live_server_on_backend, backend):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--url", live_server_on_backend, "--users", "8",
         "--duration", "5", "--think", "0.2", "--baseline", "1", "--prefix", f"t{backend[0]}_"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    *lines, summary = [json.loads(line) for line in done.stdout.splitlines()]
    assert summary["op"] == "summary" and summary["users"] == 8
    assert summary["errors"] == summary["health_errors"] == summary["baseline_errors"] == 0
    assert summary["accounts_created"] == 8 and summary["counts"] == {
        "worker": 4, "dispatcher": 1, "department": 1, "leader": 2}
    done_by = {(line["role"], line["op"]): line["count"] - line["errors"] - line["conflicts"] for line in lines}
    for role in ("worker", "dispatcher", "department", "leader", "probe"):
        assert sum(n for (r, _op), n in done_by.items() if r == role) > 0, (role, done_by)
    # the workers' cases reached the town's inbox: the dispatcher found them there
    assert done_by[("worker", "report")] > 0 and summary["cases_reported"] == done_by[("worker", "report")]
    assert done_by.get(("dispatcher", "accept"), 0) > 0, done_by


def test_more_requests_than_pool_connections_queue_instead_of_failing(demo_engine, tmp_path):
    """The stall bench/load.py found (gridgov.admission): with more concurrent requests than the thread
    pool has threads and a pool of two connections, the requests holding a connection waited for a
    thread to commit in behind requests waiting for a connection, until the pool's timeout made 500s."""
    import asyncio

    import httpx

    from gridgov.app import create_app
    from gridgov.db import make_engine

    from ..conftest import make_settings

    url = demo_engine.url.render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=2, max_overflow=0, pool_timeout=1)
    app = create_app(make_settings(url, tmp_path), engine=engine)

    async def many() -> list[int]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            answers = await asyncio.gather(*(http.get("/api/v1/health") for _ in range(80)))
        return [r.status_code for r in answers]

    # A loop of its own in a thread of its own: a session-scoped browser (Playwright's sync API) may
    # already run an event loop in this worker's main thread.
    from concurrent.futures import ThreadPoolExecutor

    try:
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, many()).result(timeout=120) == [200] * 80
    finally:
        engine.dispose()
