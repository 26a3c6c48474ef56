"""Every route of the app declares the permission it needs (a route without one is a bug)."""

from gridgov.authz.permissions import Permission, route_permissions


def test_every_route_declares_exactly_one_permission(app):
    routes = route_permissions(app)
    assert len(routes) > 10
    assert "/api/v1/grids/locate" in {path for path, _m, _p in routes}
    missing = [f"{sorted(methods)} {path}" for path, methods, perms in routes if len(perms) != 1]
    assert not missing, f"这些路由没有声明权限：{missing}"


PUBLIC_WRITES = {"/login", "/login/2fa", "/logout", "/api/v1/auth/token", "/complaint-status",
                 "/open311/v2/requests.json", "/open311/v2/requests.xml", "/report", "/track",
                 "/track/phone", "/track/{case_no}/evaluation"}
"""Writes anyone may make: logging in (password, then the two-factor code) and out; a complainant
asking for the result of a complaint (a POST only to keep the phone out of URLs: it writes nothing);
Open311's POST Service Request, which the specification authenticates by its own ``api_key`` parameter
(the route checks the key of an Open311 client itself, tests/interop/test_open311_post.py);
a resident's report, its tracking (by code, or by phone and SMS code) and its evaluation (issue 17:
no account; the tracking code or the SMS code is the authority, rate limits and a challenge guard them).

Anything else public that writes must be listed here."""


def test_writes_need_more_than_read_permission(app):
    writes = [(path, perms) for path, methods,
              perms in route_permissions(app) if methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert writes
    for path, perms in writes:
        if perms[0] == Permission.PUBLIC:
            assert path in PUBLIC_WRITES or path.startswith("/board/") or path.startswith("/api/v1/public/"), path
        assert perms[0] != Permission.TERRITORY_READ, path


DECLARED = {
    ("/api/v1/auth/token", "POST"): Permission.PUBLIC,
    ("/logout", "POST"): Permission.PUBLIC,
    ("/api/v1/auth/logout", "POST"): Permission.SELF,
    ("/api/v1/auth/password", "POST"): Permission.SELF,
    ("/api/v1/users", "POST"): Permission.USERS_ADMIN,
    ("/api/v1/users/{user_id}", "PATCH"): Permission.USERS_ADMIN,
    ("/api/v1/cases", "GET"): Permission.CASES_READ,
    ("/api/v1/cases/export.xlsx", "GET"): Permission.CASES_READ,
    ("/help", "GET"): Permission.PUBLIC,
    ("/help/{slug}", "GET"): Permission.PUBLIC,
    ("/help/img/{name}", "GET"): Permission.PUBLIC,
    ("/public/stats", "GET"): Permission.PUBLIC,
    ("/api/v1/public/stats", "GET"): Permission.PUBLIC,
    ("/report", "GET"): Permission.PUBLIC,
    ("/report", "POST"): Permission.PUBLIC,
    ("/track", "POST"): Permission.PUBLIC,
    ("/api/v1/public/reports", "POST"): Permission.PUBLIC,
    ("/api/v1/public/report-photos", "POST"): Permission.PUBLIC,
    ("/api/v1/public/sms-codes", "POST"): Permission.PUBLIC,
    ("/api/v1/public/cases/{case_no}", "GET"): Permission.PUBLIC,
    ("/api/v1/public/cases/{case_no}/evaluation", "POST"): Permission.PUBLIC,
    ("/api/v1/public/lookup", "POST"): Permission.PUBLIC,
    ("/dev/outbox", "GET"): Permission.PUBLIC,
    ("/public/map", "GET"): Permission.PUBLIC,
    ("/api/v1/public/map", "GET"): Permission.PUBLIC,
    ("/api/v1/webhooks", "POST"): Permission.WEBHOOKS_MANAGE,
    ("/api/v1/webhooks", "GET"): Permission.WEBHOOKS_MANAGE,
    ("/api/v1/webhooks/{webhook_id}", "GET"): Permission.WEBHOOKS_MANAGE,
    ("/api/v1/webhooks/{webhook_id}", "DELETE"): Permission.WEBHOOKS_MANAGE,
    ("/api/v1/webhooks/{webhook_id}/deliveries", "GET"): Permission.WEBHOOKS_MANAGE,
    ("/webhooks/failed", "GET"): Permission.WEBHOOKS_OVERSEE,
    # Prometheus' scrape (issue 19): no account; the allowed networks or the scrape token (gridgov.observability.api)
    ("/metrics", "GET"): Permission.PUBLIC,
    # legal professionals in the grids (issue 18)
    ("/api/v1/cogovernance/legal/professionals", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/legal/professionals", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/legal/professionals/{professional_id}", "PATCH"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/legal/professionals/{professional_id}/schedules", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/legal/professionals/{professional_id}/schedules", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/legal/visits", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/legal/visits", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/legal/mine/schedules", "GET"): Permission.COGOVERNANCE_TAKE_PART,
    ("/api/v1/cogovernance/legal/mine/visits", "GET"): Permission.COGOVERNANCE_TAKE_PART,
    ("/api/v1/cogovernance/legal/mine/visits", "POST"): Permission.COGOVERNANCE_TAKE_PART,
    ("/api/v1/cogovernance/legal/referrals", "GET"): Permission.COGOVERNANCE_TAKE_PART,
    ("/cogovernance/legal", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/legal/visits", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/legal/referrals", "GET"): Permission.COGOVERNANCE_TAKE_PART,
    ("/cogovernance/legal/professionals", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/legal/schedules", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/legal/mine/visits", "POST"): Permission.COGOVERNANCE_TAKE_PART,
    # volunteers and informants (issue 18): cogovernance.read sees, cogovernance.manage keeps and reveals
    ("/api/v1/cogovernance/volunteer-orgs", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/volunteer-orgs", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteer-orgs/{org_id}", "PATCH"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/volunteers", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers/ranking", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/volunteers/import", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers/{volunteer_id}", "GET"): Permission.COGOVERNANCE_READ,
    ("/api/v1/cogovernance/volunteers/{volunteer_id}", "PATCH"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers/{volunteer_id}/deactivate", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers/{volunteer_id}/reveal", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/api/v1/cogovernance/volunteers/{volunteer_id}/reports", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/volunteers", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/volunteers", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/volunteers/orgs", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/volunteers/ranking", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/volunteers/roster", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/volunteers/{volunteer_id}", "GET"): Permission.COGOVERNANCE_READ,
    ("/cogovernance/volunteers/{volunteer_id}/deactivate", "POST"): Permission.COGOVERNANCE_MANAGE,
    ("/cogovernance/volunteers/{volunteer_id}/reveal", "POST"): Permission.COGOVERNANCE_MANAGE,
}
"""Routes whose permission is fixed here by hand: logging out ends one's own sessions (SELF), users
are managed under users.admin (which users, and which roles may be given, is the service's answer); the user
guide (/help) is public: it holds nobody's data, and the public pages and the login page link to it; so are
the public figures (/public/stats): city and county totals, small cells suppressed; the development outbox
(/dev/outbox, demo mode only: it stands in for the residents' phones) and the optional public map of resident
reports (/public/map, off unless the deployment turns it on: counts in rounded cells, nothing personal)."""


def test_the_session_and_user_routes_declare_the_expected_permission(app):
    declared = {(path, method): perms[0] for path, methods, perms in route_permissions(app) for method in methods}
    for key, permission in DECLARED.items():
        assert declared.get(key) == permission, f"{key}: {declared.get(key)}"
