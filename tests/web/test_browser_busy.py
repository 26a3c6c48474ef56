"""Issue 14 (smaller items): no form can be sent twice and every form shows it is working. While the
request runs, the submit buttons are disabled and the pressed one says 提交中… (a search 查询中…);
a plain form keeps that until the next page comes, an htmx form until its answer, and a failed
answer gives the buttons back."""

from __future__ import annotations

import pytest

from ..conftest import wait_for_js

pytestmark = pytest.mark.browser

STATE = """sel => { const b = document.querySelector(sel);
  return b && [b.disabled, b.getAttribute('aria-busy'), b.textContent.trim()]; }"""


def _hold(page, wanted):
    """Requests for which ``wanted(request)`` is true wait in the returned list until released; all
    others go on (through the fixture's guard against requests leaving the machine)."""
    held = []

    def handler(route):
        if wanted(route.request):
            held.append(route)
        else:
            route.fallback()

    page.route("**/*", handler)
    return held


def _until_held(page, held, n: int = 1):
    for _ in range(200):
        if len(held) >= n:
            return
        page.wait_for_timeout(50)
    raise TimeoutError("请求未发出")


RECORD = """sel => window.addEventListener('submit', () => {  // after the page's own listeners
  const b = document.querySelector(sel);
  sessionStorage.setItem('busy', JSON.stringify([b.disabled, b.getAttribute('aria-busy'), b.textContent.trim()]));
})"""


def test_a_plain_form_is_disabled_and_says_it_is_working_until_the_answer(page):
    page.goto(page.base_url + "/users/new")
    button = "form[action='/users/new'] button[type=submit]"
    page.evaluate(RECORD, button)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.fill("#username", "busy_test")
    page.fill("#display_name", "测试")
    page.select_option("#role", index=1)
    page.evaluate("() => { document.querySelector('input[name=scope_code]').value = '321100000000'; }")
    page.fill("#password", "abcdefgh1")
    page.fill("#password2", "abcdefgh2")  # refused: the passwords differ
    page.click(button)
    page.wait_for_selector("#form-error")
    # As the request left: the button disabled and saying so; the answer's form works again.
    assert page.evaluate("() => JSON.parse(sessionStorage.getItem('busy'))") == [True, "true", "提交中…"]
    assert page.evaluate(STATE, button) == [False, None, "创建用户"]
    assert len(posts) == 1


def test_an_htmx_form_is_busy_while_it_runs_and_works_again_when_it_fails(page):
    page.goto(page.base_url + "/users")
    held = _hold(page, lambda r: r.method == "GET" and "/users?" in r.url and r.headers.get("hx-request"))
    button = "form.filters button[type=submit]"
    page.fill("form.filters input[name=q]", "worker")
    page.click(button, no_wait_after=True)
    wait_for_js(page, f"() => document.querySelector(\"{button}\").disabled")
    assert page.evaluate(STATE, button) == [True, "true", "查询中…"]
    _until_held(page, held)
    for route in held:  # the search box's own request may be held too
        route.fulfill(status=500, body="出错了")
    wait_for_js(page, f"() => !document.querySelector(\"{button}\").disabled")
    assert page.evaluate(STATE, button) == [False, None, "查询"]
