"""The 12345 hotline's intake (issue 17, JM§18): a call the hotline passes on becomes a case, once.

``POST /api/v1/intake`` from a hotline client (its API key; the client's area is its jurisdiction) registers
the call through :func:`gridgov.cases.service.create_case` (source ``hotline``, state ``reported``) and
records (client, ticket) → case in ``hotline_intakes``, whose UNIQUE (client_id, external_id) makes the
intake idempotent: the same ticket again answers the case it made (200, nothing written), a different body
under the same ticket is a 409. Concurrent retries: the ticket's row is claimed (``INSERT … ON CONFLICT DO
NOTHING``) before anything else is written, so of ten requests one registers the case and the others find
it (on PostgreSQL they wait on the unique index for the first to commit; on SQLite the write lock, taken at
BEGIN IMMEDIATE, serialises them).

The type: the gridgov type the hotline names (``type``), else the hotline's own category looked up in the
agency's table (:mod:`.hotline_mapping`). A category with no row is NOT put in a default type: the case is
registered without type or matter and waits in the triage queue of the agencies above it, where a
dispatcher picks the type (the ``classify`` action of the lifecycle) and may record the mapping for next time.
Services take ``now`` and never commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.cases import actions, casetypes, recipients
from gridgov.cases import service as cases
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.workflow import STATE_LABELS, CaseAction, CaseState
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.geo.crs import to_wgs84
from gridgov.interop import hotline_mapping
from gridgov.interop import hotline_repository as repo
from gridgov.interop.hotline_schemas import ClassifyIn, ClassifyRead, IntakeIn, IntakeRead, TriageItem
from gridgov.interop.repository import address_named
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.pagination import Page
from gridgov.notify import Notice, notify, settle
from gridgov.territory.service import get_locator

register_labels({
    "hotline_intake": "热线工单转为事件",
    "hotline_triaged": "确定热线事件的类型",
})

REPLY_STATES = frozenset({CaseState.RESOLVED, CaseState.CLOSED})
"""States whose result is the public reply to the hotline (and the rejected one's reason)."""
_NOT_FOUND = "热线工单 {} 不存在"
TRIAGE_NOTICE = "hotline_triage"
"""The notice (a to-do) telling the agency holding a case that it waits for its type."""


def body_hash(data: IntakeIn) -> str:
    """SHA-256 of the request as received, in canonical JSON: what tells a retry from another call."""
    canonical = json.dumps(data.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _client_id(principal: Principal) -> int:
    if principal.client_id is None or principal.client_kind != "hotline":
        raise Forbidden("热线工单只能由热线接入客户端（API 密钥）提交和查询")
    return principal.client_id


def submit(session: Session, principal: Principal, data: IntakeIn, *, now: datetime, profile, cipher: FieldCipher,
           media_root: Path, case_types: casetypes.CaseTypes) -> tuple[IntakeRead, bool]:
    """The ticket's case and whether it was created now (201) or found (200); 409 for the same ticket with
    another body, 422 for a place outside the client's area (nothing written either way)."""
    client_id = _client_id(principal)
    digest = body_hash(data)
    found = repo.intake_of(session, principal, client_id, data.external_id)
    if found is None:
        claimed = repo.claim(session, client_id=client_id, external_id=data.external_id, body_hash=digest, now=now)
        if claimed is not None:
            return _register(session, principal, claimed, data, now=now, profile=profile, cipher=cipher,
                             media_root=media_root, case_types=case_types), True
        found = repo.intake_of(session, principal, client_id, data.external_id)  # another request made it
    if found is None or found.case_id is None:
        raise Conflict("该热线工单正在登记，请稍后重试")
    if found.body_hash != digest:
        raise Conflict(f"热线工单 {data.external_id} 已以不同内容提交过；同一工单号不能登记不同的来电",
                       details=[{"field": "external_id", "error": "工单号已用于其他内容"}])
    return _read(session, principal, found, case_types), False


def _register(session: Session, principal: Principal, intake_id: int, data: IntakeIn, *, now: datetime, profile,
              cipher: FieldCipher, media_root: Path, case_types: casetypes.CaseTypes) -> IntakeRead:
    address_id = None
    if data.lon is None and not data.grid_code:  # an address alone: a standard address of the client's area
        found = address_named(session, principal, data.address)
        if found is None:
            raise Invalid(f"地址“{data.address}”不是你辖区内的标准地址，无法定位：请提供经纬度，或网格编码加地址",
                          details=[{"field": "address", "error": "无法定位"}])
        data, address_id = data.model_copy(update={"lon": found.lon, "lat": found.lat, "crs": "wgs84"}), found.id
    kind = case_types.subtype(data.type) if data.type else None
    if kind is None and data.category:
        kind = hotline_mapping.type_for(session, principal, _grid_of(session, data), data.category, case_types)
    title = data.title or _title(data.description)
    fields = {
        "title": title, "description": data.description, "urgency": data.urgency, "source": "hotline",
        "discovered_at": data.received_at, "lon": data.lon, "lat": data.lat, "crs": data.crs,
        "grid_code": data.grid_code, "address": data.address, "reporter_name": data.caller_name,
        "reporter_phone": data.phone, "address_id": address_id,
    }
    try:
        create = CaseCreate(**fields, type=kind.code if kind else None, category=None if kind else "_")
    except ValueError as exc:
        raise Invalid(f"工单内容有误：{exc}") from exc
    new = cases.create_case(session, principal, create, now=now, profile=profile, cipher=cipher, media_root=media_root,
                            case_types=case_types, unclassified=kind is None)
    intake = repo.intake_by_id(session, principal, intake_id)
    intake.case_id, intake.grid_code = new.case.id, new.case.grid_code
    intake.hotline_category, intake.hotline_category_name = data.category or "", data.category_name
    intake.needs_triage = kind is None
    if kind is None:  # a to-do for the agency holding the case: pick its type (settled when it is classified)
        _tell_agency(session, new.case, data.category_name or data.category or "未提供", now)
    record(session, actor=principal, action="hotline_intake", now=now, object_type="case",
           object_id=new.case.case_no, area_code=new.case.grid_code,
           after={"external_id": data.external_id, "case_no": new.case.case_no, "type": kind.code if kind else None,
                  "hotline_category": data.category, "triage": kind is None})
    session.flush()
    return IntakeRead(external_id=data.external_id, case_no=new.case.case_no, state=new.case.state,
                      state_label=STATE_LABELS[CaseState(new.case.state)], type=kind.code if kind else None,
                      type_name=case_types.names().get(kind.code) if kind else None, triage=kind is None,
                      created_at=new.case.created_at, updated_at=new.case.updated_at, reply=None)


def _tell_agency(session: Session, case, category: str, now: datetime) -> None:
    no = case.case_no
    message = f"热线事件 {no} 的热线分类“{category}”未对照到事件类型，请确定类型"
    notify(session, [Notice(uid, TRIAGE_NOTICE, message, f"case:{no}:triage:{uid}", case.id, "/hotline/triage")
                     for uid in recipients.agency_users(session, case.handling_area_code)], now=now)


def _title(description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return ("12345热线：" + first)[:100]


def _grid_of(session: Session, data: IntakeIn) -> str | None:
    """The grid the call's place lies in (as intake will find it), to pick the nearest area's mapping; None
    where it lies in none (intake refuses it next, 422)."""
    if data.lon is None or data.lat is None:
        return data.grid_code
    try:
        lon, lat = to_wgs84(data.lon, data.lat, data.crs)
    except ValueError:
        return None
    return get_locator(session).locate(lon, lat)


def read(session: Session, principal: Principal, external_id: str, *, case_types: casetypes.CaseTypes) -> IntakeRead:
    """The ticket's case as the hotline follows it (its own tickets only: another's is a 404)."""
    found = repo.intake_of(session, principal, _client_id(principal), external_id)
    if found is None or found.case_id is None:
        raise NotFound(_NOT_FOUND.format(external_id))
    return _read(session, principal, found, case_types)


def _read(session: Session, principal: Principal, intake, case_types: casetypes.CaseTypes) -> IntakeRead:
    case = repo.case_of(session, principal, intake.case_id)
    if case is None:
        raise NotFound(_NOT_FOUND.format(intake.external_id))
    state = CaseState(case.state)
    reply = case.result or None if state in REPLY_STATES else None
    if state is CaseState.REJECTED:
        refusals = [e for e in cases.case_log(session, principal, case.case_no) if e.action == CaseAction.REJECT]
        reply = refusals[-1].note if refusals else None
    return IntakeRead(external_id=intake.external_id, case_no=case.case_no, state=case.state,
                      state_label=STATE_LABELS[state], type=case.type_code,
                      type_name=case_types.names().get(case.type_code or ""),
                      triage=intake.needs_triage and case.type_code is None,
                      created_at=case.created_at, updated_at=case.updated_at, reply=reply)


# ---------------------------------------------------------------------------------------------
# Triage


def triage_queue(session: Session, principal: Principal, *, page: int = 1, page_size: int = 50) -> Page[TriageItem]:
    """The hotline's cases of the principal's jurisdiction still waiting for a type, oldest first."""
    rows, total = repo.triage_queue(session, principal, offset=(page - 1) * page_size, limit=page_size)
    items = [TriageItem(case_no=c.case_no, title=c.title, description=c.description[:200],
                        hotline_category=i.hotline_category, hotline_category_name=i.hotline_category_name,
                        grid_code=c.grid_code, state=c.state, state_label=STATE_LABELS[CaseState(c.state)],
                        created_at=c.created_at) for i, c in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


def classify(session: Session, principal: Principal, case_no: str, data: ClassifyIn, *, now: datetime, profile,
             media_root: Path, case_types: casetypes.CaseTypes) -> ClassifyRead:
    """The dispatcher picks the type of a hotline case (through the lifecycle's ``classify``: its file
    records it); with ``remember`` the hotline's category is mapped to that type for the next calls."""
    case = cases.access_case(session, principal, case_no)
    intake = repo.intake_of_case(session, principal, case.id)
    if intake is None:
        raise NotFound(f"事件 {case_no} 不是热线转来的事件")
    if data.remember and not intake.hotline_category:
        raise Invalid("该热线工单没有热线分类代码，无法记入对照表",
                      details=[{"field": "remember", "error": "无分类代码"}])
    payload = {"type": data.type, "category": data.category, "note": data.note}
    actions.take_action(session, principal, case_no, str(CaseAction.CLASSIFY), payload, now=now, profile=profile,
                        media_root=media_root, case_types=case_types)
    intake.triaged_at, intake.triaged_by = now, principal.user_id or None
    settle(session, case_id=case.id, kinds=[TRIAGE_NOTICE], now=now)
    mapped = None
    if data.remember:
        area = principal.scope_code if len(principal.scope_code) == areas.AREA_CODE_LEN else case.county_code
        mapped = hotline_mapping.save(session, principal, code=intake.hotline_category,
                                      name=intake.hotline_category_name, type_code=data.type, area_code=area,
                                      now=now, case_types=case_types)
    record(session, actor=principal, action="hotline_triaged", now=now, object_type="case", object_id=case_no,
           area_code=case.grid_code, after={"type": data.type, "hotline_category": intake.hotline_category,
                                            "remembered": mapped is not None})
    return ClassifyRead(case_no=case_no, type=data.type, mapping=mapped)
