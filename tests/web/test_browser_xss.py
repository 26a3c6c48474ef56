"""Stored XSS, in a real browser (issue 11, finding 1): user text with markup in it — a grid and an
area name (imported through POST /api/v1/grids/import), a redraw proposal, a staff name, a case,
a complaint and a matter name — is shown as text on every page that shows it: server pages, Leaflet
tooltips and popups, ECharts tooltips. The test fails if any of it runs (``window.__xss``, a dialog)
and checks the markup is visible as text. It also checks that the Content-Security-Policy itself
stops inline script, inline handlers and ``eval`` (so a spot missed one day still cannot run), and
that the pages raise no CSP violation of their own.

The module runs its own server over its own demo city, so the payloads stay out of the shared one."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from shapely.geometry import shape

from gridgov.accounts.demo import demo_places
from gridgov.db import make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now

from ..conftest import login, serve_demo_city, wait_for_js
from ..territory.territory_data import box

pytestmark = pytest.mark.browser

CITY = "321100000000"
IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SVG = '"><svg onload="window.__xss=2;alert(2)">'
P = {
    "area": "区域甲" + IMG,
    "county": "区县甲" + SVG,
    "grid1": "网格甲" + IMG,
    "grid2": "网格乙" + SVG,
    "redraw": "重划甲" + SVG,
    "reason": "理由甲" + IMG,
    "staff": "人员甲" + IMG,
    "case": "事件甲" + IMG,
    "case_text": "描述甲" + SVG,
    "complaint": "投诉甲" + IMG,
    "matter": "事项甲" + SVG,
}

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


live_server_engine: dict = {}
"""The engine behind each of this module's servers, by URL (the seed reads the demo places from it)."""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This module's own server (uvicorn on loopback over its own SQLite demo city)."""
    with serve_demo_city(tmp_path_factory.mktemp("xss"), "xss") as (live, engine):
        live_server_engine[live] = engine
        yield live


def _api(live: str, username: str | None) -> httpx.Client:
    c = httpx.Client(base_url=live, timeout=30)
    if username:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return c


@pytest.fixture(scope="module")
def seeded(live_server):
    """The payloads, put in through the API as the people who may put them in."""
    engine = live_server_engine[live_server]
    with unit_of_work(make_sessionmaker(engine)) as session:
        places = demo_places(session, CITY)
    out = {"places": places}
    village = places.town[:9] + "990"
    out["village"] = village
    out["grid1"], out["grid2"] = village + "001", village + "002"

    city = _api(live_server, "city_admin")
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"layer": "area", "code": "321190000000", "name": P["county"]},
         "geometry": box(10, 10, 14, 12)},
        {"type": "Feature", "properties": {"layer": "area", "code": village, "name": P["area"]},
         "geometry": box(0, 0, 4, 2)},
        {"type": "Feature", "properties": {"layer": "grid", "code": out["grid1"], "name": P["grid1"], "kind": "urban",
                                           "households": 300, "population": 900}, "geometry": box(0, 0, 2, 2)},
        {"type": "Feature", "properties": {"layer": "grid", "code": out["grid2"], "name": P["grid2"], "kind": "rural",
                                           "households": 200, "population": 600}, "geometry": box(2, 0, 4, 2)},
    ]}
    r = city.post("/api/v1/grids/import", json=fc)
    assert r.status_code == 200 and r.json()["grids_created"] == 2, r.text

    r = city.post("/api/v1/staff", json={"name": P["staff"], "gender": "男", "area_code": places.town})
    assert r.status_code == 201, r.text
    out["staff_id"] = r.json()["id"]

    worker = _api(live_server, "worker")
    grid = worker.get(f"/api/v1/grids/{places.grid}").json()
    inside = shape(grid["geometry"]).representative_point()
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = worker.post("/api/v1/cases", json={"title": P["case"], "description": P["case_text"], "category": category,
                                           "source": "patrol", "lon": inside.x, "lat": inside.y})
    assert r.status_code == 201, r.text
    out["case_no"] = r.json()["case_no"]

    with _api(live_server, None) as visitor:  # a resident, through the board's form (with its CSRF token)
        board = visitor.get(f"/board/{places.grid}", headers={"Accept": "text/html"}).text
        token = re.search(r'name="csrf_token" value="([^"]*)"', board).group(1)
        r = visitor.post(f"/board/{places.grid}/complaints", data={"content": P["complaint"], "csrf_token": token},
                         headers={"Accept": "text/html"})
    assert r.status_code in (200, 303), r.text

    town = _api(live_server, "town_dispatcher")
    out["complaint"] = next(c["id"] for c in town.get("/api/v1/complaints").json()["items"]
                            if c["content"] == P["complaint"])
    plan = {"features": [{"type": "Feature", "geometry": grid["geometry"],
                          "properties": {"code": places.grid, "name": P["redraw"], "kind": grid["kind"],
                                         "households": grid["households"]}}], "retire": []}
    r = town.post("/api/v1/adjustments", json={
        "kind": "redraw", "town_code": places.town, "trigger": "population_change", "reason": P["reason"],
        "committee_opinion": P["reason"], "effective_on": str(date(2099, 1, 1)), "plan": plan})
    assert r.status_code == 201, r.text
    out["adjustment"] = r.json()["id"]

    lists = _api(live_server, None).get("/api/v1/catalogue/lists", params={"area": places.county}).json()
    if not any(x["area_code"] == places.county for x in lists):
        from gridgov.catalogue import service
        from gridgov.policy.loader import load_profile

        with unit_of_work(make_sessionmaker(engine)) as session:
            service.ensure_lists(session, load_profile("zhenjiang"), places.county, now=utc_now())
        lists = _api(live_server, None).get("/api/v1/catalogue/lists", params={"area": places.county}).json()
    list_id = next(x["id"] for x in lists if x["area_code"] == places.county)
    dept = _api(live_server, "dept_cg")
    r = dept.post("/api/v1/catalogue/applications", json={
        "kind": "admission", "list_id": list_id, "reason": P["reason"],
        "matter": {"name": P["matter"], "description": P["case_text"], "legal_basis": "条例"}})
    assert r.status_code == 201, r.text
    out["application"] = r.json()["id"]
    for c in (city, worker, town, dept):
        c.close()
    return out


class Browser:
    """Pages of one person; every dialog and every request leaving the machine is recorded."""

    def __init__(self, browser, live: str, username: str | None) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH)
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.live = live

        def guard(route):
            url = route.request.url
            if url.startswith((live, "data:", "blob:")):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        self.context.route("**/*", guard)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.page.base_url = live
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        if username:
            login(self.page, username)

    def open(self, path: str):
        self.page.goto(self.live + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def clean(self, where: str, *, csp_quiet: bool = True) -> None:
        page = self.page
        page.wait_for_timeout(150)  # an <img src=x> fails in a moment: give its onerror the chance to run
        assert page.evaluate("window.__xss") is None, f"{where}：页面执行了注入的脚本"
        assert not self.dialogs, f"{where}：弹出了对话框 {self.dialogs}"
        assert not self.outside, f"{where}：向外部发出了请求 {self.outside}"
        if csp_quiet:
            assert page.evaluate("window.__csp") == [], f"{where}：页面自己违反了 CSP {page.evaluate('window.__csp')}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser, live_server):
    opened: list[Browser] = []

    def open_as(username: str | None) -> Browser:
        b = Browser(browser, live_server, username)
        opened.append(b)
        return b

    yield open_as
    for b in opened:
        b.close()


def _texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def _no_markup(page, selector: str) -> None:
    """No element made from a payload inside what the selector matches."""
    assert page.eval_on_selector_all(selector,
                                     "els => els.reduce((n, e) => n + e.querySelectorAll('img, svg, script').length, "
                                     "0)") == 0


def _hover_all_paths(page, container: str) -> list[str]:
    """Opens the tooltip of each shape on a Leaflet map (mouseover as Leaflet sees it) and returns their texts."""
    seen = []
    for path in page.locator(f"{container} path.leaflet-interactive").all():
        path.dispatch_event("mouseover")
        seen += _texts(page, f"{container} .leaflet-tooltip")
        _no_markup(page, f"{container} .leaflet-tooltip")
        path.dispatch_event("mouseout")
    return seen


def test_names_on_the_area_map_and_its_tooltips_stay_text(people, seeded):
    b = people("city_admin")
    page = b.open(f"/map?area={seeded['village']}")
    page.wait_for_selector("#map[data-loaded='2']")
    tips = _hover_all_paths(page, "#map")
    assert P["grid1"] in tips and P["grid2"] in tips
    page.locator(f"#map path[data-code='{seeded['grid2']}']").dispatch_event("click")
    assert page.inner_text("#grid-card .grid-card__name") == P["grid2"]
    assert P["area"] in page.inner_text("body")
    # The keyboard's ways in (issue 14): each grid's accessible name and the list beside the map.
    path = page.locator(f"#map path[data-code='{seeded['grid2']}']")
    assert path.get_attribute("aria-label") == P["grid2"] + "（网格）"
    assert page.locator(f"#grid-list li[data-code='{seeded['grid2']}'] button").text_content() == P["grid2"]
    _no_markup(page, "#grid-list")
    b.clean("地图页")


def test_names_on_the_coverage_map_stay_text(people, seeded):
    b = people("city_admin")
    page = b.open(f"/coverage?area={seeded['village']}")
    page.wait_for_selector("#coverage-map[data-loaded='2']")
    tips = _hover_all_paths(page, "#coverage-map")
    assert f"{P['grid1']}（{seeded['grid1']}）" in tips and f"{P['grid2']}（{seeded['grid2']}）" in tips
    assert P["area"] in page.inner_text("main")
    b.clean("覆盖检查页")


def test_names_on_grid_area_and_board_pages_stay_text(people, seeded):
    b = people("city_admin")
    for path, shown in [(f"/grids/{seeded['grid1']}", P["grid1"]), (f"/grids?area={seeded['village']}", P["grid2"]),
                        (f"/areas/{seeded['village']}", P["area"]), (f"/areas/{seeded['places'].town}", P["area"]),
                        (f"/board/{seeded['grid2']}", P["grid2"]), (f"/board/{seeded['grid1']}/print", P["grid1"])]:
        page = b.open(path)
        assert shown in page.inner_text("body"), path
        b.clean(path)


def test_area_names_in_the_home_chart_tooltip_stay_text(people, seeded):
    b = people("city_admin")
    page = b.open("/")
    page.wait_for_selector("#county-chart svg")
    names = page.evaluate("JSON.parse(document.getElementById('chart-data').textContent).names")
    index = names.index(P["county"])
    page.evaluate("i => echarts.getInstanceByDom(document.getElementById('county-chart'))"
                  ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i})", index)
    tip = page.locator("#county-chart .chart-tip")
    tip.wait_for()
    assert P["county"] in tip.inner_text()
    _no_markup(page, "#county-chart .chart-tip")
    b.clean("首页图表")


def test_a_redraw_proposal_stays_text_on_its_page_and_map(people, seeded):
    b = people("town_dispatcher")
    page = b.open(f"/adjustments/{seeded['adjustment']}")
    wait_for_js(page, "document.querySelectorAll('#adjust-map path').length >= 2")
    tips = _hover_all_paths(page, "#adjust-map")
    assert f"{P['redraw']}（{seeded['places'].grid}）" in tips
    assert P["reason"] in page.inner_text("main")
    b.clean("网格调整页")
    page = b.open("/adjustments")
    b.clean("网格调整列表")


def test_a_staff_name_stays_text(people, seeded):
    b = people("city_admin")
    page = b.open(f"/staff?q={P['staff'][:3]}")
    assert P["staff"] in page.inner_text("main")
    page = b.open(f"/staff/{seeded['staff_id']}")
    assert P["staff"] in page.inner_text("main")
    b.clean("网格员页")


def test_a_case_stays_text_on_its_pages_and_the_overview_map(people, seeded):
    b = people("town_dispatcher")
    page = b.open(f"/cases/{seeded['case_no']}")
    assert P["case"] in page.inner_text("main") and P["case_text"] in page.inner_text("main")
    b.clean("事件详情")
    for path in ("/cases/mine",):
        page = b.open(path)
        assert P["case"] in page.inner_text("main"), path
        b.clean(path)
    page = b.open("/cases/overview")
    page.wait_for_selector("#case-map[data-loaded]")
    found = False
    for marker in page.locator("#case-map path.leaflet-interactive").all():
        marker.dispatch_event("click")
        texts = _texts(page, "#case-map .leaflet-popup-content")
        _no_markup(page, "#case-map .leaflet-popup-content")
        if any(P["case"] in t for t in texts):
            found = True
            break
    assert found, "总览地图上没有找到该事件的弹窗"
    # The list of the map's cases (issue 14) and each marker's accessible name hold it as text.
    assert any(P["case"] in t for t in _texts(page, "#case-map-list li a"))
    _no_markup(page, "#case-map-list")
    labels = page.locator("#case-map path.case-marker").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    assert any(label.startswith(P["case"]) for label in labels)
    b.clean("事件总览")


def test_a_complaint_stays_text(people, seeded):
    b = people("town_dispatcher")
    page = b.open("/complaints")
    assert P["complaint"][:20] in page.inner_text("main")  # the list shortens the text
    b.clean("投诉列表")
    page = b.open(f"/complaints/{seeded['complaint']}")
    assert P["complaint"] in page.inner_text("main")
    b.clean("投诉页")


def test_a_matter_name_stays_text(people, seeded):
    b = people("dept_cg")
    page = b.open(f"/catalogue/applications/{seeded['application']}")
    assert P["matter"] in page.inner_text("main")
    b.clean("清单申请详情")
    page = b.open("/catalogue/applications")
    assert P["matter"] in page.inner_text("main")
    b.clean("清单申请列表")


def test_the_policy_stops_inline_script_handlers_and_eval(people, seeded):
    b = people("city_admin")
    page = b.open("/")
    ran = page.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__inline = 1";
      document.body.appendChild(s);
      const img = document.createElement("img");
      img.setAttribute("onerror", "window.__handler = 1");
      img.src = "/static/no-such-image.png";
      document.body.appendChild(img);
      const box = document.createElement("div");
      box.innerHTML = '<img src="x" onerror="window.__handler2 = 1">';
      document.body.appendChild(box);
      // A string compiled later is eval (DevTools lets code it evaluates itself call eval, so not eval() here).
      try { setTimeout("window.__evaluated = 1", 0); } catch (e) {}
      return new Promise(done => setTimeout(() => done({
        inline: window.__inline, handler: window.__handler, handler2: window.__handler2, evaluated: window.__evaluated,
      }), 400));
    }""")
    assert ran == {"inline": None, "handler": None, "handler2": None, "evaluated": None}
    violations = page.evaluate("window.__csp")
    assert any(v.startswith("script-src") for v in violations), violations
    page.goto(b.live + "/")
    page.evaluate("location.href = 'javascript:window.__xss = 3'")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
