"""The /warnings page and the case list's ``nos`` filter a warning links to: a warning's text is
shown as text, its link opens exactly its cases, bad input is a Chinese 422; the menu entry."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from gridgov.authz.permissions import Permission, role_can
from gridgov.models.accounts import Role
from gridgov.web.navigation import menu

from .warning_data import add_case, at, places, today

HTML = {"accept": "text/html"}


def test_the_page_shows_each_warning_as_text_with_a_link_to_its_cases(db, client_as):
    p = places(db)
    nasty = "<script>alert(1)</script>路 1 号"
    cases = [add_case(db, p.grid, at(today() - timedelta(days=d)), address=nasty) for d in (1, 2, 3)]
    add_case(db, p.grid, at(today() - timedelta(days=1)), address="别处")
    town = client_as("town_dispatcher")
    page = town.get("/warnings", headers=HTML)
    assert page.status_code == 200 and "同一地址重复事件" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    link = html.unescape(re.search(r'href="(/cases/mine\?nos=[^"]+)"', page.text).group(1))
    listed = town.get(link, headers=HTML)
    assert listed.status_code == 200
    assert set(re.findall(r"YJ\d{8}", listed.text)) == {c.case_no for c in cases}
    assert town.get("/warnings?kind=grid_jump", headers=HTML).text.count('data-kind="') == 0
    assert client_as("worker").get("/warnings", headers=HTML).status_code == 403


def test_the_nos_filter_lists_exactly_those_cases_the_user_may_see_and_refuses_bad_input(db, client_as):
    p = places(db)
    here = [add_case(db, p.grid, at(today() - timedelta(days=1))) for _ in range(2)]
    there = add_case(db, p.grid2, at(today() - timedelta(days=1)))
    town = client_as("town_dispatcher")
    nos = ",".join([c.case_no for c in here] + [there.case_no])
    body = town.get("/api/v1/cases", params={"nos": nos}).json()
    assert {c["case_no"] for c in body["items"]} == {c.case_no for c in here} and body["total"] == 2
    for bad in ("x y", ",".join(f"N{i}" for i in range(51)), "<b>"):
        r = town.get("/api/v1/cases", params={"nos": bad})
        assert r.status_code == 422 and "事件编号" in r.json()["detail"]


def test_the_menu_has_the_warnings_page_for_the_readers_of_figures():
    for role in Role:
        entries = {(g["label"], i["href"]) for g in menu(role.value, "/") for i in g["links"]}
        assert (("数据分析", "/warnings") in entries) == role_can(role.value, Permission.ANALYSIS_READ), role
