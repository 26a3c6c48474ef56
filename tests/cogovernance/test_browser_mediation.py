"""The issue's browser test (issue 18, ZJ§17), on both databases, on a 390×844 phone: the town dispatcher
refers an accepted dispute to the demo town's people's mediation committee on the case page, naming the
parties; the mediator lands on its queue of disputes, opens the case, records a session and the agreement;
the case shows 已结案, the parties masked everywhere, and the pages have no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

from gridgov.kit.clock import local, utc_now

from ..conftest import login, offline_page
from ..web.layout import artefacts_dir, screenshot
from ..web.test_browser_axe import Axe, _api, _post
from .mediation_data import PARTIES

pytestmark = [pytest.mark.browser, pytest.mark.req("F3")]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def served(browser, live_server_on_backend):
    """An accepted dispute of the demo grid, through the API: reported by the worker, accepted by the town."""
    live = live_server_on_backend
    context = browser.new_context()
    request, base = context.request, live + "/api/v1"
    worker, town = _api(request, live, "worker"), _api(request, live, "town_dispatcher")
    no = _post(request, base + "/cases", worker, {
        "title": "楼上漏水引发邻里纠纷", "type": "0601", "category": "zj12_03", "source": "patrol",
        "grid_code": worker["scope_code"], "address": "和谐路 6 号", "next_action": "escalate"})["case_no"]
    _post(request, f"{base}/cases/{no}/actions/accept", town, {})
    context.close()
    return live, no


def _guide_shot(page, name: str) -> None:
    """A test artefact, and the guide's screenshot with ``GRIDGOV_GUIDE_SHOTS`` (the guide shows a desktop for
    every role but the grid worker's)."""
    page.set_viewport_size({"width": 1280, "height": 860})
    screenshot(page, artefacts_dir("mediation"), name, guide=name)
    page.set_viewport_size(PHONE["viewport"])


def _submit(page, action: str) -> None:
    page.click(f"#act-{action} button[type=submit]")
    page.wait_for_selector("#notice")


def test_the_dispatcher_refers_a_dispute_and_the_mediator_records_the_agreement(browser, served):
    live, no = served
    found: dict = {}
    context, page, outside = offline_page(browser, live, **PHONE)
    try:
        login(page, "town_dispatcher")
        axe = Axe(page)
        axe.check(f"/cases/{no}")
        form = page.locator("#act-mediate")
        options = form.locator("select[name=body] option").all_text_contents()
        committee = next(o for o in options if "人民调解委员会" in o)
        form.locator("select[name=body]").select_option(label=committee)
        for name, value in PARTIES.items():
            form.locator(f"[name={name}]").fill(value)
        form.locator("[name=note]").fill("楼上卫生间漏水，双方多次争执")
        _submit(page, "mediate")
        assert page.inner_text("#case-state") == "调解中"
        assert "张**" in page.inner_text("main") and "张三丰" not in page.content()  # the file shows them masked
        axe.check(f"/cases/{no}", again=True)
        found.update(axe.found)
    finally:
        context.close()

    context, page, outside2 = offline_page(browser, live, **PHONE)
    try:
        login(page, "mediator")
        assert page.url == live + "/cogovernance/mediation"  # the mediator lands on its queue
        axe = Axe(page)
        axe.check("/cogovernance/mediation")
        _guide_shot(page, "mediator-queue")
        row = page.locator(f"#mediations tr[data-case='{no}']")
        assert "张**" in row.inner_text() and "138****5678" in row.inner_text()
        row.locator(f"a[href='/cases/{no}']").click()
        page.wait_for_url(f"**/cases/{no}")
        page.fill("#act-record_mediation [name=held_on]", local(utc_now()).date().isoformat())
        page.fill("#act-record_mediation [name=place]", "社区人民调解室")
        page.fill("#act-record_mediation [name=note]", "双方到场，陈述各自意见")
        _submit(page, "record_mediation")
        assert page.inner_text("#case-state") == "调解中"
        page.fill("#act-settle [name=agreement]", "楼上住户三日内修复管道，赔偿楼下 800 元")
        _submit(page, "settle")
        assert page.inner_text("#case-state") == "已结案"
        assert page.locator("#act-settle").count() == 0
        _guide_shot(page, "mediator-case")
        axe.check(f"/cases/{no}", again=True)
        page.goto(live + "/cogovernance/mediation?status=settled")
        page.locator(f"#mediations tr[data-case='{no}'] a:has-text('查看')").click()
        page.locator("#mediation-status").wait_for()
        assert page.inner_text("#mediation-status") == "达成协议" and "社区人民调解室" in page.inner_text("#sessions")
        axe.check(page.url.removeprefix(live), again=True)
        page.fill("#reveal-reason", "回访当事人")
        page.click("#reveal-form button[type=submit]")
        page.locator("#revealed-note").wait_for()
        assert "张三丰" in page.inner_text("#parties")
        found.update(axe.found)
    finally:
        context.close()
    assert not outside and not outside2, f"页面向外部发出了请求：{outside + outside2}"
    assert not found, "axe 发现 WCAG 2.1 A/AA 问题：\n" + "\n".join(f"{k}: {v}" for k, v in found.items())
