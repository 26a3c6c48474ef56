"""The import page in a real browser on a 390×844 phone: the administrator uploads a file, the page
shows the run's <progress> bar (htmx polls it every second, no inline script) and, when the run ends,
the result. The run is held after its second batch until the bar has shown it (an event, not a timer)."""

from __future__ import annotations

import threading

import pytest

from gridgov.registry import import_runs, importing

from ..conftest import wait_for_js
from .test_import_runs import _people
from .test_io import _csv

pytestmark = pytest.mark.browser


def test_the_page_shows_the_progress_bar_then_the_result(page, live_server, monkeypatch):
    grid = page.request.get(f"{live_server}/api/v1/grids").json()["items"][-1]["code"]
    content = _csv("people", _people(grid[:6], grid[:12], 1500))
    monkeypatch.setattr(importing, "BATCH", 500)
    reached, seen = threading.Event(), threading.Event()
    update = import_runs.Board.update

    def held(board, run_id, user_id, done, total):
        update(board, run_id, user_id, done, total)
        if done == 1000:
            reached.set()
            seen.wait(timeout=60)

    monkeypatch.setattr(import_runs.Board, "update", held)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/registry/io")
    page.select_option("select[name=kind] >> nth=-1", "people")
    page.set_input_files("input[type=file][name=file]", {"name": "p.csv", "mimeType": "text/csv", "buffer": content})
    try:
        page.click("form[action='/registry/io/imports'] button[type=submit]")
        assert reached.wait(timeout=60)
        wait_for_js(page, "(document.querySelector('#import-run progress') || {}).value === 1000")
        assert page.get_attribute("#import-run progress", "max") == "1500"
        assert "1000" in page.text_content("#import-run")
    finally:
        seen.set()
    page.wait_for_selector("#import-run[data-state='done']", timeout=30000)
    assert "导入完成：实有人口 1500 条" in page.text_content("#import-run")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "页面在手机上出现横向滚动"
