"""Every response carries the security headers (pages, API JSON, static files, errors, /api/docs), the
Content-Security-Policy lets no inline or foreign script run, and /api/docs is served entirely by the
app (vendored Swagger UI started by a script file: no request may leave the machine)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from gridgov.app import create_app
from gridgov.web.headers import tile_origin

from ..conftest import make_settings

HTML = {"Accept": "text/html"}


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_secure(response, *, https: bool = False) -> None:
    h = response.headers
    where = f"{response.request.method} {response.request.url} → {response.status_code}"
    assert "content-security-policy" in h, where
    csp = directives(h["content-security-policy"])
    assert csp["default-src"] == ["'self'"], where
    assert csp["script-src"] == ["'self'"], where  # no 'unsafe-inline', no 'unsafe-eval', nothing foreign
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"], where
    assert csp["form-action"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], where
    assert csp["connect-src"] == ["'self'"], where
    assert csp["style-src"] == ["'self'"] and not any(k.startswith("style-src-") for k in csp), where
    assert set(csp["img-src"]) >= {"'self'", "data:", "blob:"}, where
    assert h["x-frame-options"] == "DENY", where
    assert h["x-content-type-options"] == "nosniff", where
    assert h["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin"), where
    assert "geolocation=(self)" in h["permissions-policy"] and "camera=(self)" in h["permissions-policy"], where
    if https:
        assert h["strict-transport-security"].startswith("max-age="), where
        assert int(re.search(r"max-age=(\d+)", h["strict-transport-security"]).group(1)) >= 15552000, where
    else:
        assert "strict-transport-security" not in h, where


def test_every_kind_of_response_carries_the_headers(anonymous, client):
    responses = [
        anonymous.get("/login", headers=HTML),  # a page
        anonymous.get("/", headers=HTML, follow_redirects=False),  # a redirect to the login page
        anonymous.get("/api/v1/health"),  # API JSON
        anonymous.get("/api/v1/grids"),  # 401 JSON
        anonymous.get("/static/css/app.css"),  # a static file
        anonymous.get("/static/vendor/htmx/htmx.min.js"),
        anonymous.get("/static/nothing-here.js"),  # a static 404
        anonymous.get("/no/such/page", headers=HTML),  # an HTML 404
        anonymous.get("/api/v1/no-such-thing"),  # a JSON 404
        anonymous.delete("/api/v1/health"),  # a 405
        anonymous.get("/openapi.json"),
        anonymous.get("/api/docs"),
        client.get("/", headers=HTML),  # a page of a logged-in user
        client.get("/api/v1/grids"),
        client.get("/api/v1/grids/locate", params={"lon": "abc", "lat": 1}),  # a 422
        client.get("/map", headers=HTML),
    ]
    assert {r.status_code for r in responses} >= {200, 303, 401, 404, 405, 422}
    for r in responses:
        assert_secure(r)


def test_hsts_when_the_request_came_over_https_or_the_site_says_it_is_served_over_tls(app, db_connection, tmp_path):
    with TestClient(app, base_url="https://testserver") as c:
        assert_secure(c.get("/login", headers=HTML), https=True)
        assert_secure(c.get("/static/css/app.css"), https=True)
    behind_proxy = create_app(make_settings(str(db_connection.engine.url), tmp_path, secure_cookies=True),
                              engine=db_connection.engine)
    with TestClient(behind_proxy) as c:  # plain http from a TLS-terminating proxy
        assert_secure(c.get("/api/v1/health"), https=True)
        assert_secure(c.get("/login", headers=HTML), https=True)


def test_the_tile_server_is_the_only_foreign_origin_images_may_come_from(db_connection, tmp_path):
    app = create_app(make_settings(str(db_connection.engine.url), tmp_path,
                                   tile_url="https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png"),
                     engine=db_connection.engine)
    with TestClient(app) as c:
        r = c.get("/login", headers=HTML)
    assert_secure(r)
    csp = directives(r.headers["content-security-policy"])
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://*.tiles.example.org"]
    assert csp["script-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]


@pytest.mark.parametrize(("url", "origin"), [
    ("", None),
    ("/tiles/{z}/{x}/{y}.png", None),
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("http://{s}.tiles.local:8080/{z}/{x}/{y}.png", "http://*.tiles.local:8080"),
    ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}", "https:"),
])
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "data-openapi-url"):
            if a.get(name):
                self.refs.append(a[name])
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        assert not any(k.startswith("on") for k in a), (tag, attrs)


def test_api_docs_is_served_by_the_app_with_no_inline_script(anonymous):
    r = anonymous.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_secure(r)
    parser = _Refs()
    parser.feed(r.text)
    assert parser.inline_scripts == 0
    assert not re.search(r"(https?:)?//", r.text.replace("http-equiv", "")), "接口文档页引用了外部地址"
    assert any("swagger-ui-bundle.js" in ref for ref in parser.refs)
    assert any("swagger-ui.css" in ref for ref in parser.refs)
    for ref in parser.refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref
        asset = anonymous.get(ref)
        assert asset.status_code == 200, ref
        assert_secure(asset)
    init = anonymous.get("/static/js/apidocs.js").text
    assert "SwaggerUIBundle(" in init and not re.search(r"https?://", init)
    # FastAPI's own docs page (CDN + inline script) is off, and the page is not an API operation.
    assert "/api/docs" not in anonymous.get("/openapi.json").json()["paths"]
