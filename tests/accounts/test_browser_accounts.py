"""A grid worker logs in through the page and sees its own grid, not another town's."""

import pytest

from ..conftest import login

pytestmark = pytest.mark.browser


def test_a_worker_sees_its_own_grid_and_not_another_towns(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    try:
        token = page.request.post(
            live_server + "/api/v1/auth/token", data={"username": "worker2", "password": "demo12345"}
        ).json()["access_token"]
        other_grid = page.request.get(
            live_server + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        ).json()["scope_code"]
        login(page, "worker")
        assert "张网格" in page.content()
        page.goto(live_server + "/grids")
        rows = page.locator("#grid-rows tbody tr")
        assert rows.count() == 1
        own_grid = page.request.get(live_server + "/api/v1/auth/me").json()["scope_code"]
        assert own_grid in rows.first.inner_text() and own_grid[:9] != other_grid[:9]
        page.goto(live_server + f"/grids/{own_grid}")
        assert own_grid in page.content()
        page.goto(live_server + f"/grids/{other_grid}")
        assert f"网格 {other_grid} 不存在" in page.content()
    finally:
        context.close()
