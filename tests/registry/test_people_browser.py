"""实有人口 on a 390×844 phone in a real browser: a worker registers a person, an administrator finds
them by exact number (a POST: the number never enters the address bar), asks for the full values
with a reason and sees them in place; nothing is wider than the screen."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from ..conftest import login, wait_for_js
from .people_fixtures import make_id

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()
    assert not outside, outside


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_register_find_by_number_and_reveal_on_a_phone(phone):
    number = make_id(date(1970, 1, 1), serial=secrets.randbelow(90) + 10)
    login(phone, "worker")
    phone.goto(phone.base_url + "/registry/people/new")
    _fits(phone)
    phone.fill("input[name=name]", "浏览器测试人")
    phone.fill("input[name=id_number]", number.lower())
    phone.fill("input[name=phone]", "13712345678")
    phone.click("form[action='/registry/people/new'] button[type=submit]")
    phone.wait_for_url(lambda url: "/registry/people/" in url and "/new" not in url)
    assert number not in phone.content() and "137****5678" in phone.content()
    _fits(phone)

    login(phone, "city_admin")
    phone.goto(phone.base_url + "/registry/people")
    _fits(phone)
    phone.fill("input[name=id_number]", number)
    phone.click("form[action='/registry/people/search'] button[type=submit]")
    wait_for_js(phone, "() => document.querySelector('#people-rows a') !== null")
    assert number not in phone.url and "/search" not in phone.url
    phone.click("#people-rows a")
    phone.wait_for_url(lambda url: "/registry/people/" in url)
    _fits(phone)
    assert number not in phone.content()
    phone.click("details.reveal-form summary")
    phone.select_option("select[name=reason]", "verify_identity")
    phone.click("details.reveal-form button[type=submit]")
    wait_for_js(phone, "(n) => document.querySelector('#revealed') && "
                       "document.querySelector('#revealed').textContent.includes(n)", number)
    assert "13712345678" in phone.inner_text("#revealed")
    _fits(phone)
    phone.reload()
    assert number not in phone.content() and "查看完整信息" in phone.content()
