"""The 走访 pages: a refused form says why in Chinese and writes nothing, what a user typed is shown
as text, another town's household is missing, and the menu has the entry under 基础信息."""

from __future__ import annotations

from sqlalchemy import func, select

from gridgov.models.registry import Visit
from gridgov.web.navigation import menu

from .care_fixtures import grids, household

HTML = {"accept": "text/html"}


def _home(db, app):
    grid, grid2 = grids(db)
    return (household(db, app.state.cipher, grid, "页面路", ["周大爷"]),
            household(db, app.state.cipher, grid2, "别处路", ["吴阿姨"]))


def test_a_visit_recorded_from_the_page_and_a_refused_one(db, app, client_as):
    here, there = _home(db, app)
    worker = client_as("worker")
    assert worker.get(f"/registry/care/visit?house={there.house.id}", headers=HTML).status_code == 404
    page = worker.get(f"/registry/care/visit?house={here.house.id}", headers=HTML)
    assert page.status_code == 200 and here.address.canonical in page.text and "周大爷" in page.text
    count = db.scalar(select(func.count()).select_from(Visit))
    refused = worker.post("/registry/care/visit", data={"kind": "visit", "note": "没有对象"}, headers=HTML)
    assert refused.status_code == 422 and "走访须选择走访对象" in refused.text
    assert db.scalar(select(func.count()).select_from(Visit)) == count
    done = worker.post("/registry/care/visit", headers=HTML, follow_redirects=False, data={
        "kind": "visit", "house_id": str(here.house.id), "note": "<script>alert(1)</script>", "needs": "路灯不亮"})
    assert done.status_code == 303
    detail = worker.get(done.headers["location"], headers=HTML)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text and "<script>alert(1)" not in detail.text
    visit_id = done.headers["location"].split("/visits/")[1].split("?")[0]
    no_category = worker.post(f"/registry/care/visits/{visit_id}/case", headers=HTML, data={"title": "路灯不亮"})
    assert no_category.status_code == 422 and "请选择事件类型或事项" in no_category.text
    assert client_as("worker2").get(f"/registry/care/visits/{visit_id}", headers=HTML).status_code == 404


def test_the_menu_has_the_visit_page_under_basic_information_for_registry_readers():
    def entries(role):
        return {(g["label"], i["href"]) for g in menu(role, "/") for i in g["links"]}

    assert ("基础信息", "/registry/care") in entries("fulltime")
    assert ("基础信息", "/registry/care") in entries("agency_dispatcher")
    assert not any(href == "/registry/care" for _, href in entries("auditor"))
