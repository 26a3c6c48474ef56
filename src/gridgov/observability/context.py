"""The request id and the access line: a pure ASGI middleware, the outermost of the app.

For each HTTP request it

- takes the id from the request's ``X-Request-ID`` header when that is a sane token (1 to 64 of
  ``A-Z a-z 0-9 . _ -``), else makes one (32 hex digits); a proxy in front may set it, so one id
  follows a request through the proxy's and the app's logs;
- keeps it in a context variable (:func:`current_request_id`, read by every log record of the
  request, in the thread pool too) and in ``request.state.request_id`` (the error pages show it:
  "请求编号：…");
- returns it in the ``X-Request-ID`` response header on every answer: pages, API, static files,
  errors, a 413 of the body caps; an exception no handler caught is answered 500 here, with the id;
- times the request and counts it by route template and status
  (:func:`gridgov.observability.metrics.request_finished`), and writes one access line (logger
  ``gridgov.access``) with method, route template, status, duration and client address.

A plain ASGI middleware, like :class:`gridgov.app.CsrfCookieMiddleware` (Starlette's
BaseHTTPMiddleware re-streams every response through an extra task).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from contextvars import ContextVar

from gridgov.observability import metrics

HEADER = b"x-request-id"
SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
UNMATCHED = "<unmatched>"

_request_id: ContextVar[str | None] = ContextVar("gridgov_request_id", default=None)
access_log = logging.getLogger("gridgov.access")


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request)."""
    return _request_id.get()


def incoming_id(headers) -> str:
    """The request's own ``X-Request-ID`` if sane, else a new id."""
    for name, value in headers:
        if name == HEADER:
            if SANE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return secrets.token_hex(16)


def route_template(scope) -> str:
    """The template of the route that matched (``/api/v1/cases/{case_id}``): never the raw path."""
    # FastAPI >= 0.160 matches an included router's routes in place: the full template (with the
    # router's prefix) is on the effective route; older versions copied the routes with their prefix.
    template = getattr(scope.get("effective_route_context"), "path_format", None)
    if template:
        return template
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template:
        included = (scope.get("fastapi") or {}).get("included_router")
        prefix = getattr(getattr(included, "include_context", None), "prefix", "") or ""
        return prefix + template if not template.startswith(prefix) else template
    if scope.get("path", "").startswith("/static/"):
        return "/static/{path}"
    return UNMATCHED


class RequestContextMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = incoming_id(scope.get("headers", ()))
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id.set(request_id)
        raw_id = request_id.encode("ascii")
        status = 500
        sent = False

        async def send_with_id(message):
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status, sent = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, raw_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not sent:  # the answer Starlette would give, with the id (it sends nothing once we did)
                await send_with_id({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff")]})
                await send({"type": "http.response.body",
                            "body": f"服务器内部错误（请求编号：{request_id}）".encode()})
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"] if scope["method"] in metrics.METHODS else "OTHER"
            metrics.request_finished(method, route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                access_log.info("%s %s %s %.1fms", method, route, status, seconds * 1000, extra={
                    "method": method, "route": route, "status": status,
                    "duration_ms": round(seconds * 1000, 1), "client_ip": client[0] if client else ""})
            _request_id.reset(token)
