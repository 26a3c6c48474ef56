"""A resident opens a grid's public board without logging in, sees the grid and who serves it,
and sends a complaint that the town agency then finds in its list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import local, utc_now
from gridgov.models import Grid, Post, StaffMember

from ..conftest import login

pytestmark = pytest.mark.browser
CITY = "321100000000"
STAFF_NAME = "浏览器测试网格员"


def _live_database(tmp_path_factory) -> str:
    """The live server's SQLite file (made by the ``live_server`` fixture under ``live*/``)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/live.db"))
    assert found, "找不到测试服务器的数据库"
    return f"sqlite:///{found[-1]}"


def _grid_with_staff(url: str) -> tuple[str, str, list[str]]:
    """The demo grid, its name and the names on its board; adds one worker if it has none."""
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            code = demo_places(session, CITY).grid
            name = session.get(Grid, code).name
            today = local(utc_now()).date()
            names = session.scalars(
                select(StaffMember.name).join(Post, Post.staff_id == StaffMember.id)
                .where(Post.grid_code == code, Post.status == "active", Post.start_date <= today)
                .where((Post.end_date.is_(None)) | (Post.end_date >= today))
            ).all()
            if not names:
                now = utc_now()
                staff = StaffMember(name=STAFF_NAME, gender="男", area_code=code[:12], work_phone="0511-85559999",
                                    created_at=now, updated_at=now)
                session.add(staff)
                session.flush()
                session.add(Post(staff_id=staff.id, role="fulltime", scope_code=code, grid_code=code,
                                 start_date=today - timedelta(days=1), status="active", created_at=now,
                                 activated_at=now))
                names = [STAFF_NAME]
        return code, name, list(names)
    finally:
        engine.dispose()


@pytest.mark.req("A5", "B5")
def test_a_resident_opens_the_board_without_login_and_sends_a_complaint(browser, live_server, tmp_path_factory):
    code, grid_name, staff_names = _grid_with_staff(_live_database(tmp_path_factory))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith((live_server, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    try:
        page.goto(f"{live_server}/board/{code}")
        assert "/login" not in page.url
        assert page.locator("h1").inner_text().strip() == grid_name
        staff_table = page.locator("#board-staff").inner_text()
        assert all(n in staff_table for n in staff_names)
        assert page.locator("#board-supervision-phone").inner_text().strip()
        page.wait_for_selector("#board-map path.grid-shape")
        assert page.locator("img[src$='/qr.svg']").evaluate("img => img.naturalWidth") > 0

        page.select_option("#c-staff", label=page.locator("#c-staff option").nth(1).inner_text())
        page.fill("#c-content", "浏览器测试：网格员未按时入户走访")
        page.fill("#c-phone", "138")
        page.click("form.board-form button[type=submit]")
        assert "联系电话应为 11 位手机号码" in page.locator("#complaint-error").inner_text()
        assert page.input_value("#c-content") == "浏览器测试：网格员未按时入户走访"
        page.fill("#c-phone", "13800138000")
        page.click("form.board-form button[type=submit]")
        page.wait_for_selector("#complaint-sent")
        assert "投诉已收到" in page.locator("#complaint-sent").inner_text()

        page.goto(f"{live_server}/board/{code}/print")
        assert f"{live_server}/board/{code}" in page.locator("#board-url").inner_text()

        login(page, "town_dispatcher")
        page.goto(f"{live_server}/complaints")
        row = page.locator("#complaint-rows tbody tr", has_text="网格员未按时入户走访").first
        assert "待处理" in row.inner_text() and "13800138000" not in row.inner_text()
        row.locator("a").first.click()
        page.fill("#action_taken", "已约谈该网格员并补做走访")
        page.click("form.board-form button[type=submit]")
        assert page.locator("#complaint-status").inner_text().strip() == "已处理"
    finally:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
