"""A resident opens the public list of grid work of the demo city without logging in, sees the
starter matters (ZJ§12) and the negative list marked, goes to a county's lists and downloads the
PDF."""

from __future__ import annotations

import pytest

from gridgov.catalogue.starter import load_starter
from gridgov.policy.loader import load_profile

from ..conftest import DEMO_PROFILE

pytestmark = pytest.mark.browser


@pytest.mark.req("C5")
def test_a_resident_opens_the_public_list_without_login(browser, live_server):
    """The live server's demo city carries the starter catalogue (build_demo seeds it)."""
    base = live_server
    starter = load_starter(load_profile(DEMO_PROFILE))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith((base, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/catalogue")
        assert "/login" not in page.url
        assert "网格服务管理事项清单" in page.locator("h1").inner_text()
        basic = page.locator("section[data-kind=basic]")
        names = basic.locator(".matter-name").all_inner_texts()
        assert names == [m.name for m in starter.matters]
        assert "ZJ§12(一)" in basic.inner_text()
        assert "第 1 版" in basic.locator(".catalogue-meta").inner_text()
        banner = page.locator("section[data-kind=negative] .catalogue-negative-banner")
        assert "不得交由网格员承担的事项" in banner.inner_text()

        basic.locator("details.catalogue-versions summary").click()
        assert "初始清单（依据 ZJ§12" in basic.locator("details.catalogue-versions").inner_text()

        page.locator("#catalogue-counties a").first.click()
        page.wait_for_url(lambda u: "/catalogue/" in u)
        assert page.locator("section[data-kind=matters]").count() == 1
        assert page.locator("section[data-kind=basic] .matter-name").count() == len(starter.matters)

        with page.expect_download() as info:
            page.click("#export-pdf")
        download = info.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as f:
            assert f.read(5) == b"%PDF-"
    finally:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
