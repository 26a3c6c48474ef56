"""The adjustment pages in a real browser: proposing a split through the form and seeing its
before/after outlines on the detail page's map (served from the vendored Leaflet)."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import box, mapping, shape

from ..conftest import login, wait_for_js

pytestmark = pytest.mark.browser


def _split_plan(page) -> tuple[str, str, dict]:
    """A split of the town dispatcher's first grid, read through the API the page is logged in to."""
    api = page.request
    me_grids = api.get(page.base_url + "/api/v1/grids", params={"page_size": 1}).json()["items"]
    code = me_grids[0]["code"]
    grid = api.get(page.base_url + f"/api/v1/grids/{code}").json()
    village = api.get(page.base_url + "/api/v1/grids", params={"area": code[:12], "page_size": 200}).json()["items"]
    top = max(int(g["code"][12:]) for g in village)
    geom = shape(grid["geometry"])
    minx, miny, maxx, maxy = geom.bounds
    mid = (minx + maxx) / 2
    halves = [shapely.intersection(geom, box(minx - 1, miny - 1, mid, maxy + 1)),
              shapely.intersection(geom, box(mid, miny - 1, maxx + 1, maxy + 1))]
    features = [
        {"type": "Feature", "geometry": mapping(h),
         "properties": {"code": f"{code[:12]}{top + i + 1:03d}", "name": f"{grid['name']}{side}", "kind": grid["kind"],
                        "households": grid["households"] // 2}}
        for i, (h, side) in enumerate(zip(halves, "西东", strict=True))
    ]
    return code, grid["area_chain"][2]["code"], {"type": "FeatureCollection", "features": features}


def test_a_town_agency_proposes_a_split_and_sees_it_on_the_map(page):
    login(page, "town_dispatcher")
    code, _town, plan = _split_plan(page)
    page.goto(page.base_url + "/adjustments/new")
    page.select_option("select[name=kind]", "split")
    page.select_option("select[name=trigger]", "population_change")
    page.fill("input[name=effective_on]", "2099-01-01")
    page.fill("textarea[name=reason]", "人口增长，网格过大")
    page.fill("textarea[name=committee_opinion]", "居委会同意")
    page.fill("textarea[name=plan_text]", json.dumps(plan))
    page.click("form.adjust-form button[type=submit]")
    # The grid to retire is missing: the form comes back with the reason and the input kept.
    page.locator(".form-error").wait_for()
    assert "应撤销且只撤销 1 个原网格" in page.inner_text(".form-error")
    assert page.input_value("textarea[name=reason]") == "人口增长，网格过大"
    assert page.input_value("textarea[name=committee_opinion]") == "居委会同意"
    page.fill("input[name=retire]", code)
    page.click("form.adjust-form button[type=submit]")
    page.wait_for_url(lambda url: "/adjustments/new" not in url)
    assert "待审批" in page.inner_text("h1")
    wait_for_js(page, "document.querySelectorAll('#adjust-map path').length >= 3")
    assert page.locator("#adjust-map path").count() == 3  # one before, two after
    page.screenshot(path="/tmp/adjust_detail.png", full_page=True)
    page.goto(page.base_url + "/adjustments")
    assert "拆分" in page.inner_text("table") and "待审批" in page.inner_text("table")
