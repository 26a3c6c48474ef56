"""The appraisal page in a real browser on a 390×844 phone: the rankings and a unit's derivation open,
nothing is wider than the screen (the tables scroll inside their frame), the level switch works."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_appraisal_page_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/appraisal?period=2026-10&level=town")
    assert page.inner_text("h1") == "考核评价"
    rows = page.locator("#appraisal-table > tbody > tr")
    assert rows.count() > 0
    first = rows.nth(0).locator("details")
    first.locator("summary").click()
    assert first.locator("table.derivation tbody tr").count() == 6  # the town's six components (zhenjiang)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#appraisal-level", "department")
    page.click("#appraisal-filters button[type=submit]")
    page.wait_for_url("**level=department**")
    assert "联动部门" in page.inner_text("#appraisal-title")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
