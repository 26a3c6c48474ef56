"""The public map in a real browser on a 390×844 phone, over a demo city served with the map turned on:
axe finds no WCAG 2.1 A/AA violation, the circle sits at the cell centre, and a popup shows a grid name
holding markup as text (textContent, never innerHTML). Also /dev/outbox logged out (demo mode)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import service
from gridgov.cases.schemas import CaseCreate
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, Grid, User
from gridgov.notify import outbound
from gridgov.policy.loader import load_profile
from gridgov.public.map_rules import snap

from ..conftest import TEST_SECRET_KEY, serve_database, wait_for_js
from ..web.test_browser_axe import Axe

pytestmark = pytest.mark.browser
HOME = (119.456789, 32.198765)
MARKUP = '<img src=x id="injected">网格'


@pytest.fixture(scope="module")
def map_server(backend, db_factory, demo_engine, tmp_path_factory):
    demo_engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    url = db_factory.create(template=str(demo_engine.url.render_as_string(hide_password=False)))
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        grid = demo_places(session, "321100000000").grid
        session.get(Grid, grid).name = MARKUP
        data = CaseCreate(title="路灯不亮", category="zj12_02", source="resident", grid_code=grid,
                          address="中山路 8 号", reporter_phone="13912345678")
        u = session.scalar(select(User).where(User.username == "town_dispatcher"))
        me = Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                       scope_code=u.scope_code, department_code=u.department_code)
        case = service.create_case(session, me, data, now=utc_now() - timedelta(hours=1),
                                   profile=load_profile("zhenjiang"), cipher=FieldCipher(TEST_SECRET_KEY),
                                   media_root=tmp_path_factory.mktemp("media")).case
        row = session.scalar(select(Case).where(Case.id == case.id))
        row.lon, row.lat = HOME
        outbound.send(session, profile=load_profile("zhenjiang"), cipher=FieldCipher(TEST_SECRET_KEY),
                      to="13912345678", template="report_received", now=utc_now(), case_id=case.id,
                      params={"case_no": case.case_no, "tracking_code": "K7M2P9"})
    with serve_database(url, engine, tmp_path_factory.mktemp("public-map"), public_map=True) as live:
        yield live


def test_the_public_map_on_a_phone(browser, map_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (map_server, "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = map_server
    try:
        axe = Axe(page)
        axe.check("/public/map")
        wait_for_js(page, "() => document.querySelectorAll('path.public-report').length > 0")
        page.locator("path.public-report").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content").first
        popup.wait_for()
        assert MARKUP in popup.inner_text() and page.locator("#injected").count() == 0
        assert str(snap(*HOME, 500)[0]) in page.locator("#public-map-list").inner_text()
        axe.check("/dev/outbox")
        text = page.locator("#outbox td.outbox-text").first.inner_text()
        assert text.endswith("查询码 K7M2P9，凭编号和查询码可查询办理进度。")
    finally:
        context.close()
    assert not axe.found, "axe 发现 WCAG 2.1 A/AA 问题：\n" + axe.report()
