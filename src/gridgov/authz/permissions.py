"""Every route declares the permission it needs; this is the one place they are named.

Accounts and roles arrive with the accounts issue: until then there is no principal, and
:func:`require` only marks the route (a test fails any route without a mark). The role → permission
table and jurisdiction scope will plug in here without touching the routes.
"""

from __future__ import annotations

import enum


class Permission(enum.StrEnum):
    PUBLIC = "public"
    TERRITORY_READ = "territory.read"
    TERRITORY_IMPORT = "territory.import"


def require(permission: Permission):
    """A FastAPI dependency that stands for ``permission`` on a route."""

    def dependency() -> Permission:
        return permission

    dependency.permission = permission  # read by the route audit test
    dependency.__name__ = f"require_{permission.value.replace('.', '_')}"
    return dependency


def route_permissions(app) -> list[tuple[str, set[str], list[Permission]]]:
    """(path, methods, declared permissions) of every API route, walking included routers.

    FastAPI ≥ 0.160 keeps included routers as nodes (``original_router``) instead of copying their
    routes into the app, so the walk follows both shapes.
    """
    from fastapi.routing import APIRoute

    found: list[tuple[str, set[str], list[Permission]]] = []

    def walk(routes, prefix: str, inherited: list) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = route.include_context
                walk(included.routes, prefix + context.prefix, inherited + list(context.dependencies))
            elif isinstance(route, APIRoute):
                deps = [d.dependency for d in inherited] + [d.call for d in route.dependant.dependencies]
                perms = [d.permission for d in deps if hasattr(d, "permission")]
                found.append((prefix + route.path, set(route.methods), perms))

    walk(app.routes, "", [])
    return found
