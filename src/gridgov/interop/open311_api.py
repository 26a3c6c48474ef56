"""Open311 GeoReport v2 at ``/open311/v2/`` (and mySociety's ``servicerequestupdates``), in JSON and XML.

These routes follow another specification, so their answers keep its shapes and not the house's: lists
of services, requests and updates, and errors as the spec's list ``[{"code": 400, "description": "…"}]``
(``<errors><error>…``), with 400 (missing or bad parameter), 403 (missing, bad or revoked ``api_key``) and 404
(unknown service or request). Their parameters are taken as text and checked here, so a bad value is
one of those errors, never the house's 422. The OpenAPI document says so on each operation.

Permission: every route declares ``require(Permission.PUBLIC)``: the GETs are public (what they show is
public by rule, :data:`.open311.PUBLIC_SOURCES`); the POST checks the spec's ``api_key`` itself against
the Open311 clients (``gridgov.interop.clients.principal_for_key``) and acts as that client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from gridgov.authz import Permission, require
from gridgov.cases.casetypes import SHIPPED
from gridgov.deps import SessionDep, client_ip
from gridgov.interop import open311 as spec
from gridgov.interop import open311_service as service
from gridgov.interop.open311 import Open311Error
from gridgov.kit.clock import utc_now
from gridgov.openapi import ErrorBody

PREFIX = "/open311/v2"
router = APIRouter(tags=["open311"])
PUBLIC = [Depends(require(Permission.PUBLIC))]
SPEC_NOTE = ("遵循 Open311 GeoReport v2 规范（http://wiki.open311.org/GeoReport_v2）：应答和错误均为该规范的格式"
             "（错误为 [{\"code\", \"description\"}] 列表），不是本系统 /api/v1 的 {\"detail\"} 格式。")

Text = Annotated[str | None, Query(description="文本（由本接口按规范检查，错误答 400）")]


class XMLResponse(Response):
    media_type = "text/xml"


# ---------------------------------------------------------------------------------------------
# The document's shapes (for the OpenAPI document; the answers are built by .open311)


class ErrorItem(BaseModel):
    code: int
    description: str


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[dict[str, Any]]


class ServiceRequest(BaseModel):
    service_request_id: str
    status: str = Field(description="open | closed")
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    address_id: str | None = None
    requested_datetime: str | None = None
    updated_datetime: str | None = None
    expected_datetime: str | None = None
    address: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class PostedRequest(BaseModel):
    service_request_id: str
    service_notice: str | None = None
    account_id: str | None = None


class RequestUpdate(BaseModel):
    update_id: str
    service_request_id: str
    status: str
    updated_datetime: str
    description: str
    media_url: str | None = None
    external_status_code: str | None = None


class Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


def _doc(fmt: str, model: Any, errors: tuple[int, ...], summary: str) -> dict[str, Any]:
    """The operation's documented answers: the spec's body in its format, and the spec's error list."""
    if fmt == "json":
        ok: dict[str, Any] = {"model": model, "description": "成功"}
        bad = {code: {"model": list[ErrorItem], "description": f"{code}：规范的错误列表"} for code in errors}
    else:
        xml = {"content": {"text/xml": {"schema": {"type": "string"}}}}
        ok = {**xml, "description": "成功（XML）"}
        bad = {code: {**xml, "description": f"{code}：规范的错误列表（<errors><error>）"} for code in errors}
    other = {"description": "其他 4xx：请求在进入本接口之前被拒（含控制字符的文本 422、请求体过大 413 等），"
                            "为本系统的 {detail} 格式",
             "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorBody.__name__}"}}}}
    return {"responses": {200: ok, **bad, "4XX": other},
            "response_class": JSONResponse if fmt == "json" else XMLResponse,
            "summary": f"{summary}（{fmt.upper()}，Open311）", "description": SPEC_NOTE, "dependencies": PUBLIC,
            "methods": ["GET"]}


def _answer(fmt: str, kind: str, body: Any, status: int = 200) -> Response:
    if fmt == "json":
        return JSONResponse(body, status_code=status)
    if kind in spec.ROOTS:
        return XMLResponse(spec.to_xml_list(kind, body), status_code=status)
    return XMLResponse(spec.to_xml_element(kind, body), status_code=status)


def _error(fmt: str, exc: Open311Error) -> Response:
    return _answer(fmt, "errors", spec.errors(exc.code, exc.description), exc.code)


def _run(fmt: str, kind: str, work: Callable[[], Any]) -> Response:
    try:
        return _answer(fmt, kind, work())
    except Open311Error as exc:
        return _error(fmt, exc)


# ---------------------------------------------------------------------------------------------
# The operations, one per format


def _discovery(fmt: str):
    def discovery(request: Request) -> Response:
        settings = request.app.state.settings
        base = (settings.public_url.rstrip("/") if settings.public_url else str(request.base_url).rstrip("/"))
        chosen = settings.case_types or SHIPPED
        changed = datetime.fromtimestamp(chosen.stat().st_mtime, UTC) if chosen.exists() else utc_now()
        contact = "API 密钥由网格化服务管理机构发放（gridgov clients create --kind open311）"
        return _answer(fmt, "discovery", spec.discovery(base + PREFIX, changeset=changed, contact=contact))
    return discovery


