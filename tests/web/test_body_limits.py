"""Request bodies are capped per route class before they are read (issue 11, finding 3).

The ASGI-level tests call the whole application with a ``receive`` that counts (or forbids) reads,
so "before reading" is checked, not assumed."""

from __future__ import annotations

import asyncio
import io
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from gridgov.body_limits import IMPORT, JSON, UPLOAD, route_class

MIB = 1024 * 1024


def _call(app, method: str, path: str, headers: dict[str, str], chunks=None, *, forbid_reading=False):
    """Runs one request through the ASGI app; returns (status, headers, body, chunks read)."""
    chunks = list(chunks or [])
    read = 0

    async def receive():
        nonlocal read
        if forbid_reading:
            raise AssertionError("the body was read")
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(3600)  # the client waits for the answer

    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {},
    }
    # in a thread of its own: a browser test earlier in the session (Playwright's sync API) leaves an
    # event loop marked running in the main thread, where asyncio.run refuses to start another
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, asyncio.wait_for(app(scope, receive, send), 30)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, read


def _token(client) -> str:
    return client.headers["Authorization"]


def test_routes_are_classified():
    assert route_class("POST", "/api/v1/case-photos") == UPLOAD
    assert route_class("POST", "/api/v1/staff/12/photo") == UPLOAD
    assert route_class("POST", "/staff/12/photo") == UPLOAD
    assert route_class("POST", "/cases/new") == UPLOAD
    assert route_class("POST", "/cases/3211/actions/solve") == UPLOAD
    assert route_class("POST", "/instructions/7/case") == UPLOAD
    assert route_class("POST", "/adjustments/new") == IMPORT
    assert route_class("POST", "/api/v1/adjustments") == IMPORT
    assert route_class("POST", "/api/v1/adjustments/3/approve") == JSON
    assert route_class("POST", "/api/v1/grids/import") == IMPORT
    assert route_class("POST", "/api/v1/staff/import") == IMPORT
    assert route_class("POST", "/staff/import") == IMPORT
    assert route_class("POST", "/api/v1/cases") == JSON
    assert route_class("POST", "/api/v1/public/boards/3201/complaints") == JSON
    assert route_class("GET", "/api/v1/case-photos") == JSON


@pytest.mark.parametrize(("path", "cap_mib", "auth"), [
    ("/api/v1/public/boards/320102001001/complaints", 1, False),  # JSON class, public route
    ("/api/v1/cases", 1, True),
    ("/api/v1/case-photos", 20, True),
    ("/api/v1/staff/1/photo", 20, True),
    ("/api/v1/grids/import", 50, True),
    ("/api/v1/staff/import", 50, True),
])
def test_content_length_over_the_cap_is_413_unread(app, client, path, cap_mib, auth):
    headers = {"content-type": "application/json", "content-length": str(cap_mib * MIB + 1)}
    if auth:
        headers["authorization"] = _token(client)
    status, _, body, _ = _call(app, "POST", path, headers, forbid_reading=True)
    assert status == 413
    answer = json.loads(body)
    assert answer["code"] == "too_large"
    assert f"{cap_mib} MB" in answer["detail"] and "太大" in answer["detail"]


def test_page_request_over_the_cap_gets_an_error_page(app, client):
    headers = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html",
               "content-length": str(MIB + 1)}
    status, got, body, _ = _call(app, "POST", "/login", headers, forbid_reading=True)
    assert status == 413
    assert got["content-type"].startswith("text/html")
    assert "不能超过 1 MB" in body.decode()


@pytest.mark.parametrize(("path", "cap_mib", "auth"), [
    ("/api/v1/public/boards/320102001001/complaints", 1, False),
    ("/api/v1/case-photos", 20, True),
    ("/api/v1/grids/import", 50, True),
])
def test_chunked_body_is_cut_off_at_the_cap(app, client, path, cap_mib, auth):
    """No Content-Length: the body is counted as it streams and the reading stops past the cap."""
    headers = {"content-type": "application/json", "transfer-encoding": "chunked"}
    if auth:
        headers["authorization"] = _token(client)
    chunk = b" " * (256 * 1024)
    chunks = [chunk] * (cap_mib * 4 + 40)  # 10 MB more than the cap
    if path == "/api/v1/case-photos":  # a multipart form whose file part never ends
        headers["content-type"] = "multipart/form-data; boundary=xyz"
        chunks[0] = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
                     b"Content-Type: image/png\r\n\r\n").ljust(len(chunk), b"a")
    status, _, body, read = _call(app, "POST", path, headers, chunks)
    assert status == 413, body
    assert json.loads(body)["code"] == "too_large"
    assert read == cap_mib * 4 + 1  # stopped at the first chunk past the cap


def test_unauthenticated_300_mb_upload_is_401_unread(app):
    for path in ("/api/v1/case-photos", "/api/v1/grids/import", "/api/v1/staff/import", "/api/v1/staff/1/photo"):
        headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(300 * MIB)}
        status, _, body, _ = _call(app, "POST", path, headers, forbid_reading=True)
        assert status == 401, path
        assert json.loads(body) == {"detail": "请先登录", "code": "not_authenticated"}
        # a forged or expired token is no credential either
        headers["authorization"] = "Bearer api.1.0.9999999999.forged"
        status, _, _, _ = _call(app, "POST", path, headers, forbid_reading=True)
        assert status == 401


def test_unauthenticated_page_upload_goes_to_login_unread(app):
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(300 * MIB),
               "accept": "text/html"}
    status, got, _, _ = _call(app, "POST", "/staff/import", headers, forbid_reading=True)
    assert status == 303 and got["location"].startswith("/login")


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def test_requests_under_the_caps_still_work(client, anonymous):
    r = client.post("/api/v1/case-photos", files={"file": ("a.png", _png(), "image/png")})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/grids/import", content=b'{"type": "FeatureCollection", "features": []}',
                    headers={"content-type": "application/json"})
    assert r.status_code != 413 and r.status_code < 500
    r = client.post("/api/v1/staff/import", files={"file": ("s.csv", "姓名\n".encode(), "text/csv")})
    assert r.status_code != 413 and r.status_code < 500
    r = anonymous.post("/api/v1/auth/token", json={"username": "city_admin", "password": "demo12345"})
    assert r.status_code == 200
    r = client.post("/api/v1/cases", content=b'{"x": "' + b"a" * (MIB - 100) + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422  # read and validated: under the cap


def test_caps_come_from_the_settings(db_connection, tmp_path):
    from fastapi.testclient import TestClient

    from gridgov.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(str(db_connection.engine.url), tmp_path, max_json_bytes=4096),
                     engine=db_connection.engine)
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/token", json={"username": "x" * 5000, "password": "y"})
    assert r.status_code == 413
    assert r.json() == {"detail": "请求内容太大：不能超过 4 KB", "code": "too_large"}
