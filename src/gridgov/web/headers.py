"""Security headers on every response: pages, API, static files, errors and /api/docs.

The Content-Security-Policy lets no inline script, no ``eval`` and no foreign script run, so a
piece of user text that reaches a page as HTML by mistake still cannot execute. Pages pass data to
their scripts through ``<script type="application/json">`` (not executed) and ``data-*``
attributes; every script is a file under /static. Styles are as strict: ``style-src 'self'``
(no ``<style>`` element, no ``style="…"`` attribute in a page; the templates use classes, and
Leaflet, ECharts and Swagger UI set styles through the CSSOM, which CSP does not restrict).

Images may come from the map tile server (``GRIDGOV_TILE_URL``) when one is configured; nothing
else may be loaded from elsewhere, and nothing may be sent elsewhere (``connect-src 'self'``,
``form-action 'self'``).

A plain ASGI middleware rather than ``BaseHTTPMiddleware`` (see ``CsrfCookieMiddleware``): it
adds headers to the start message and re-streams nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders

from gridgov.config import Settings

HSTS = "max-age=31536000; includeSubDomains"
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d+)?$")


def tile_origin(tile_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template (``https://{s}.tile.example.org/{z}/{x}/{y}.png``
    gives ``https://*.tile.example.org``). None when tiles come from this site or no tile server is set;
    the scheme alone (``https:``) when the host cannot be written as a CSP host source."""
    url = (tile_url or "").strip()
    if not url or url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url if "://" in url or url.startswith("//") else "https://" + url)
    scheme = parts.scheme.lower() if parts.scheme in ("http", "https") else "https"
    host = re.sub(r"^\{[^}]*\}\.", "*.", parts.netloc)
    if not _HOST.match(host):
        return f"{scheme}:"
    return f"{scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    img = ["'self'", "data:", "blob:"]
    tiles = tile_origin(settings.tile_url)
    if tiles:
        img.append(tiles)
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src " + " ".join(img),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS is added per request, see the middleware)."""
    return [
        ("Content-Security-Policy", content_security_policy(settings)),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response; ``Strict-Transport-Security`` when the
    request came over https or the site is declared to be served over TLS (``GRIDGOV_SECURE_COOKIES``,
    e.g. behind a TLS-terminating proxy). A header a route set itself is kept."""

    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)
        self.always_tls = bool(getattr(settings, "secure_cookies", False))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.always_tls or scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name not in headers:
                        headers.append(name, value)
                if https and "strict-transport-security" not in headers:
                    headers.append("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
