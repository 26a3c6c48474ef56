"""``GET /metrics``: Prometheus' text format, for the scrapers the deployment allows.

PUBLIC as a permission (a scraper has no account), narrowed by the deployment: the request must come
straight from a network in ``GRIDGOV_METRICS_ALLOW`` (CIDRs, default ``127.0.0.1/32,::1/128``) or carry
``Authorization: Bearer <GRIDGOV_METRICS_TOKEN>``; anything else is 403. A request that came through a
proxy (it has ``X-Forwarded-For``, ``X-Real-IP`` or ``Forwarded``) is never taken as from an allowed
network, since its peer is the proxy: behind nginx, scrape with the token, or straight from the
allowed network to the app's port.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from gridgov.authz import Permission, require
from gridgov.errors import Forbidden
from gridgov.observability import metrics

router = APIRouter()

PROXY_HEADERS = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded"})
REFUSED = "无权读取监控指标：只对允许的网络（GRIDGOV_METRICS_ALLOW）或持有采集令牌（GRIDGOV_METRICS_TOKEN）的采集器开放"


def parse_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``GRIDGOV_METRICS_ALLOW``: CIDRs separated by commas (a bare address is one host)."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]


def scraper_allowed(request: Request) -> bool:
    settings = request.app.state.settings
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
            return True
    if any(name in PROXY_HEADERS for name, _ in request.scope.get("headers", ())):
        return False
    try:
        peer = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(peer in network for network in parse_networks(settings.metrics_allow))


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require(Permission.PUBLIC))])
def prometheus_metrics(request: Request) -> Response:
    """Prometheus' text format; the database counts are read now (a sync route: in the thread pool)."""
    if not scraper_allowed(request):
        raise Forbidden(REFUSED)
    return Response(metrics.exposition(request.app.state), media_type=metrics.CONTENT_TYPE)
