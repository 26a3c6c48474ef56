"""Issue 14, item 11, in Chromium: every map action from the keyboard and from a list beside the map.
The grids on /map and the case markers on /cases/overview are Tab stops; Enter opens the grid's card
or the case's popup (focus goes to its link; Escape brings it back to the shape); the same grids and
cases are listed beside the map with buttons or links; Leaflet's controls speak Chinese (放大, 缩小,
the attribution's prefix, a popup's 关闭). Only the keyboard is used on the maps."""

from __future__ import annotations

import pytest

from ..cases.test_browser_case_maps import _a_case, guarded  # noqa: F401 (guarded is a fixture)
from ..cases.test_browser_keyboard import VIEWPORTS, tab_to
from ..conftest import wait_for_js

pytestmark = pytest.mark.browser

ACTIVE = "() => { const a = document.activeElement; return a ? a.outerHTML.slice(0, 300) : ''; }"


def _leaflet_speaks_chinese(page, map_id: str) -> None:
    for selector, word in ((".leaflet-control-zoom-in", "放大"), (".leaflet-control-zoom-out", "缩小")):
        button = page.locator(f"#{map_id} {selector}")
        assert button.get_attribute("title") == word and button.get_attribute("aria-label") == word
    attribution = page.inner_text(f"#{map_id} .leaflet-control-attribution")
    assert "地图引擎" in attribution and "Zoom" not in page.content()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_grids_on_the_map_page_open_from_the_keyboard_and_from_the_list(guarded, live_server, device):  # noqa: F811
    page = guarded("city_admin", **VIEWPORTS[device])
    page.goto(live_server + "/map")
    wait_for_js(page, "document.getElementById('map').hasAttribute('data-loaded')")
    _leaflet_speaks_chinese(page, "map")
    assert page.get_attribute("#map", "role") == "region"

    # Before the map, a link to skip its many grids; then Tab reaches a grid (a named button, its focus
    # drawn), Enter opens its card and focuses its link.
    assert "#map" not in " ".join(tab_to(page, "#grid-list-skip"))
    tab_to(page, "#map path.grid-shape")
    code = page.evaluate("document.activeElement.getAttribute('data-code')")
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "button" and name.endswith("（网格）")
    page.keyboard.press("Enter")
    assert page.inner_text("#grid-card .grid-card__name") + "（网格）" == name
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"/grids/{code}", page.evaluate(ACTIVE)
    # Escape: back on the same grid, and Tab moves on to the next one.
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('data-code')") == code
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('path.grid-shape')")
    assert page.evaluate("document.activeElement.getAttribute('data-code')") != code
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The list beside the map, one Enter away on the skip link: the same grids; a button opens the
    # card, its link opens the grid.
    tab_to(page, "#grid-list-skip", back=True)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "grid-list-summary"
    page.keyboard.press("Enter")
    listed = page.locator("#grid-list li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert sorted(listed) == sorted(page.locator("#map path.grid-shape").evaluate_all(
        "els => els.map(e => e.dataset.code)"))
    tab_to(page, f'#grid-list li[data-code="{code}"] button')
    page.keyboard.press("Enter")
    assert page.inner_text("#grid-card .grid-card__name") + "（网格）" == name
    page.keyboard.press("Escape")  # back to the list's button
    assert page.evaluate("document.activeElement.closest('li').dataset.code") == code
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the card's link
    page.wait_for_url(f"**/grids/{code}")


def test_case_markers_on_the_overview_open_from_the_keyboard_and_are_listed(guarded, live_server):  # noqa: F811
    case_no = _a_case(live_server)
    town = guarded("town_dispatcher", viewport={"width": 1280, "height": 860})
    town.goto(live_server + "/cases/overview")
    wait_for_js(town, "document.getElementById('case-map').hasAttribute('data-loaded')")
    _leaflet_speaks_chinese(town, "case-map")

    marker = f'#case-map path.case-marker[data-case="{case_no}"]'
    # From the map, Tab goes to the markers: the grid outlines under them (context) are no Tab stops.
    tab_to(town, "#case-map")
    on_the_way = tab_to(town, marker)
    assert not [code for code in on_the_way if code.isdigit()], on_the_way
    assert "路灯不亮" in town.get_attribute(marker, "aria-label")
    town.keyboard.press("Enter")
    popup = town.locator("#case-map .leaflet-popup")
    popup.wait_for()
    assert town.evaluate("document.activeElement.getAttribute('href')") == f"/cases/{case_no}"
    close = popup.locator(".leaflet-popup-close-button")
    assert close.get_attribute("aria-label") == "关闭" and close.get_attribute("title") == "关闭"
    # Escape closes it and the focus is back on the marker; Enter again, then Enter on its link.
    town.keyboard.press("Escape")
    popup.wait_for(state="detached")  # after Leaflet's fade
    assert town.evaluate("document.activeElement.getAttribute('data-case')") == case_no
    town.keyboard.press("Space")
    popup.wait_for()
    # The close button from the keyboard also brings the focus back to the marker.
    town.keyboard.press("Tab")
    assert town.evaluate("document.activeElement.classList.contains('leaflet-popup-close-button')")
    town.keyboard.press("Enter")
    popup.wait_for(state="detached")  # after Leaflet's fade
    assert town.evaluate("document.activeElement.getAttribute('data-case')") == case_no

    # The list below the map (the link before the map skips to it): every case of the map, each a link.
    tab_to(town, "#case-map-list-skip", back=True)
    town.keyboard.press("Enter")
    assert town.evaluate("document.activeElement.id") == "case-map-list-summary"
    town.keyboard.press("Enter")
    on_map = town.locator("#case-map path.case-marker").evaluate_all("els => els.map(e => e.dataset.case)")
    listed = town.locator("#case-map-list li").evaluate_all("els => els.map(e => e.dataset.case)")
    assert sorted(listed) == sorted(on_map) and case_no in listed
    tab_to(town, f'#case-map-list li[data-case="{case_no}"] a')
    town.keyboard.press("Enter")
    town.wait_for_url(f"**/cases/{case_no}")

    # The case page's map: a named region, Leaflet's controls in Chinese.
    wait_for_js(town, "document.getElementById('case-place-map').hasAttribute('data-grid')")
    assert town.get_attribute("#case-place-map", "role") == "region"
    _leaflet_speaks_chinese(town, "case-place-map")


def test_grids_on_the_coverage_map_open_from_the_keyboard(guarded, live_server):  # noqa: F811
    page = guarded("city_admin", viewport={"width": 1280, "height": 860})
    area = page.request.get(live_server + "/api/v1/auth/me").json()["scope_code"]
    page.goto(f"{live_server}/coverage?area={area}")
    wait_for_js(page, "document.getElementById('coverage-map').hasAttribute('data-loaded')")
    _leaflet_speaks_chinese(page, "coverage-map")
    # The skip link before the map goes past its grids; Shift+Tab from there comes back to them.
    tab_to(page, ".map-skip")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "coverage-legend"
    tab_to(page, "#coverage-map path.grid-shape", back=True)
    code = page.evaluate("document.activeElement.getAttribute('data-code')")
    assert code and "网格" in page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/grids/{code}")
