"""A visible focus indicator on everything the keyboard reaches (WCAG 2.4.7, with 1.4.11's 3:1 for the ring),
which axe does not check: each page is walked with Tab and every element that takes the focus must show a ring
(an outline or a box-shadow at least 2 px wide, not the browser's own ``auto`` ring, which some browsers draw in
the page's own link colour) in a colour at least 3:1 against what lies behind it. The old ``.field`` ring
(#93c5fd on white) was 1.8:1; links had only the browser's ring. Elements inside a Leaflet map are the map's
own keyboard work (issue 14, item 11's map part) and are left out here."""

from __future__ import annotations

import pytest

from ..conftest import login, wait_for_js
from .test_browser_axe import SETTLED, _api, _post

pytestmark = pytest.mark.browser

RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.closest('.leaflet-container')) return null;
  const rgb = (c) => { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : null; };
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let behind = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c && (c.length < 4 || c[3] > 0.5)) { behind = c.slice(0, 3); break; }
  }
  const s = getComputedStyle(el);
  const rings = [];
  if (s.outlineStyle !== 'none' && s.outlineStyle !== 'auto' && parseFloat(s.outlineWidth) >= 2)
    rings.push(ratio(rgb(s.outlineColor).slice(0, 3), behind));
  const shadow = s.boxShadow.match(/rgba?\\([^)]*\\)\\s+(-?[\\d.]+px\\s+){3}([\\d.]+)px/);
  if (shadow && parseFloat(shadow[2]) >= 2) rings.push(ratio(rgb(shadow[0]).slice(0, 3), behind));
  const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' '
    + (el.textContent || el.name || '').replace(/\\s+/g, ' ').trim().slice(0, 20);
  return {name, best: rings.length ? Math.max(...rings) : 0, outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' +
          s.outlineColor, shadow: s.boxShadow};
}"""


def _walk(page, path: str, stops: int = 45) -> list[str]:
    """Tabs through ``path`` from the top; what took the focus without a ring of 3:1."""
    page.goto(page.base_url + path)
    wait_for_js(page, SETTLED)
    bad, seen = [], set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring is None or ring["name"] in seen:
            continue
        seen.add(ring["name"])
        if ring["best"] < 3:
            bad.append(f"{path}: {ring['name']} — 对比度 {ring['best']:.2f}（outline {ring['outline']}；"
                       f"box-shadow {ring['shadow']}）")
    return bad


@pytest.fixture
def keyboard(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()


def test_every_focusable_element_shows_a_ring_of_3_to_1(keyboard, live_server):
    request = keyboard.context.request
    worker, town = _api(request, live_server, "worker"), _api(request, live_server, "town_dispatcher")
    types = request.get(live_server + "/api/v1/case-types", headers=worker["auth"]).json()
    no = _post(request, live_server + "/api/v1/cases", worker, {
        "title": "消防通道堵塞", "type": next(t["code"] for t in types if t["parent"]), "source": "patrol",
        "grid_code": worker["scope_code"], "address": "无障碍路 2 号", "description": "焦点检查",
        "next_action": "escalate"})["case_no"]
    _post(request, f"{live_server}/api/v1/cases/{no}/actions/accept", town, {})
    bad = _walk(keyboard, "/login", stops=12)
    login(keyboard, "town_dispatcher")
    for path in ("/cases/mine", f"/cases/{no}", "/catalogue", "/grids"):
        bad += _walk(keyboard, path)
    assert not bad, "获得焦点时没有清晰可见的焦点框：\n" + "\n".join(bad)
