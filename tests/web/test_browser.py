"""The pages in a real browser (Debian's chromium), against a live server on loopback. The ``page``
fixture fails a test whose page sends any request off the machine."""

from __future__ import annotations

import re

import pytest

from ..conftest import wait_for_js

pytestmark = pytest.mark.browser

GRID_CODE = re.compile(r"\b\d{15}\b")


def test_the_map_draws_the_grids_and_a_click_opens_the_grid_card(page):
    page.goto(page.base_url + "/map")
    wait_for_js(page, "document.querySelectorAll('path.grid-shape').length >= 10")
    loaded = int(page.get_attribute("#map", "data-loaded"))
    assert loaded == page.locator("path.grid-shape").count() >= 10
    assert "个网格" in page.inner_text("#map-status")

    shape = page.locator("path.grid-shape").nth(loaded // 2)
    code = shape.get_attribute("data-code")
    shape.click()
    card = page.locator("#grid-card")
    card.locator(".grid-card__code").wait_for()
    assert card.locator(".grid-card__code").inner_text() == code
    assert GRID_CODE.fullmatch(code)
    assert card.locator(".grid-card__name").inner_text().strip()
    assert card.locator(f'a[href="/grids/{code}"]').count() == 1
    assert "户" in card.inner_text()


def test_picking_a_town_on_the_map_redraws_its_grids(page):
    page.goto(page.base_url + "/map")
    wait_for_js(page, "document.querySelectorAll('path.grid-shape').length >= 10")
    county_total = int(page.get_attribute("#map", "data-loaded"))
    town = page.locator("#pick-second option").nth(1)
    town_code, town_name = town.get_attribute("value"), town.inner_text()
    page.select_option("#pick-second", town_code)
    wait_for_js(page,
        "([n, code]) => { const m = document.getElementById('map');"
        " return m.dataset.area === code && m.dataset.loaded && +m.dataset.loaded < n; }",
        arg=[county_total, town_code],
    )
    assert page.inner_text("#map-area-name") == town_name
    assert page.url.endswith(f"/map?area={town_code}")
    codes = page.eval_on_selector_all("path.grid-shape", "ps => ps.map(p => p.dataset.code)")
    assert codes and all(c.startswith(town_code[:9]) for c in codes)


def test_typing_in_the_grid_search_updates_the_table(page):
    page.goto(page.base_url + "/grids")
    total = int(page.get_attribute("#grid-total", "data-total"))
    name = page.locator("#grid-rows tbody tr").first.locator("td").nth(1).inner_text().strip()
    page.locator("#grid-search").press_sequentially(name, delay=20)
    wait_for_js(page,
        "(n) => +document.getElementById('grid-total').dataset.total < n", arg=total
    )
    narrowed = int(page.get_attribute("#grid-total", "data-total"))
    assert 1 <= narrowed < total
    rows = page.locator("#grid-rows tbody tr")
    assert rows.count() == min(narrowed, 30)
    assert all(name in rows.nth(i).inner_text() for i in range(rows.count()))
    assert page.locator("nav.site-nav").count() == 1  # the fragment replaced the table, not the page
    assert "q=" in page.url


def test_the_coverage_map_draws_the_boundary_and_the_grids(page):
    page.goto(page.base_url + "/coverage?area=321102000000")
    wait_for_js(page, "document.querySelectorAll('path.grid-shape').length >= 10")
    assert page.locator("path.area-boundary").count() >= 1
    assert page.inner_text("[data-stat=overlaps]") == "0"
    assert page.locator("path.issue").count() == 0


def test_the_pages_fit_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("/", "/grids", "/map", "/areas", "/public/stats"):
        page.goto(page.base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} 在手机宽度下横向溢出 {overflow}px"
