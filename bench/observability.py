"""What the request-id middleware (gridgov.observability.context.RequestContextMiddleware) costs per
request: the same trivial ASGI app called directly and through the middleware (id, timing, route
label, histogram, access line to a null handler), best of ``--repeat`` rounds of ``--requests`` calls,
no network and no database, so the figure is the middleware's own cost.

One JSON line on stdout: ``bare_us`` and ``with_middleware_us`` per request, ``added_us`` and
``ratio`` (with / bare). The middleware should add a few tens of microseconds at most: well under 1 %
of a page's time (bench/README.md's page figures are in milliseconds).

Usage: ``python bench/observability.py [--requests 20000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time

from gridgov.observability.context import RequestContextMiddleware


class _Route:
    path_format = "/api/v1/cases/{case_no}"


async def _app(scope, receive, send):
    scope["route"] = _Route()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _round(app, n: int) -> float:
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        return None

    started = time.perf_counter()
    for i in range(n):
        scope = {"type": "http", "method": "GET", "path": f"/api/v1/cases/{i}", "query_string": b"",
                 "headers": [(b"accept", b"application/json")], "client": ("127.0.0.1", 5000)}
        await app(scope, receive, send)
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    access = logging.getLogger("gridgov.access")  # written, as in production, to a handler that drops it
    access.addHandler(logging.NullHandler())
    access.setLevel(logging.INFO)
    access.propagate = False
    wrapped = RequestContextMiddleware(_app)
    bare = min(asyncio.run(_round(_app, args.requests)) for _ in range(args.repeat))
    with_mw = min(asyncio.run(_round(wrapped, args.requests)) for _ in range(args.repeat))
    print(json.dumps({"figure": "request_id_middleware", "requests": args.requests, "bare_us": round(bare * 1e6, 2),
                      "with_middleware_us": round(with_mw * 1e6, 2), "added_us": round((with_mw - bare) * 1e6, 2),
                      "ratio": round(with_mw / bare, 2)}))


if __name__ == "__main__":
    main()
