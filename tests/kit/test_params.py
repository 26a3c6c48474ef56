"""Integers from a request are bounded (kit.params): ids beyond what a column holds are 404, pages 422.

Before, 2^31 (PostgreSQL ``integer``) or 2^63 (SQLite) reached the driver and answered 500, some with
no login. The walk below fails when a new route or request body takes an integer without both bounds.
"""

from __future__ import annotations

import pytest
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

HUGE = [2**31, 2**63, 2**64]


def _routes(app):
    found = []

    def walk(routes, prefix):
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(included.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                found.append((prefix + route.path, route))

    walk(app.routes, "")
    return found


def _bounded(metadata) -> bool:
    low = any(hasattr(m, "ge") or hasattr(m, "gt") for m in metadata)
    high = any(hasattr(m, "le") or hasattr(m, "lt") for m in metadata)
    return low and high


def test_every_integer_parameter_of_every_route_is_bounded(app):
    """Pages and API alike: a path or query integer without a lower and an upper bound fails here."""
    unbounded, seen = [], 0
    for path, route in _routes(app):
        for param in get_flat_params(route.dependant):
            if "int" not in str(param.field_info.annotation):
                continue
            seen += 1
            if not _bounded(param.field_info.metadata):
                unbounded.append(f"{sorted(route.methods)} {path} {param.name}")
    assert seen > 50
    assert not unbounded, f"这些整数参数没有上下界（用 gridgov.kit.params 的 IdPath/PageQuery）：{unbounded}"


def test_every_integer_in_a_request_body_is_bounded(app):
    document = app.openapi()
    components = document["components"]["schemas"]
    unbounded, seen = [], 0

    def walk(schema, where, refs):
        nonlocal seen
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in refs:
                walk(components[name], f"{where}>{name}", refs | {name})
            return
        if schema.get("type") == "integer":
            seen += 1
            if not ({"minimum",
                     "exclusiveMinimum"} & schema.keys() and {"maximum", "exclusiveMaximum"} & schema.keys()):
                unbounded.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, where, refs)
        walk(schema.get("items"), f"{where}[]", refs)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}", refs)

    for path, item in document["paths"].items():
        for method, operation in item.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content.get("schema"), f"{method.upper()} {path}", frozenset())
    assert seen > 5
    assert not unbounded, f"这些请求体里的整数没有上下界（用 gridgov.kit.params.IdField）：{unbounded}"


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_in_paths_are_not_found(anonymous, client, value):
    assert anonymous.get(f"/api/v1/catalogue/lists/{value}/versions").status_code == 404
    for path in (f"/api/v1/staff/{value}", f"/api/v1/users/{value}", f"/api/v1/complaints/{value}",
                 f"/api/v1/instructions/{value}", f"/api/v1/adjustments/{value}",
                 f"/api/v1/catalogue/applications/{value}", f"/api/v1/catalogue/lists/1/versions/{value}/compare/1"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json()["code"] == "not_found"
    r = client.post(f"/api/v1/staff/{value}/reveal")
    assert r.status_code == 404
    r = client.post(f"/api/v1/supervision/{value}/answer", json={"answer": "已处理"})
    assert r.status_code == 404
    page = client.get(f"/staff/{value}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "不存在" in page.text


@pytest.mark.parametrize("value", [2**62, *HUGE])
def test_huge_pages_are_refused(client, client_as, value):
    auditor = client_as("auditor")
    for who, path in ((client, "/api/v1/staff"), (client, "/api/v1/grids"), (client, "/api/v1/cases"),
                      (auditor, "/api/v1/audit")):
        r = who.get(path, params={"page": value})
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert "page" in r.json()["detail"]


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_in_bodies_are_refused(client, value):
    r = client.post("/api/v1/notifications/read", json={"ids": [value]})
    assert r.status_code == 422, r.text
    r = client.post("/api/v1/posts", json={"staff_id": value, "grid_code": "x", "kind": "full_time"})
    assert r.status_code == 422, r.text
    assert any(e["field"] == "staff_id" for e in r.json()["errors"])
    r = client.post("/api/v1/users", json={"username": "fuzz_user", "password": "x" * 12, "role": "worker",
                                           "area_code": "321100000000", "staff_id": value})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_staff_id_in_the_complaint_form_is_a_bad_field(anonymous, db, value):
    from gridgov.accounts.demo import demo_places

    grid = demo_places(db, "321100000000").grid
    r = anonymous.post(f"/board/{grid}/complaints", data={"content": "态度生硬", "staff_id": str(value)},
                       headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 422 and "被投诉人员不在本网格公示的人员中" in r.text
