"""Case maps in a real browser: a worker on a 390×844 phone drags the report form's pin and the grid
shown, #lon/#lat and the grid code follow; the overview draws the jurisdiction's grid outlines under
its pins; the case page maps the case's grid. No request leaves the machine."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser


@pytest.fixture
def guarded(browser, live_server):
    contexts, outside = [], []

    def open_as(username: str, **options):
        context = browser.new_context(locale="zh-CN", **options)

        def guard(route):
            url = route.request.url
            if url.startswith((live_server, "data:", "blob:")):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server
        login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"


def _drag_pin_to(page, x: float, y: float) -> None:
    box = page.locator("#report-pin").bounding_box()
    # The pin's point is the middle of its icon's bottom edge; grab it just above.
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 8
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move((start_x + x) / 2, (start_y + y - 8) / 2, steps=5)
    page.mouse.move(x, y - 8, steps=10)
    page.mouse.up()


def _locate(page, live_server) -> dict:
    lon, lat = page.input_value("#lon"), page.input_value("#lat")
    return page.request.get(f"{live_server}/api/v1/grids/locate?lon={lon}&lat={lat}").json()


def test_a_worker_on_a_phone_drags_the_pin_and_the_grid_follows(guarded, live_server):
    worker = guarded("worker", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    grid_code = worker.request.get(live_server + "/api/v1/auth/me").json()["scope_code"]
    worker.goto(live_server + "/cases/new")
    wait_for_js(worker, "document.getElementById('report-map').dataset.ready === '1'")
    assert worker.input_value("#lon") == "" and worker.get_attribute("#pin-grid", "data-grid") == ""
    assert worker.locator(f'#report-map path.grid-outline[data-code="{grid_code}"]').count() == 1
    worker.evaluate("() => { window.__changes = 0; document.getElementById('lon')"
                    ".addEventListener('change', () => { window.__changes += 1; }); }")

    # Into the middle of its grid's outline: the grid is shown and filled in, the point set.
    worker.fill("#grid_code", "")
    outline = worker.locator(f'#report-map path.grid-outline[data-code="{grid_code}"]').bounding_box()
    _drag_pin_to(worker, outline["x"] + outline["width"] / 2, outline["y"] + outline["height"] / 2)
    wait_for_js(worker, f"document.getElementById('pin-grid').dataset.grid === '{grid_code}'")
    first = (worker.input_value("#lon"), worker.input_value("#lat"))
    assert all(first) and _locate(worker, live_server)["grid_code"] == grid_code
    assert worker.input_value("#grid_code") == grid_code and "标记所在网格" in worker.inner_text("#pin-grid")
    assert worker.evaluate("window.__changes") >= 1
    worker.locator("#locate").screenshot(path=str(_artefact("report-pin-phone.png")))

    # To the map's corner, outside the grid: the point moves and the grid shown says so.
    area = worker.locator("#report-map").bounding_box()
    _drag_pin_to(worker, area["x"] + area["width"] - 6, area["y"] + 14)
    wait_for_js(worker, "document.getElementById('pin-grid').textContent.indexOf('不在') !== -1")
    second = (worker.input_value("#lon"), worker.input_value("#lat"))
    assert second != first and worker.get_attribute("#pin-grid", "data-grid") == ""
    assert not _locate(worker, live_server)["found"]
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_overview_and_the_case_page_draw_grid_outlines(guarded, live_server):
    town = guarded("town_dispatcher", viewport={"width": 1280, "height": 860})
    town.goto(live_server + "/cases/overview")
    wait_for_js(town, "document.getElementById('case-map').hasAttribute('data-loaded')")
    grids = int(town.get_attribute("#case-map", "data-grids"))
    assert grids > 1 and town.locator("#case-map path.grid-outline").count() == grids
    # Fitted to the jurisdiction, not a 300 km view: the scale bar reads metres or a few km.
    scale = town.inner_text("#case-map .leaflet-control-scale-line")
    assert scale.endswith(" m") or int(scale.split()[0]) <= 5, scale
    case_no = _a_case(live_server)
    town.goto(f"{live_server}/cases/{case_no}")
    wait_for_js(town, "document.getElementById('case-place-map').hasAttribute('data-grid')")
    assert town.locator("#case-place-map path.grid-shape").count() == 1


def _a_case(live_server) -> str:
    """A case the worker reports (through the API, on loopback) at a point of its grid."""
    import httpx
    from shapely.geometry import shape

    with httpx.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"username": "worker", "password": "demo12345"}).json()
        api.headers["Authorization"] = f"Bearer {token['access_token']}"
        grid = api.get(f"/api/v1/grids/{api.get('/api/v1/auth/me').json()['scope_code']}").json()
        point = shape(grid["geometry"]).representative_point()
        category = api.get("/api/v1/case-categories").json()[0]["code"]
        r = api.post("/api/v1/cases", json={"title": "路灯不亮", "category": category, "source": "patrol",
                                            "lon": point.x, "lat": point.y})
    assert r.status_code == 201, r.text
    return r.json()["case_no"]


def _artefact(name: str):
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "maps"
    out.mkdir(parents=True, exist_ok=True)
    return out / name
