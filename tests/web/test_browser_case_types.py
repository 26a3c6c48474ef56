"""The report form's case-type select in a real browser: the filter box (cases.js, no inline script)
narrows the grouped 大类 → 小类 options and picks the only match."""

from __future__ import annotations

import pytest

from ..conftest import wait_for_js

pytestmark = pytest.mark.browser


def test_typing_in_the_type_filter_narrows_the_grouped_select_and_picks_a_single_match(page):
    page.goto(page.base_url + "/cases/new")
    search = page.locator("#type-search")
    assert search.is_visible()  # shown by the script; the select alone works without it
    assert page.locator("#type optgroup").count() >= 8
    search.fill("纠纷")
    wait_for_js(page, "document.getElementById('type-search').dataset.matches !== undefined")
    shown = page.eval_on_selector_all("#type option:not([hidden])[value]:not([value=''])", "os => os.map(o => o.value)")
    assert shown and all(code.startswith("06") for code in shown)  # the 大类 矛盾纠纷 matches as a whole
    groups = page.eval_on_selector_all("#type optgroup:not([hidden])", "gs => gs.map(g => g.label)")
    assert groups == ["矛盾纠纷"]
    search.fill("劳动争议")
    wait_for_js(page, "document.getElementById('type-search').dataset.matches === '1'")
    assert page.eval_on_selector("#type", "s => s.value") == "0604"
    search.fill("")
    wait_for_js(page, "document.querySelectorAll('#type option[hidden]').length === 0")
