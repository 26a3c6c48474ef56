"""The territory pages, over HTTP: each page renders in Chinese with the demo city's data, every
asset it loads is served by the app itself, and unknown codes give a Chinese 404 page."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

CITY = "321100000000"
COUNTY = "321102000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}
HTMX = {**HTML, "HX-Request": "true"}

_LINK = re.compile(r"""\b(?:src|href|action|hx-get)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_STAT = re.compile(r'data-stat="([\w-]+)">([^<]*)<')


def get_page(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def stats(html: str) -> dict[str, int]:
    return {k: int(v.replace(",", "")) for k, v in _STAT.findall(html)}


def map_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert found, "页面没有地图配置"
    return json.loads(found.group(1))


def api(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def first_village(client) -> dict:
    town = api(client, f"/api/v1/areas?parent={COUNTY}")[0]
    return api(client, f"/api/v1/areas?parent={town['code']}")[0]


def pages_to_check(client) -> list[str]:
    grid = api(client, "/api/v1/grids?page_size=1")["items"][0]
    return [
        "/",
        "/areas",
        f"/areas/{CITY}",
        f"/areas/{COUNTY}",
        f"/areas/{grid['area_code']}",
        "/grids",
        f"/grids?area={COUNTY}&q=网格&page=2",
        f"/grids/{grid['code']}",
        "/map",
        f"/map?area={grid['area_code']}",
        "/coverage",
        f"/coverage?area={COUNTY}",
    ]


# ---------------------------------------------------------------- every page


def test_every_page_is_chinese_and_loads_only_assets_served_by_the_app(client):
    for url in pages_to_check(client):
        html = get_page(client, url)
        assert '<html lang="zh-CN">' in html, url
        assert 'name="viewport"' in html, url
        for label in ("辖区概况", "区域", "网格", "地图", "覆盖检查"):
            assert f">{label}</a>" in html, (url, label)
        for link in _LINK.findall(html):
            parts = urlsplit(link)
            assert not parts.netloc and parts.scheme in ("", "data"), f"{url} 引用了外部地址 {link}"
            if link.startswith("/static/"):
                asset = client.get(link)
                assert asset.status_code == 200, f"{url} 引用的 {link} 不存在"
        assert not re.search(r"(?<![\w.])(?:https?:)?//[\w-]+\.[\w.-]+", _scripts_and_styles(html)), url


def _scripts_and_styles(html: str) -> str:
    return " ".join(re.findall(r"<(?:script|style)\b[^>]*>(.*?)</(?:script|style)>", html, re.S | re.I))


def test_the_static_scripts_of_the_pages_make_no_request_to_another_host(client):
    for name in ("app.js", "gridmap.js", "map.js", "grid.js", "coverage.js", "home.js"):
        js = client.get(f"/static/js/{name}")
        assert js.status_code == 200, name
        assert not re.search(r"https?://", js.text), name
    css = client.get("/static/css/app.css").text
    assert "http" not in css and "@import" not in css and "@font-face" not in css
    assert '"PingFang SC"' in css and '"Microsoft YaHei"' in css and '"Noto Sans CJK SC"' in css


# ---------------------------------------------------------------- home


@pytest.mark.setting("platform_name")
def test_home_shows_the_platform_name_the_city_and_the_counts(client, app):
    html = get_page(client, "/")
    assert app.state.profile.platform_name in html
    assert "镇江市" in html
    city = api(client, f"/api/v1/areas/{CITY}")
    counts = stats(html)
    assert counts["grids"] == city["grids"] == 1000
    assert counts["level-city"] == 1
    assert counts["level-county"] == len(api(client, f"/api/v1/areas?parent={CITY}"))
    assert counts["level-town"] > 0 and counts["level-village"] > counts["level-town"]
    for href in ('href="/areas"', 'href="/grids"', 'href="/map"', 'href="/coverage"'):
        assert href in html
    assert "/static/vendor/echarts/echarts.min.js" in html


# ---------------------------------------------------------------- areas


def test_the_area_tree_lists_the_city_and_its_counties_with_level_and_grid_counts(client):
    html = get_page(client, "/areas")
    assert "镇江市" in html
    for county in api(client, f"/api/v1/areas?parent={CITY}"):
        grids = api(client, f"/api/v1/areas/{county['code']}")["grids"]
        assert f'href="/areas/{county["code"]}">{county["name"]}</a>' in html
        assert f"网格 <strong>{grids:,}</strong>" in html
    assert "县(市、区)" in html
    assert f'hx-get="/areas/{COUNTY}/children"' in html


def test_an_area_page_has_breadcrumbs_children_and_links_to_its_map_and_coverage(client):
    html = get_page(client, f"/areas/{COUNTY}")
    county = api(client, f"/api/v1/areas/{COUNTY}")
    assert f"<h1>{county['name']}" in html
    assert 'href="/areas/321100000000">镇江市</a>' in html
    for town in api(client, f"/api/v1/areas?parent={COUNTY}"):
        assert town["name"] in html
    assert "镇(街道)" in html
    assert f'href="/map?area={COUNTY}"' in html
    assert f'href="/coverage?area={COUNTY}"' in html
    assert stats(html)["grids"] == county["grids"]


def test_a_village_page_lists_its_grids(client):
    village = first_village(client)
    html = get_page(client, f"/areas/{village['code']}")
    grids = api(client, f"/api/v1/grids?area={village['code']}&page_size=200")
    assert grids["total"] > 0
    for g in grids["items"]:
        assert f'href="/grids/{g["code"]}"' in html
    assert "村(社区)" in html


def test_expanding_a_tree_node_returns_only_its_children(client):
    response = client.get(f"/areas/{COUNTY}/children", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "site-nav" not in response.text
    for town in api(client, f"/api/v1/areas?parent={COUNTY}"):
        assert f'href="/areas/{town["code"]}"' in response.text


# ---------------------------------------------------------------- grid list


def test_the_grid_list_shows_the_demo_grids_and_the_total(client):
    html = get_page(client, "/grids")
    first = api(client, "/api/v1/grids?page_size=30")
    assert f'data-total="{first["total"]}"' in html
    for g in first["items"]:
        assert f'href="/grids/{g["code"]}">{g["code"]}</a>' in html
    assert 'hx-trigger="keyup changed delay:300ms' in html
    assert 'hx-target="#grid-table"' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_searching_the_grid_list_narrows_the_total(client):
    everything = api(client, "/api/v1/grids?page_size=1")
    grid = everything["items"][0]
    html = get_page(client, f"/grids?q={grid['name']}")
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    assert 1 <= total < everything["total"]
    assert grid["code"] in html
    by_code = get_page(client, f"/grids?q={grid['code']}")
    assert 'data-total="1"' in by_code and grid["code"] in by_code


def test_the_grid_list_filters_by_area_and_pages(client):
    village = first_village(client)
    html = get_page(client, f"/grids?area={village['code']}")
    codes = set(re.findall(r'href="/grids/(\d{15})"', html))
    assert codes and all(c.startswith(village["code"]) for c in codes)
    page1 = set(re.findall(r'href="/grids/(\d{15})"', get_page(client, "/grids?page=1")))
    page2_html = get_page(client, "/grids?page=2")
    page2 = set(re.findall(r'href="/grids/(\d{15})"', page2_html))
    assert page2 and not page1 & page2
    assert "第 2 /" in page2_html and 'href="/grids?page=3"' in page2_html


def test_an_htmx_request_gets_only_the_table(client):
    grid = api(client, "/api/v1/grids?page_size=1")["items"][0]
    response = client.get(f"/grids?q={grid['code']}", headers=HTMX)
    assert response.status_code == 200
    body = response.text
    assert "<html" not in body and "<head" not in body and "site-nav" not in body and "<form" not in body
    assert "<table" in body and 'data-total="1"' in body and grid["code"] in body
    assert "HX-Request" in response.headers.get("vary", "")


def test_an_empty_search_says_so_in_chinese(client):
    html = client.get("/grids?q=不存在的网格名称", headers=HTMX).text
    assert 'data-total="0"' in html and "没有找到符合条件的网格" in html


# ---------------------------------------------------------------- grid page


def test_a_grid_page_shows_the_grid_its_area_chain_and_its_outline(client):
    grid = api(client, "/api/v1/grids?page_size=1")["items"][0]
    detail = api(client, f"/api/v1/grids/{grid['code']}")
    html = get_page(client, f"/grids/{grid['code']}")
    assert grid["code"] in html and grid["name"] in html
    assert detail["kind_label"] in html
    assert f"{detail['households']:,} 户" in html and f"{detail['population']:,} 人" in html
    for item in detail["area_chain"]:
        assert f'href="/areas/{item["code"]}">{item["name"]}</a>' in html
    assert "微网格" in html
    assert "/static/vendor/leaflet/leaflet.js" in html and 'id="grid-map"' in html
    assert map_config(html)["geometry"] == detail["geometry"]


def test_a_dedicated_grid_shows_its_dedicated_type_label(client, db):
    from sqlalchemy import update

    from gridgov.models import Grid
    from gridgov.models.territory import DEDICATED_TYPE_LABELS, DedicatedType

    code = api(client, "/api/v1/grids?page_size=1")["items"][0]["code"]
    db.execute(update(Grid).where(Grid.code == code).values(kind="dedicated", dedicated_type=DedicatedType.PARK))
    db.commit()
    html = get_page(client, f"/grids/{code}")
    assert "专属网格" in html and "专属类型" in html and DEDICATED_TYPE_LABELS[DedicatedType.PARK] in html
    listed = client.get(f"/grids?q={code}", headers=HTMX).text
    assert "专属网格" in listed and DEDICATED_TYPE_LABELS[DedicatedType.PARK] in listed


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/grids/321102001001999", "网格 321102001001999 不存在"),
        ("/areas/321199000000", "区域 321199000000 不存在"),
        ("/map?area=321199000000", "区域 321199000000 不存在"),
        ("/coverage?area=321199000000", "区域 321199000000 不存在"),
        ("/no-such-page", "页面或资源不存在"),
    ],
)
def test_an_unknown_code_renders_a_chinese_404_page(client, url, message):
    html = get_page(client, url, status=404)
    assert '<html lang="zh-CN">' in html
    assert "没有找到" in html and message in html
    assert 'href="/"' in html and "site-nav" in html


def test_a_malformed_parameter_renders_a_chinese_error_page_with_a_table(client):
    html = get_page(client, "/grids?page=0", status=422)
    assert "请求有误" in html and "请求参数有误" in html
    assert "<th scope=\"col\">字段</th>" in html and "<td>page</td>" in html


def test_the_api_still_answers_json_for_an_unknown_grid(client):
    response = client.get("/api/v1/grids/321102001001999")
    assert response.status_code == 404
    assert response.json()["detail"] == "网格 321102001001999 不存在"


# ---------------------------------------------------------------- map


def test_the_map_page_defaults_to_the_first_county_and_loads_leaflet_from_the_app(client):
    html = get_page(client, "/map")
    assert '<script src="/static/vendor/leaflet/leaflet.js' in html
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css' in html
    assert f'data-area="{COUNTY}"' in html
    config = map_config(html)
    assert config["area"] == COUNTY and config["tile_url"] == ""
    for county in api(client, f"/api/v1/areas?parent={CITY}"):
        assert f'<option value="{county["code"]}"' in html
    assert 'id="grid-card"' in html and "城市社区网格" in html and "农村网格" in html


def test_the_map_page_of_a_town_preselects_its_county_and_town(client):
    town = api(client, f"/api/v1/areas?parent={COUNTY}")[0]
    html = get_page(client, f"/map?area={town['code']}")
    assert f'<option value="{COUNTY}" selected>' in html
    assert f'<option value="{town["code"]}" selected>' in html
    assert f"<span id=\"map-area-name\">{town['name']}</span>" in html


def test_the_map_uses_a_tile_server_only_when_one_is_configured(client, app):
    app.state.settings = app.state.settings.model_copy(
        update={"tile_url": "/tiles/{z}/{x}/{y}.png", "tile_attribution": "本地底图"}
    )
    config = map_config(get_page(client, "/map"))
    assert config["tile_url"] == "/tiles/{z}/{x}/{y}.png" and config["tile_attribution"] == "本地底图"


# ---------------------------------------------------------------- coverage


def test_the_coverage_page_of_the_demo_city_finds_no_overlap_and_no_gap(client):
    html = get_page(client, f"/coverage?area={CITY}")
    counts = stats(html)
    assert counts["grids_checked"] == 1000
    assert counts["overlaps"] == 0 and counts["gaps"] == 0 and counts["outside"] == 0
    assert "覆盖完整" in html
    config = map_config(html)
    assert config["boundary"]["type"] in ("Polygon", "MultiPolygon")
    assert config["overlaps"] == [] and config["gaps"] == [] and config["outside"] == []
    assert "/static/js/coverage.js" in html


def test_the_coverage_page_without_an_area_offers_a_picker(client):
    html = get_page(client, "/coverage")
    assert "选择要检查的区域" in html
    for county in api(client, f"/api/v1/areas?parent={CITY}"):
        assert f'href="/coverage?area={county["code"]}"' in html
        assert f'<option value="{county["code"]}"' in html


def test_the_coverage_page_shows_overlaps_and_household_warnings(client, db, app):
    """A grid moved onto its neighbour's ground shows up as an overlap, and a grid with too many
    households is listed under the profile's norms when the profile sets them."""
    from sqlalchemy import select, update

    from gridgov.models import Grid

    village = first_village(client)
    a, b = db.scalars(select(Grid).where(Grid.area_code == village["code"]).order_by(Grid.code).limit(2)).all()
    db.execute(
        update(Grid)
        .where(Grid.code == b.code)
        .values(geom_wkb=a.geom_wkb, households=100000, min_lon=a.min_lon, min_lat=a.min_lat,
                max_lon=a.max_lon, max_lat=a.max_lat)
    )
    db.commit()
    html = get_page(client, f"/coverage?area={village['code']}")
    counts = stats(html)
    assert counts["overlaps"] >= 1
    assert "发现" in html and "处覆盖问题" in html
    assert f'href="/grids/{a.code}"' in html and f'href="/grids/{b.code}"' in html
    norms = app.state.profile.territory.household_norms
    if norms:
        assert counts["household_warnings"] >= 1 and "100,000" in html


def test_a_long_list_pages_with_links_that_keep_the_filters(client):
    r = client.get("/grids", params={"page": 2, "q": "网格"}, headers={"accept": "text/html"})
    assert r.status_code == 200
    pager = r.text[r.text.index('<nav class="pager"'):]
    assert "q=%E7%BD%91%E6%A0%BC&amp;page=3" in pager or "q=%E7%BD%91%E6%A0%BC&page=3" in pager
    assert 'hx-target="#grid-table"' in pager and "page=1" in pager
