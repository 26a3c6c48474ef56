"""The web application: JSON API under /api/v1, pages, static assets and error handlers."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgov import __version__, jobs, leases
from gridgov.accounts.admin_web import router as user_admin_pages
from gridgov.accounts.api import router as accounts_api
from gridgov.accounts.service import principal_for
from gridgov.accounts.web import router as accounts_pages
from gridgov.admission import PoolGate
from gridgov.analysis.api import router as analysis_api
from gridgov.analysis.web import router as analysis_pages
from gridgov.audit.api import router as audit_api
from gridgov.audit.service import record_now
from gridgov.audit.web import router as audit_pages
from gridgov.authz.dependencies import (
    CSRF_COOKIE,
    Denied,
    NotAuthenticated,
    TwoFactorEnrolmentRequired,
    secure_cookies,
)
from gridgov.authz.permissions import permission_label
from gridgov.body_limits import BodyLimitMiddleware
from gridgov.cases import casetypes
from gridgov.cases.api import router as cases_api
from gridgov.cases.supervision_api import router as supervision_api
from gridgov.cases.web import router as case_pages
from gridgov.catalogue.api import router as catalogue_api
from gridgov.catalogue.public_web import router as catalogue_public_pages
from gridgov.catalogue.web import router as catalogue_manage_pages
from gridgov.cogovernance.deliberation_api import router as deliberation_api
from gridgov.cogovernance.deliberation_web import router as deliberation_pages
from gridgov.cogovernance.legal_api import router as legal_api
from gridgov.cogovernance.legal_web import router as legal_pages
from gridgov.cogovernance.mediation_api import router as mediation_api
from gridgov.cogovernance.mediation_web import router as mediation_pages
from gridgov.cogovernance.teams_api import router as teams_api
from gridgov.cogovernance.teams_web import router as team_pages
from gridgov.cogovernance.volunteers_api import router as volunteers_api
from gridgov.cogovernance.volunteers_web import router as volunteers_pages
from gridgov.config import Settings, get_settings
from gridgov.db import Replica, make_engine, make_sessionmaker
from gridgov.departments.api import router as departments_api
from gridgov.deps import client_ip
from gridgov.errors import DomainError, Invalid
from gridgov.health import router as health_router
from gridgov.inputguard import InputGuardMiddleware
from gridgov.instructions.api import router as instructions_api
from gridgov.instructions.web import router as instruction_pages
from gridgov.interop.categories_api import router as hotline_categories_api
from gridgov.interop.clients import principal_for_key
from gridgov.interop.hotline_api import router as hotline_api
from gridgov.interop.hotline_web import router as hotline_pages
from gridgov.interop.open311_api import router as open311_api
from gridgov.interop.webhooks_api import router as webhooks_api
from gridgov.interop.webhooks_web import router as webhook_pages
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.notify import outbound
from gridgov.notify.api import router as notifications_api
from gridgov.notify.outbox_web import router as outbox_page
from gridgov.notify.web import router as notification_pages
from gridgov.observability import RequestContextMiddleware
from gridgov.observability.api import router as metrics_router
from gridgov.openapi import ERROR_RESPONSES
from gridgov.policy.loader import validate_profiles_or_die
from gridgov.public.api import router as public_api
from gridgov.public.map_api import router as public_map_api
from gridgov.public.map_web import router as public_map_page
from gridgov.public.report_api import router as resident_api
from gridgov.public.report_web import router as resident_pages
from gridgov.public.web import router as public_pages
from gridgov.registry.api import router as registry_api
from gridgov.registry.web import router as registry_pages
from gridgov.staff.api import router as staff_api
from gridgov.staff.web import router as staff_pages
from gridgov.territory.adjustments_api import router as adjustments_api
from gridgov.territory.adjustments_web import router as adjustment_pages
from gridgov.territory.api import router as territory_api
from gridgov.territory.rules import CodeError
from gridgov.territory.web import router as territory_pages
from gridgov.web.apidocs import router as api_docs_page
from gridgov.web.headers import SecurityHeadersMiddleware
from gridgov.web.help import router as help_pages
from gridgov.web.templating import render_error, wants_json

STATIC_DIR = Path(__file__).parent / "web" / "static"

_FIELD_ERRORS = {
    "missing": "缺少必填项",
    "float_parsing": "应为数字",
    "int_parsing": "应为整数",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "enum": "取值无效",
    "json_invalid": "不是有效的 JSON",
    "string_too_long": "太长",
    "string_too_short": "太短",
}

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "invalid"}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, run_jobs: bool = False) -> FastAPI:
    """The application. ``run_jobs`` starts the periodic jobs (:mod:`gridgov.jobs`) with the app:
    ``gridgov serve`` asks for it; tests and embedded uses run jobs explicitly instead."""
    settings = settings or get_settings()
    profile = validate_profiles_or_die(settings.profile)
    # GRIDGOV_CASE_TYPES: a bad file stops the start, naming every bad line
    case_types = casetypes.load(settings.case_types, profile)
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        tasks = []
        if run_jobs and settings.sweep_interval_seconds > 0:
            tasks.append(asyncio.create_task(
                jobs.run_forever(app.state.sessionmaker, profile, settings.sweep_interval_seconds,
                                 cipher=app.state.cipher, settings=settings)
            ))
        if run_jobs and settings.webhook_interval_seconds > 0:  # webhooks go out within seconds, not minutes
            tasks.append(asyncio.create_task(  # under the webhooks job's lease: one process at a time
                jobs.run_webhooks_forever(app.state.sessionmaker, profile, app.state.cipher, settings)
            ))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        lifespan=lifespan,
        title="gridgov 城乡网格化社会治理平台",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,  # /api/docs is our own page (gridgov.web.apidocs): vendored Swagger UI, no inline script
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.profile = profile
    app.state.case_types = case_types
    app.state.engine = engine
    leases.note_start(engine)  # the readiness check "jobs" gives a new process time to run them
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.write_sessionmaker = make_sessionmaker(engine, writes=True)
    # The read replica (issue 19): statistics, exports and public pages read there (deps.ReplicaSessionDep).
    app.state.replica = Replica(settings.database_replica_url) if settings.database_replica_url else None
    app.state.replica_engine = app.state.replica.engine if app.state.replica else None
    app.state.cipher = FieldCipher.from_settings(settings)
    outbound.configure_site(settings.public_url)  # links in messages to residents start with it
    # Messages a request stores go out right after its commit (a real SMS channel only; the job retries).
    outbound.deliver_after_commit([app.state.write_sessionmaker, app.state.sessionmaker], settings, app.state.cipher)
    app.state.principal_for = principal_for  # how the door (authz, below the domains) reads a token's user
    app.state.client_principal_for = _client_principal_for  # and an API client's key (issue 17)

    # Each domain's router is included directly under /api/v1 (FastAPI walks included routers to
    # match a request: one level less is one walk less), in order of traffic, cases first (workers
    # and the hotline post all day); no two routers share a path, so the order changes nothing else.
    for router in (cases_api, instructions_api, supervision_api, notifications_api, health_router,
                   territory_api, accounts_api, departments_api, adjustments_api, staff_api, public_api,
                   audit_api, catalogue_api, registry_api, analysis_api, public_map_api, resident_api,
                   webhooks_api):
        app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    # Open311 GeoReport v2 keeps its specification's paths and answers (errors as its list, not ours).
    app.include_router(open311_api)
    # Prometheus scrapes /metrics (issue 19): open to the allowed networks and the scrape token only.
    app.include_router(metrics_router)
    # Each domain's page router (its web.py) is mounted here too, beside its API: web/ holds only
    # what every page shares (templating, static assets, headers), and imports no domain.
    for router in (accounts_pages, user_admin_pages, territory_pages, adjustment_pages, staff_pages,
                   public_pages, resident_pages, audit_pages, case_pages, instruction_pages, catalogue_manage_pages,
                   catalogue_public_pages, notification_pages, registry_pages, analysis_pages, api_docs_page,
                   help_pages, outbox_page, public_map_page, webhook_pages):
        app.include_router(router, include_in_schema=False)
    # The 12345 hotline (issue 17): its intake, its category table and triage queue (pages and API).
    for router in (hotline_api, hotline_categories_api):
        app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(hotline_pages, include_in_schema=False)
    # Working with others (issue 18): legal professionals in the grids.
    app.include_router(legal_api, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(legal_pages, include_in_schema=False)
    # Working with others (issue 18): deliberation (议事协商).
    app.include_router(deliberation_api, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(deliberation_pages, include_in_schema=False)
    # Working with others (issue 18): mediation of disputes (ZJ§17).
    app.include_router(mediation_api, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(mediation_pages, include_in_schema=False)
    # Working with others (issue 18): volunteers and informants.
    app.include_router(volunteers_api, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(volunteers_pages, include_in_schema=False)
    # Working with others (issue 18): special service teams, social organisations and their projects.
    app.include_router(teams_api, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(team_pages, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    _install_csrf_cookie(app)
    # Added innermost first; each request meets them in the opposite order: the security headers
    # (on every answer, a 413 or 422 too), the body caps (before anything reads the body), then the
    # input guard (text that is not text is refused as the app reads it); innermost, the gate that keeps
    # requests from outnumbering the database pool's connections (gridgov.admission).
    app.add_middleware(PoolGate, engine=engine)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    # Outermost: the request id (X-Request-ID on every answer, in every log line), the latency by
    # route template, the access line (gridgov.observability.context).
    app.add_middleware(RequestContextMiddleware)
    return app


def _install_csrf_cookie(app: FastAPI) -> None:
    """Sets the CSRF cookie when a page handed out a new token (see authz.dependencies.csrf_token).

    A plain ASGI middleware rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    re-streams every response through an extra task, which costs on every request."""
    app.add_middleware(CsrfCookieMiddleware)


class CsrfCookieMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                token = scope.get("state", {}).get("new_csrf")
                if token and not Request(scope).cookies.get(CSRF_COOKIE):
                    cookie = Response()
                    secure = secure_cookies(scope["app"].state.settings, scope.get("scheme", ""))
                    cookie.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
                    headers = MutableHeaders(scope=message)
                    for name, value in cookie.raw_headers:
                        if name == b"set-cookie":
                            headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


_PATH_ID_ERRORS = {"int_parsing", "greater_than_equal", "less_than_equal"}


def _names_nothing(error: dict) -> bool:
    loc = error.get("loc", ())
    return bool(loc) and loc[0] == "path" and error.get("type") in _PATH_ID_ERRORS


def _log_denial(request: Request, denied: Denied) -> None:
    """A role lacking a route's permission, written to the audit log in a transaction of its own."""
    record_now(
        request.app.state.sessionmaker,
        actor=denied.principal,
        action="denied",
        now=utc_now(),
        object_type="route",
        object_id=f"{request.method} {request.url.path}"[:64],
        detail=f"缺少权限：{permission_label(denied.permission)}",
        ip=request.client.host if request.client else "",
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        if isinstance(exc, Denied):
            await run_in_threadpool(_log_denial, request, exc)
        if isinstance(exc, NotAuthenticated) and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if isinstance(exc, TwoFactorEnrolmentRequired) and not wants_json(request):
            return RedirectResponse("/account/2fa", status_code=303)
        if wants_json(request):
            body = {"detail": exc.message, "code": exc.code}
            if exc.details is not None:
                body["errors"] = exc.details
            return JSONResponse(body, status_code=exc.status, headers=exc.headers)
        response = render_error(request, exc.status, exc.message, exc.details)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(CodeError)
    async def code_error(request: Request, exc: CodeError):
        # A code from the request that breaks the coding rules (e.g. an all-zero area code) wherever
        # it is first parsed: the caller's mistake, with the rule's own Chinese message.
        return await domain_error(request, Invalid(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        if exc.errors() and all(_names_nothing(e) for e in exc.errors()):
            # A path id out of range (kit.params.IdPath) or not a number names no row: like a missing one.
            message = "页面或资源不存在"
            if wants_json(request):
                return JSONResponse({"detail": message, "code": "not_found"}, status_code=404)
            return render_error(request, 404, message, None)
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")),
                "error": _FIELD_ERRORS.get(e.get("type", ""), "取值无效"),
                "detail": e.get("msg"),
            }
            for e in exc.errors()
        ]
        message = "请求参数有误：" + "；".join(f"{e['field'] or '请求'}{e['error']}" for e in errors)
        if wants_json(request):
            return JSONResponse({"detail": message, "code": "invalid", "errors": errors}, status_code=422)
        return render_error(request, 422, message, errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = {404: "页面或资源不存在", 405: "不支持该请求方法"}.get(exc.status_code, str(exc.detail))
        # The exception's headers (a 405's Allow, a 401's WWW-Authenticate) belong to the answer.
        headers = getattr(exc, "headers", None)
        if wants_json(request):
            body = {"detail": message,
                    "code": getattr(exc, "code", None) or _HTTP_CODES.get(exc.status_code, "http_error")}
            return JSONResponse(body, status_code=exc.status_code, headers=headers)
        response = render_error(request, exc.status_code, message, None)
        if headers:
            response.headers.update(headers)
        return response


def _client_principal_for(session, api_key: str, request, *, audit: bool):
    """The door's reading of an API client's key (see :func:`gridgov.interop.clients.principal_for_key`):
    the call is audited as "METHOD /path" when the request's session will be written."""
    call = f"{request.method} {request.url.path}" if audit else None
    return principal_for_key(session, api_key, profile=request.app.state.profile, now=utc_now(), call=call,
                             ip=client_ip(request))
