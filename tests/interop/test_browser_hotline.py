"""The hotline's pages in a real browser, on a 390×844 phone and a desktop: the triage queue and the category
table have no WCAG 2.1 A/AA violation (axe, as tests/web/test_browser_axe.py runs it), with a call waiting, a
table row and an import's bad rows showing; the dispatcher picks a type on the phone, records the mapping, and
the call leaves the queue."""

from __future__ import annotations

import pytest

from gridgov.db import make_sessionmaker, unit_of_work

from ..conftest import login, serve_demo_city
from ..web.test_browser_axe import Axe
from .hotline_data import call, hotline_client, places, submit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_demo_city(tmp_path_factory.mktemp("hotline"), "hotline") as (live, engine):
        with unit_of_work(make_sessionmaker(engine), writes=True) as s:
            p = places(s)
            found, _ = submit(s, hotline_client(s, p.county), call(p.grid, category="H-0301", category_name="噪音扰民",
                                                                  description="楼下工地夜间施工，噪音很大"))
        yield live, found.case_no


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 860)], ids=["phone", "desktop"])
def test_the_hotline_pages_have_no_wcag_violation_and_the_dispatcher_triages_a_call(browser, served, viewport):
    live, case_no = served
    width, height = viewport
    phone = width < 500
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=phone,
                                  has_touch=phone)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (live, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live
    try:
        login(page, "town_dispatcher")
        axe = Axe(page)
        axe.check("/hotline/categories")
        bad = "code,name,type\nok1,路灯,0101\nbad code,x,01\n".encode()
        page.set_input_files("#import-form input[type=file]",
                             files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
        page.click("#import-form button[type=submit]")
        page.locator("#import-errors").wait_for()
        assert page.locator("#import-errors td.num").all_text_contents() == ["3"]
        axe.found.update({f"{k}（导入错误）": v for k, v in _axe_here(page).items()})
        if phone:
            axe.check("/hotline/triage")
            form = page.locator(f"[data-case='{case_no}'] form")
            form.locator("select[name=type]").select_option("0301")
            form.locator("input[name=remember]").check()
            form.locator("button[type=submit]").click()
            page.locator("#triage-done").wait_for()
            assert page.locator(f"[data-case='{case_no}']").count() == 0
            axe.check("/hotline/categories", again=True)
            assert page.locator("#mappings tr[data-code='H-0301']").count() == 1
        else:
            axe.check("/hotline/triage")
    finally:
        context.close()
    assert not axe.found, "axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()


def _axe_here(page) -> dict:
    from ..web.test_browser_axe import ALSO, RUN_AXE, TAGS

    found = page.evaluate(RUN_AXE, [TAGS, ALSO])
    return {page.url: found} if found else {}
