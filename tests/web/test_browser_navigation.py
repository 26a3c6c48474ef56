"""The menu in a real browser: on a 390×844 phone one 菜单 button opens it and nothing is wider than
the screen; on a desktop every group opens and the menu stays on the logo's line (issue 14, item 7)."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server)
                  or route.request.url.startswith(("data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()


@pytest.mark.parametrize("username", ["worker", "town_dispatcher", "city_admin"])
def test_on_a_phone_the_menu_is_one_button_and_nothing_overflows(phone, username):
    login(phone, username)
    phone.goto(phone.base_url + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    nav = phone.locator("#site-nav")
    assert not nav.is_visible()  # closed: no sideways-scrolling bar
    phone.click(".nav-toggle")
    assert nav.is_visible() and phone.get_attribute(".nav-toggle", "aria-expanded") == "true"
    links = nav.locator("a")
    assert links.count() >= 2
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    first = links.nth(0)
    href = first.get_attribute("href")
    first.click()
    wait_for_js(phone, "(h) => location.pathname === h && document.readyState === 'complete'", href)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_desktop_the_menu_stays_beside_the_logo_and_its_groups_open(page):
    page.goto(page.base_url + "/")  # city_admin: the longest menu of the demo accounts
    brand, nav = page.locator(".brand").bounding_box(), page.locator("#site-nav").bounding_box()
    assert abs(brand["y"] - nav["y"]) < brand["height"]  # on the logo's line, not wrapped under it
    assert not page.locator(".nav-toggle").is_visible()
    groups = page.locator(".nav-group__toggle")
    assert groups.count() >= 3
    for i in range(groups.count()):
        groups.nth(i).click()
        items = page.locator(".nav-group").nth(i).locator(".nav-group__items")
        assert items.is_visible()
        assert groups.nth(i).get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    page.locator(".nav-group__toggle").nth(1).focus()
    assert page.locator(".nav-group").nth(1).locator(".nav-group__items").is_visible()  # keyboard focus opens it
