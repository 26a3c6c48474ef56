"""Other systems: API clients (the 12345 hotline, departments' systems, Open311 apps), and what they
use: hotline intake, webhooks, Open311 GeoReport v2 (issue 17)."""

from gridgov.audit.rules import register_labels

register_labels({
    "api_client_created": "创建接口客户端",
    "api_client_revoked": "吊销接口客户端",
    "api_client_call": "接口客户端调用",
})
"""The Chinese labels of the audit actions this package writes."""
