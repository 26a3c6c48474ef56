"""Caps on request bodies, applied before the app reads a byte.

Every request falls in one of three classes, declared once here (:data:`ROUTE_CLASSES`): photo
uploads, imports (GeoJSON, xlsx/csv), and everything else (JSON and form bodies). Each class has a
cap in the settings (``GRIDGOV_MAX_JSON_BYTES``, ``GRIDGOV_MAX_UPLOAD_BYTES``,
``GRIDGOV_MAX_IMPORT_BYTES``).

- A ``Content-Length`` over the cap is answered 413 at once, the body left unread.
- A body without one (chunked) is counted as the app reads it; once it passes the cap the app's
  next read fails and the client gets 413 whatever the app was about to answer.
- Uploads and imports need credentials that :func:`gridgov.kit.tokens.verify` accepts (a bearer
  token or the session cookie: signature and expiry, no database) before anything is read:
  without them the answer is 401 (a page is sent to the login page), so no one who has not logged
  in can make the server take in a large body. The route's own door (``require``) still checks
  the user and the permission as usual.
- The one exception: a resident's report photos (``public_upload``, issue 17) come without an
  account; they are capped like uploads and their routes are rate-limited per IP
  (:mod:`gridgov.public.guard`).

A plain ASGI middleware, like :class:`gridgov.app.CsrfCookieMiddleware` (Starlette's
BaseHTTPMiddleware re-streams every response through an extra task).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from starlette.requests import Request

from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.web.templating import render_error, wants_json

JSON, UPLOAD, IMPORT, PUBLIC_UPLOAD = "json", "upload", "import", "public_upload"

ROUTE_CLASSES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), kind)
    for method, pattern, kind in (
        # photos (several per page form)
        ("POST", r"/api/v1/case-photos", UPLOAD),
        ("POST", r"/api/v1/staff/[^/]+/photo", UPLOAD),
        ("POST", r"/staff/[^/]+/photo", UPLOAD),
        ("POST", r"/cases/new", UPLOAD),
        ("POST", r"/cases/[^/]+/actions/[^/]+", UPLOAD),
        ("POST", r"/instructions/[^/]+/case", UPLOAD),
        # a resident's photos (issue 17): no login, capped like uploads and rate-limited per IP by the route
        ("POST", r"/api/v1/public/report-photos", PUBLIC_UPLOAD),
        ("POST", r"/report", PUBLIC_UPLOAD),
        # imports
        ("POST", r"/api/v1/grids/import", IMPORT),
        ("POST", r"/api/v1/staff/import", IMPORT),
        ("POST", r"/staff/import", IMPORT),
        ("POST", r"/api/v1/registry/import", IMPORT),
        ("POST", r"/registry/import", IMPORT),
        ("POST", r"/adjustments/new", IMPORT),  # a redraw plan as a GeoJSON file
        ("POST", r"/api/v1/adjustments", IMPORT),  # the same plan inline in the JSON body
    )
)
"""(method, full-path pattern, class) of the routes that take more than a JSON or form body.
Every other request is of the JSON class."""

_METHODS = frozenset(m for m, _, _ in ROUTE_CLASSES)
_LABELS = {JSON: "请求内容", UPLOAD: "上传的照片", IMPORT: "导入文件", PUBLIC_UPLOAD: "上传的照片"}


def route_class(method: str, path: str) -> str:
    if method not in _METHODS:
        return JSON
    for m, pattern, kind in ROUTE_CLASSES:
        if m == method and pattern.fullmatch(path):
            return kind
    return JSON


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} 字节"


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app, *, settings) -> None:
        self.app = app
        self.caps = {JSON: settings.max_json_bytes, UPLOAD: settings.max_upload_bytes,
                     IMPORT: settings.max_import_bytes, PUBLIC_UPLOAD: settings.max_upload_bytes}
        self.messages = {kind: f"{_LABELS[kind]}太大：不能超过 {_size(cap)}" for kind, cap in self.caps.items()}
        self.secret_key = settings.secret_key

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = route_class(scope["method"], scope["path"])
        cap = self.caps[kind]
        message = self.messages[kind]
        if kind in (UPLOAD, IMPORT) and not self._authenticated(scope):
            await _not_authenticated(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > cap:
            await _too_large(scope, receive, send, message)
            return

        received = 0
        over = False
        started = False

        async def counted_receive():
            nonlocal received, over
            if over:
                raise _TooLarge
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > cap:
                    over = True
                    raise _TooLarge
            return event

        async def guarded_send(event):
            nonlocal started
            if over:
                return  # whatever the app answers after the cap was passed, the client hears 413
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(scope, receive, send, message)

    def _authenticated(self, scope) -> bool:
        from gridgov.authz.dependencies import _credentials

        found = _credentials(Request(scope))
        if found is None:
            return False
        purpose, token = found
        return tokens.verify(self.secret_key, token, purpose=purpose, now=utc_now()) is not None


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _json(send, status: int, body: dict, headers: list | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})


async def _too_large(scope, receive, send, message: str) -> None:
    if wants_json(Request(scope)):
        await _json(send, 413, {"detail": message, "code": "too_large"})
        return
    response = render_error(Request(scope, receive), 413, message)
    response.headers["connection"] = "close"
    await response(scope, receive, send)


async def _not_authenticated(scope, receive, send) -> None:
    if wants_json(Request(scope)):
        await _json(send, 401, {"detail": "请先登录", "code": "not_authenticated"})
        return
    request = Request(scope)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target)}".encode()
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location), (b"content-length", b"0"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b""})
