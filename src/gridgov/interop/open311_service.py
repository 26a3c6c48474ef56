"""Open311 GeoReport v2's use cases: the services (our case types), the public requests and their
updates, and a client posting a request, which becomes a case through :func:`gridgov.cases.service.create_case`
like any other. Errors are :class:`.open311.Open311Error` (the spec's list); nothing here commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.audit import service as audit
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.cases import service as cases
from gridgov.cases.schemas import CaseCreate
from gridgov.errors import DomainError
from gridgov.interop import clients
from gridgov.interop import open311 as spec
from gridgov.interop import open311_repository as repo
from gridgov.interop.open311 import Open311Error
from gridgov.interop.repository import address_named

SERVICE_NOTICE = "已收到，网格员将到现场核实后办理；可凭事件编号查询进度"
"""What a client is told after posting: who acts next (the grid's workers verify a resident's report)."""


# ---------------------------------------------------------------------------------------------
# Services


def _groups(case_types) -> dict[str, str]:
    return {t.code: t.name for t in case_types.types if t.is_class}


def list_services(case_types) -> list[dict[str, Any]]:
    """Every 小类 of the case types in use, in file order, grouped by its 大类."""
    groups = _groups(case_types)
    return [spec.service_fields(t.code, t.name, groups.get(t.parent, "")) for t in case_types.types if t.parent]


def _service(case_types, code: str | None):
    found = case_types.get(code) if code else None
    if found is None or found.is_class:
        raise Open311Error(404, f"服务代码 {code} 不存在（service_code not found）")
    return found


def service_definition(case_types, code: str) -> dict[str, Any]:
    return spec.service_definition(_service(case_types, code).code)


# ---------------------------------------------------------------------------------------------
# Requests and updates


def _names(case_types) -> dict[str, str]:
    return {t.code: t.name for t in case_types.types}


def list_requests(session: Session, params: Mapping[str, str | None], *, now: datetime,
                  case_types) -> list[dict[str, Any]]:
    q = spec.request_query(params, now=now)
    rows = repo.find_requests(session, q)
    return [spec.request_fields(c) for c in repo.public_cases(session, rows, _names(case_types))]


def get_request(session: Session, case_no: str, *, case_types) -> list[dict[str, Any]]:
    """GET Service Request answers a list of one (the spec's shape); 404 for a case that is not public."""
    row = repo.find_request(session, case_no) if len(case_no) <= 32 else None
    if row is None:
        raise Open311Error(404, f"诉求 {case_no[:32]} 不存在（service_request_id not found）")
    return [spec.request_fields(c) for c in repo.public_cases(session, [row], _names(case_types))]


def list_updates(session: Session, params: Mapping[str, str | None], *, now: datetime) -> list[dict[str, Any]]:
    """mySociety's ``servicerequestupdates``: the published entries of the public cases' files in the
    window, oldest first, at most :data:`.open311.DEFAULT_LIMIT` (ask again from the last one's time)."""
    start, end = spec.updates_window(params, now=now)
    entries = repo.public_entries(session, start, end, limit=spec.DEFAULT_LIMIT)
    return [u for u in (spec.update_fields(e) for e in entries) if u is not None]


# ---------------------------------------------------------------------------------------------
# POST Service Request


def _text(params: Mapping[str, str | None], name: str) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > spec.MAX_TEXT.get(name, 200):
        raise Open311Error(400, f"{name} 超过 {spec.MAX_TEXT.get(name, 200)} 个字符")
    return value


def _point(params: Mapping[str, str | None]) -> tuple[float, float] | None:
    lat, lon = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        raise Open311Error(400, "lat 和 long 须同时提供")
    try:
        found = float(lat), float(lon)
    except ValueError as exc:
        raise Open311Error(400, "lat/long 须为 WGS84 经纬度数值") from exc
    if not (-90 <= found[0] <= 90 and -180 <= found[1] <= 180):
        raise Open311Error(400, "lat/long 超出经纬度范围")
    return found


def _title(description: str, service_name: str) -> str:
    first = description.splitlines()[0].strip() if description else ""
    return (first[:40] if len(first) >= 2 else "") or service_name


def client_of(session: Session, params: Mapping[str, str | None], *, profile, now: datetime) -> Principal:
    """The Open311 client whose ``api_key`` the POST carries: 403 without one, or for a key that is
    unknown, malformed, revoked, or not an Open311 client's (it lacks ``open311.submit``), as the
    specification's error list says ("403 - api_key was not provided or is invalid")."""
    key = _text(params, "api_key")
    if not key:
        raise Open311Error(403, "缺少 api_key（api_key was not provided）")
    principal = clients.principal_for_key(session, key, profile=profile, now=now)
    if principal is None or not principal.can(Permission.OPEN311_SUBMIT):
        raise Open311Error(403, "api_key 无效或已停用（invalid api_key）")
    return principal


def record_call(session: Session, principal: Principal, *, call: str, result: str, now: datetime, ip: str) -> None:
    """The client's call in the audit log, as every call of a client is (``api_client_call``, see
    :mod:`gridgov.interop.clients`), with what came of it (the case number, or the error's code)."""
    audit.record(session, actor=principal, action="api_client_call", now=now, object_type="api_client",
                 object_id=principal.client_id or "", area_code=principal.scope_code,
                 detail=f"{call} → {result}"[:200], ip=ip)


def submit_request(session: Session, principal: Principal, params: Mapping[str, str | None], *, now: datetime,
                   profile, cipher, media_root: Path, case_types) -> list[dict[str, Any]]:
    """A client's POST (the client from :func:`client_of`): the service (400 missing, 404 unknown), the
    place (``lat``/``long`` in WGS84, or an ``address_string`` that is a standard address of the client's
    area), and the case is registered as a resident's report (``source`` resident: the client speaks for
    a resident), in the client's area. ``phone`` and ``first_name``/``last_name`` become the reporter's
    (encrypted, masked); ``email``, ``device_id`` and ``account_id`` are accepted and not kept. The
    caller rolls back on an error, so nothing of a refused request is written."""
    code = _text(params, "service_code")
    if not code:
        raise spec.missing("service_code")
    kind = _service(case_types, code)
    texts = {name: _text(params, name) for name in ("description", "address_string", "media_url", "phone",
                                                    "first_name", "last_name", "email", "device_id",
                                                    "account_id", "jurisdiction_id", "address_id")}
    point = _point(params)
    address_id = None
    if point is None:
        if not texts["address_string"]:
            raise Open311Error(400, "缺少位置：请提供 lat/long 或 address_string（location was not provided）")
        found = address_named(session, principal, texts["address_string"])
        if found is None:
            raise Open311Error(400, "无法根据 address_string 定位，请提供 lat/long")
        point, address_id = (found.lat, found.lon), found.id
    if texts["media_url"] and not texts["media_url"].startswith(("http://", "https://")):
        raise Open311Error(400, "media_url 须为 http(s) 链接")
    try:
        data = CaseCreate(title=_title(texts["description"], kind.name), description=texts["description"],
                          type=kind.code, source="resident", lat=point[0], lon=point[1], crs="wgs84",
                          address=texts["address_string"], address_id=address_id,
                          reporter_name=(texts["last_name"] + texts["first_name"])[:50],
                          reporter_phone=texts["phone"])
    except ValidationError as exc:
        raise Open311Error(400, "；".join(str(e.get("msg", "")) for e in exc.errors())[:500]) from exc
    try:
        new = cases.create_case(session, principal, data, now=now, profile=profile, cipher=cipher,
                                media_root=media_root, case_types=case_types)
    except DomainError as exc:
        raise Open311Error(exc.status if exc.status in (403, 404) else 400, exc.message) from exc
    repo.save_request(session, case_id=new.case.id, client_id=principal.client_id, media_url=texts["media_url"],
                      now=now)
    return [{"service_request_id": new.case.case_no, "service_notice": SERVICE_NOTICE, "account_id": None}]
