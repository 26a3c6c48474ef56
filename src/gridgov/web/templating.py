"""Jinja2 templates shared by every page, with the site-wide context (platform name, navigation).

Every asset a page loads is served by the app itself under ``/static`` (htmx, Leaflet and ECharts
are vendored), so the pages work on a network with no way out.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from gridgov import __version__
from gridgov.authz.dependencies import csrf_token, must_enrol, resolve_principal
from gridgov.models.territory import (
    AREA_LEVEL_LABELS,
    DEDICATED_TYPE_LABELS,
    GRID_KIND_LABELS,
    AreaLevel,
)
from gridgov.web.guide import page_for
from gridgov.web.navigation import menu

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_PLATFORM_NAME = "网格化社会治理平台"

_DETAIL_COLUMNS = {
    "index": "序号",
    "code": "编码",
    "reason": "原因",
    "field": "字段",
    "error": "错误",
    "detail": "说明",
    "message": "说明",
}


def platform_name(request: Request) -> str:
    """The platform's name as the running profile's regulation calls it, else a generic one."""
    profile = getattr(request.app.state, "profile", None)
    return getattr(profile, "platform_name", None) or DEFAULT_PLATFORM_NAME


def profile_label(request: Request) -> str:
    profile = getattr(request.app.state, "profile", None)
    return getattr(profile, "label", None) or ""


def nav_items(request: Request) -> list[dict]:
    """The groups of the menu of the logged-in user (:func:`gridgov.web.navigation.menu`)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return []
    if must_enrol(request.app.state.settings, principal.role, enrolled=principal.two_factor):
        return []  # only the two-factor enrolment is open to it: no links that lead back there
    return menu(principal.role, request.url.path)


def site_context(request: Request) -> dict:
    """Added to every template's context (also error pages rendered by the exception handlers)."""
    return {
        "platform_name": platform_name(request),
        "city_label": profile_label(request),
        "nav": nav_items(request),
        "version": __version__,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": csrf_token(request),
        "help_url": help_url(request),
    }


def help_url(request: Request) -> str:
    """The user guide's page for the logged-in role (the public pages' guide for nobody)."""
    principal = getattr(request.state, "principal", None)
    return page_for(principal.role if principal else None).url


def static_url(path: str) -> str:
    """A same-origin URL of a static file, with the version so a new release is not served stale."""
    return f"/static/{path.lstrip('/')}?v={__version__}"


def level_label(level: str | None) -> str:
    try:
        return AREA_LEVEL_LABELS[AreaLevel(level)]
    except ValueError:
        return level or ""


def kind_label(kind: str | None) -> str:
    return GRID_KIND_LABELS.get(kind, kind or "")


def dedicated_label(dtype: str | None) -> str:
    return DEDICATED_TYPE_LABELS.get(dtype, dtype or "") if dtype else ""


def number(value) -> str:
    """Thousands separators, as Chinese official tables print them."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def detail_columns(details) -> list[tuple[str, str]]:
    """(key, heading) of every key found in a list of dicts, in order of first appearance."""
    keys: list[str] = []
    for row in details or ():
        if isinstance(row, dict):
            keys.extend(k for k in row if k not in keys)
    if "error" in keys and "detail" in keys:
        keys.remove("detail")  # the validator's own (English) wording; "error" already says it in Chinese
    return [(k, _DETAIL_COLUMNS.get(k, k)) for k in keys]


templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[site_context])
templates.env.globals.update(static_url=static_url)
templates.env.filters.update(
    level_label=level_label,
    kind_label=kind_label,
    dedicated_label=dedicated_label,
    number=number,
)
templates.env.globals.update(detail_columns=detail_columns)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def wants_json(request: Request) -> bool:
    """Whether an error is answered as JSON: API paths, and clients that do not ask for HTML; a
    browser asking for a page gets the error page (:func:`render_error`)."""
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def _known_principal(request: Request) -> None:
    """An error page of a logged-in user (a page no route answers, a refused form) keeps the
    logged-in header and menu: the principal is read from the credentials if no route did."""
    if getattr(request.state, "principal", None) is not None or status_is_login(request):
        return
    try:
        request.state.principal = resolve_principal(request)
    except Exception:  # noqa: BLE001 - an error page must render even when the database is the error
        request.state.principal = None


def status_is_login(request: Request) -> bool:
    return request.url.path.startswith(("/login", "/logout"))


def render_error(request: Request, status: int, message: str, details=None):
    if status != 401:
        _known_principal(request)
    rows = details if isinstance(details, list) and all(isinstance(d, dict) for d in details) else None
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "details": details, "detail_rows": rows,
         "request_id": request.scope.get("state", {}).get("request_id")},  # gridgov.observability.context
        status_code=status,
    )