def _services(fmt: str):
    def services(request: Request, jurisdiction_id: Text = None) -> Response:
        return _run(fmt, "services", lambda: service.list_services(request.app.state.case_types))
    return services


def _definition(fmt: str):
    def definition(service_code: str, request: Request, jurisdiction_id: Text = None) -> Response:
        return _run(fmt, "service_definition",
                    lambda: service.service_definition(request.app.state.case_types, service_code))
    return definition


def _requests(fmt: str):
    def requests(request: Request, session: SessionDep, service_request_id: Text = None, service_code: Text = None,
                 start_date: Text = None, end_date: Text = None, status: Text = None, page: Text = None,
                 page_size: Text = None, jurisdiction_id: Text = None) -> Response:
        params = {"service_request_id": service_request_id, "service_code": service_code, "start_date": start_date,
                  "end_date": end_date, "status": status, "page": page, "page_size": page_size}
        return _run(fmt, "requests", lambda: service.list_requests(session, params, now=utc_now(),
                                                                   case_types=request.app.state.case_types))
    return requests


def _one_request(fmt: str):
    def one_request(service_request_id: str, request: Request, session: SessionDep,
                    jurisdiction_id: Text = None) -> Response:
        return _run(fmt, "requests", lambda: service.get_request(session, service_request_id,
                                                                 case_types=request.app.state.case_types))
    return one_request


def _updates(fmt: str):
    def updates(session: SessionDep, start_date: Text = None, end_date: Text = None,
                jurisdiction_id: Text = None) -> Response:
        params = {"start_date": start_date, "end_date": end_date}
        return _run(fmt, "updates", lambda: service.list_updates(session, params, now=utc_now()))
    return updates


FormText = Annotated[str | None, Form()]


def _post(fmt: str):
    def post_request(request: Request, session: SessionDep, api_key: FormText = None, service_code: FormText = None,
                     lat: FormText = None, long: FormText = None, address_string: FormText = None,
                     address_id: FormText = None, description: FormText = None, media_url: FormText = None,
                     phone: FormText = None, first_name: FormText = None, last_name: FormText = None,
                     email: FormText = None, device_id: FormText = None, account_id: FormText = None,
                     jurisdiction_id: FormText = None) -> Response:
        params = {"api_key": api_key, "service_code": service_code, "lat": lat, "long": long,
                  "address_string": address_string, "address_id": address_id, "description": description,
                  "media_url": media_url, "phone": phone, "first_name": first_name, "last_name": last_name,
                  "email": email, "device_id": device_id, "account_id": account_id, "jurisdiction_id": jurisdiction_id}
        state, now, ip = request.app.state, utc_now(), client_ip(request)
        call = f"POST {request.url.path}"
        try:
            me = service.client_of(session, params, profile=state.profile, now=now)
        except Open311Error as exc:
            return _error(fmt, exc)
        try:
            body = service.submit_request(session, me, params, now=now, profile=state.profile, cipher=state.cipher,
                                          media_root=state.settings.media_path, case_types=state.case_types)
        except Open311Error as exc:
            session.rollback()  # nothing of a refused request is kept (a case number taken, a row added)
            service.record_call(session, me, call=call, result=str(exc.code), now=now, ip=ip)
            return _error(fmt, exc)
        service.record_call(session, me, call=call, result=body[0]["service_request_id"], now=now, ip=ip)
        return _answer(fmt, "requests", body)
    return post_request


for _fmt in spec.FORMATS:
    router.add_api_route(f"{PREFIX}/discovery.{_fmt}", _discovery(_fmt),
                         **_doc(_fmt, Discovery, (), "服务发现"))
    router.add_api_route(f"{PREFIX}/services.{_fmt}", _services(_fmt),
                         **_doc(_fmt, list[Service], (400,), "服务（事件类型）列表"))
    router.add_api_route(f"{PREFIX}/services/{{service_code}}.{_fmt}", _definition(_fmt),
                         **_doc(_fmt, ServiceDefinition, (400, 404), "服务定义"))
    router.add_api_route(f"{PREFIX}/requests.{_fmt}", _requests(_fmt),
                         **_doc(_fmt, list[ServiceRequest], (400,), "诉求（公开事件）列表"))
    router.add_api_route(f"{PREFIX}/requests.{_fmt}", _post(_fmt),
                         **{**_doc(_fmt, list[PostedRequest], (400, 403, 404), "提交诉求（须 api_key）"),
                            "methods": ["POST"]})
    router.add_api_route(f"{PREFIX}/requests/{{service_request_id}}.{_fmt}", _one_request(_fmt),
                         **_doc(_fmt, list[ServiceRequest], (400, 404), "一条诉求"))
    router.add_api_route(f"{PREFIX}/servicerequestupdates.{_fmt}", _updates(_fmt),
                         **_doc(_fmt, list[RequestUpdate], (400,), "诉求进展（mySociety 扩展）"))
