"""A worker on a phone (Chromium, 390×844) finds a household, records a visit with a photo and turns
the need it found into a case (事件) in one step."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from gridgov.db import make_sessionmaker, unit_of_work
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case
from gridgov.models.registry import Visit
from gridgov.policy.loader import load_profile

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY, login, serve_demo_city
from .care_fixtures import days_ago, grids, household, tag

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A served demo city of its own, with one tagged household in the worker's grid."""
    with serve_demo_city(tmp_path_factory.mktemp("care"), "care") as (url, engine):
        cipher = FieldCipher(TEST_SECRET_KEY)
        with unit_of_work(make_sessionmaker(engine)) as session:
            grid, _ = grids(session)
            home = household(session, cipher, grid, "走访示范路", ["孙奶奶", "孙小宝"])
            tag(session, cipher, load_profile(DEMO_PROFILE), home.people[0], "elderly_alone", since=days_ago(10))
            found = {"house": home.house.id, "address": home.address.canonical, "grid": grid}
        yield url, engine, found


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (40, 160, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.req("E6")
def test_a_worker_on_a_phone_finds_a_household_records_a_visit_with_a_photo_and_makes_a_case(browser, city):
    url, engine, found = city
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith((url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = url
    try:
        login(page, "worker")
        page.goto(url + "/registry/care")
        # the due list of the worker's grid names the overdue 独居老人 visit
        due = page.locator("#due-list li").first
        assert "孙奶奶" in due.inner_text() and "独居老人" in due.inner_text() and "已逾期" in due.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.fill("#care-q", "走访示范路")
        page.click("#care-find")
        item = page.locator(f"#households li[data-house='{found['house']}']")
        assert found["address"] in item.inner_text() and "孙小宝" in item.inner_text()
        item.get_by_role("link", name="走访").click()

        page.wait_for_url("**/registry/care/visit?house=*")
        assert page.inner_text("#visit-address") == found["address"]
        page.select_option("#person_id", label="孙奶奶")
        page.fill("#note", "老人独自在家，身体尚可")
        page.fill("#needs", "楼道灯坏了，夜间出行不便")
        page.fill("#services", "帮助联系子女")
        page.set_input_files("#photos", files=[{"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("#visit-submit")

        page.wait_for_url("**/registry/care/visits/*?done=visit")
        assert "走访记录已保存" in page.inner_text("#visit-saved")
        assert page.inner_text("#visit-needs") == "楼道灯坏了，夜间出行不便"
        assert page.locator("#visit-photos img").count() == 1
        assert page.evaluate("document.querySelector('#visit-photos img').naturalWidth") > 0
        assert page.input_value("#title") == "楼道灯坏了，夜间出行不便"
        page.fill("#title", "楼道灯损坏")
        page.select_option("#category", index=1)
        page.click("#to-case-submit")

        page.wait_for_url("**/cases/*")
        case_no = page.url.split("/cases/")[1].split("?")[0]
        assert "楼道灯损坏" in page.inner_text("main")
        with make_sessionmaker(engine)() as session:
            case = session.scalar(select(Case).where(Case.case_no == case_no))
            visit = session.scalar(select(Visit).where(Visit.case_id == case.id))
            assert case.source == "visit" and case.person_id is None and len(visit.photos) == 1
            assert "独居老人" not in case.description + case.title + case.address
        page.goto(url + "/registry/care")
        # the visit moved the due date: 孙奶奶 is due again in 7 days, no longer overdue
        assert "即将到期" in page.inner_text("#due-list") and "已逾期" not in page.inner_text("#due-list")
    finally:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
