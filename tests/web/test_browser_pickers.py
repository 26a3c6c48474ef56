"""Issue 14 (smaller items): the users and new-post forms pick a grid, an area or a department by
name. In Chromium: typing part of a grid's name in the users form's 辖区 offers the grid by name,
the chosen code shows in small print and is what the form sends; the new user's scope is that grid."""

from __future__ import annotations

import pytest

from ..conftest import wait_for_js

pytestmark = pytest.mark.browser


def test_the_users_form_picks_the_scope_by_name(page):
    grid = page.request.get(page.base_url + "/api/v1/grids?page_size=1&page=3").json()["items"][0]
    page.goto(page.base_url + "/users/new")
    # The scope the form starts with (the admin's own) shows by name, not as a bare code.
    wait_for_js(page, "() => document.querySelector('#scope_code-search').value === '镇江市（市）'")
    assert page.locator("#scope_code").count() == 0  # the code field became a picker (hidden input)
    hidden = "input[type=hidden][name=scope_code]"
    page.fill("#username", "picked_by_name")
    page.fill("#display_name", "按名称选择")
    page.select_option("#role", "fulltime")
    page.fill("#scope_code-search", grid["name"])
    wait_for_js(page, "c => [...document.querySelectorAll('#scope_code-pick option')].some(o => o.value === c)",
                grid["code"])
    options = page.eval_on_selector_all("#scope_code-pick option", "os => os.map(o => [o.value, o.textContent])")
    assert [grid["code"], f"{grid['name']}（{grid['area_name']}）"] in options
    page.select_option("#scope_code-pick", grid["code"])
    assert page.input_value(hidden) == grid["code"]
    assert page.inner_text("[data-picker-for=scope_code] .picker__code") == f"编码 {grid['code']}"
    # Areas come from the page's own list, by name too.
    page.fill("#scope_code-search", "")
    page.fill("#scope_code-search", "镇江")
    wait_for_js(page, "() => [...document.querySelectorAll('#scope_code-pick optgroup[label=区域] option')]"
                      ".some(o => o.value === '321100000000' && o.textContent === '镇江市（市）')")
    page.fill("#scope_code-search", grid["name"])
    wait_for_js(page, f"() => document.querySelector('{hidden}').value === '{grid['code']}'")
    page.fill("#password", "abcdefgh1")
    page.fill("#password2", "abcdefgh1")
    page.click("form[action='/users/new'] button[type=submit]")
    page.wait_for_url(lambda url: "/users/new" not in url)
    user = page.request.get(page.base_url + "/api/v1/users?q=picked_by_name").json()["items"][0]
    assert user["scope_code"] == grid["code"]


def test_the_new_post_form_picks_grid_area_and_department_by_name(page):
    person = page.request.get(page.base_url + "/api/v1/staff?page_size=1").json()["items"][0]
    grid = page.request.get(page.base_url + "/api/v1/grids?page_size=1&page=2").json()["items"][0]
    dept = page.request.get(page.base_url + "/api/v1/departments").json()[0]
    page.goto(f"{page.base_url}/staff/{person['id']}")
    page.fill("#post-grid-search", grid["name"])
    wait_for_js(page, "c => document.querySelector('input[type=hidden][name=grid_code]').value === c", grid["code"])
    assert page.inner_text("[data-picker-for=grid_code] .picker__code") == f"编码 {grid['code']}"
    page.fill("#post-department-search", dept["name"])
    wait_for_js(page, "c => document.querySelector('input[type=hidden][name=department_code]').value === c",
                dept["code"])
    areas = page.eval_on_selector_all("select[name=area_code] option", "os => os.map(o => o.textContent.trim())")
    assert any("镇江市" in a for a in areas) and not any(a.isdigit() for a in areas)
