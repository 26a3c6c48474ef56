"""Mediation in the lifecycle (ZJ§17, issue 18): which cases are disputes, who mediates a case now, and
the rows ``mediate``, ``record_mediation``, ``settle`` and ``mediation_failed`` write in the action's
transaction (:func:`apply`, called by :func:`gridgov.cases.actions.take_action`).

The register of bodies and the pages are :mod:`gridgov.cogovernance.mediation`; this module stays in
``cases`` because every change of a case goes through its lifecycle. The parties' names, phones and ID
numbers are sealed with the app's field cipher; the file (the hash-chained log) records them masked only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.cases.payload import PARTIES, parse_day
from gridgov.cases.workflow import CaseAction
from gridgov.errors import Invalid
from gridgov.kit.clock import local
from gridgov.kit.masking import mask_id_number, mask_phone
from gridgov.models import Case
from gridgov.models.accounts import Role
from gridgov.models.cogovernance import ActivityKind, CogovActivity
from gridgov.models.mediation import (
    BODY_KIND_LABELS,
    NEXT_ROUTE_LABELS,
    Mediation,
    MediationBody,
    MediationMember,
    MediationParty,
    MediationSession,
    MediationStatus,
)

DISPUTE_CLASS = "06"
"""The 大类 矛盾纠纷 of the shipped case types (cases/data/case_types.csv); its 小类 are 0601…0606."""
DISPUTE_CATEGORY = "dispute"
"""The profiles' generic category 矛盾纠纷 (every profile lists it)."""

ACTIONS = frozenset({CaseAction.MEDIATE, CaseAction.RECORD_MEDIATION, CaseAction.SETTLE,
                     CaseAction.MEDIATION_FAILED})
RESULT = "经调解组织调解，当事人达成调解协议，事件结案"
REF_TYPE = "mediation"
"""The ledger's ``ref_type`` of a mediation (one line per mediation, on the day it was passed)."""


def mask_name(name: str) -> str:
    """A party's name as lists and the file show it: the family name and one ``*`` per other character."""
    name = (name or "").strip()
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else ("*" if name else "")


def is_dispute(case: Case) -> bool:
    """Whether the case is a dispute (矛盾纠纷): its type lies under 大类 06, or its matter is the generic
    category ``dispute``."""
    return (case.type_code or "").startswith(DISPUTE_CLASS) or case.category == DISPUTE_CATEGORY


def open_mediation(session: Session, principal: Principal, case: Case) -> Mediation | None:
    """The case's open mediation as the principal sees it (None: none, or not visible)."""
    stmt = scope.scoped(select(Mediation).where(Mediation.case_id == case.id,
                                                Mediation.status == str(MediationStatus.OPEN)), principal, Mediation)
    return session.scalars(stmt.order_by(Mediation.id.desc()).limit(1)).first()


def is_mediating(session: Session, principal: Principal, case: Case) -> bool:
    """``Actor.mediating``: the principal is a mediator of the body holding the case's open mediation."""
    if principal.role != Role.MEDIATOR or not principal.user_id:
        return False
    mediation = open_mediation(session, principal, case)
    if mediation is None:
        return False
    member = scope.scoped(select(MediationMember.id).where(MediationMember.body_id == mediation.body_id,
                                                           MediationMember.user_id == principal.user_id),
                          principal, MediationMember)
    return session.scalar(member.limit(1)) is not None


def bodies_for(session: Session, principal: Principal, case: Case) -> list[dict[str, Any]]:
    """The active bodies serving the case's place (their area holds its grid) the principal sees: the
    choice of the ``mediate`` form, nearest first."""
    stmt = scope.scoped(select(MediationBody).where(MediationBody.active.is_(True)), principal, MediationBody,
                        ancestors=True)
    rows = [b for b in session.scalars(stmt) if case.grid_code.startswith(_prefix(b.area_code))]
    rows.sort(key=lambda b: (-len(_prefix(b.area_code)), b.name, b.id))
    return [{"id": b.id, "label": f"{b.name}（{BODY_KIND_LABELS.get(b.kind, b.kind)}）"} for b in rows]


def _prefix(code: str) -> str:
    """An area code as the prefix of the codes below it (trailing zero pairs off; grids are longer)."""
    if len(code) > 12:
        return code
    trimmed = code
    for size in (3, 3, 2, 2):  # village/community, town, county, city parts
        if trimmed.endswith("0" * size) and len(trimmed) > 2:
            trimmed = trimmed[:-size]
        else:
            break
    return trimmed


def apply(session: Session, principal: Principal, case: Case, action: CaseAction, data: dict[str, Any], *,
          now: datetime, cipher) -> dict[str, Any]:
    """The rows the action writes; returns what the file records of it (the parties masked). 422 (before
    anything is written by the caller's later steps; the edge rolls back) for a body that does not serve
    the case's place."""
    if action is CaseAction.MEDIATE:
        return _mediate(session, principal, case, data, now=now, cipher=cipher)
    mediation = open_mediation(session, principal, case)
    if mediation is None:  # the table let the mediator in, so it exists; a race leaves nothing to write to
        raise Invalid("该事件没有进行中的调解")
    logged: dict[str, Any] = {"mediation": mediation.id}
    if action is CaseAction.RECORD_MEDIATION:
        held = parse_day(data["held_on"])
        if held > local(now).date():
            raise Invalid("调解日期不能晚于今天", details=[{"field": "held_on", "error": "晚于今天"}])
        row = MediationSession(mediation_id=mediation.id, held_on=held, place=data["place"].strip(),
                               mediator_id=principal.user_id, notes=data["note"].strip(), created_at=now)
        session.add(row)
        session.flush()
        logged.update(session=row.id, held_on=held.isoformat(), place=row.place)
    elif action is CaseAction.SETTLE:
        agreed = parse_day(data.get("agreed_on")) or local(now).date()
        if agreed > local(now).date():
            raise Invalid("协议日期不能晚于今天", details=[{"field": "agreed_on", "error": "晚于今天"}])
        mediation.status, mediation.agreement, mediation.agreed_on = str(MediationStatus.SETTLED), \
            data["agreement"].strip(), agreed
        mediation.ended_at, mediation.ended_by = now, principal.user_id
        # The result a resident reporter is shown: the agreement itself (names, sums) stays in the mediation
        # and the file, for those who see the case.
        case.result, case.closed_at = RESULT, now
        logged.update(agreed_on=agreed.isoformat())
        data["note"] = mediation.agreement
    elif action is CaseAction.MEDIATION_FAILED:
        mediation.status, mediation.next_route = str(MediationStatus.FAILED), data["next_route"]
        mediation.failure_reason = data["reason"].strip()
        mediation.ended_at, mediation.ended_by = now, principal.user_id
        logged.update(next_route=data["next_route"], next_route_label=NEXT_ROUTE_LABELS[data["next_route"]])
    return logged


def _mediate(session: Session, principal: Principal, case: Case, data: dict[str, Any], *, now: datetime,
             cipher) -> dict[str, Any]:
    if cipher is None:
        raise RuntimeError("移交调解需要字段加密（cipher）")
    body = scope.get_visible(session, principal, MediationBody, data["body"], ancestors=True)
    if body is None or not body.active or not case.grid_code.startswith(_prefix(body.area_code)):
        raise Invalid(f"调解组织 {data['body']} 不存在、已停用或不服务该事件所在区域",
                      details=[{"field": "body", "error": "取值无效"}])
    mediation = Mediation(case_id=case.id, body_id=body.id, grid_code=case.grid_code, passed_by=principal.user_id,
                          passed_at=now, status=str(MediationStatus.OPEN))
    session.add(mediation)
    session.flush()
    parties = []
    for n in PARTIES:
        name = str(data[f"party{n}_name"]).strip()
        phone = str(data.get(f"party{n}_phone") or "").strip()
        number = str(data.get(f"party{n}_id_number") or "").strip().upper()
        party = MediationParty(mediation_id=mediation.id, seq=n, name_enc=cipher.encrypt(name),
                               name_mask=mask_name(name), phone_enc=cipher.encrypt(phone) if phone else None,
                               phone_mask=mask_phone(phone), id_number_enc=cipher.encrypt(number) if number else None,
                               id_number_mask=mask_id_number(number))
        session.add(party)
        parties.append({"name": party.name_mask, "phone": party.phone_mask, "id_number": party.id_number_mask})
    # The ledger (cogovernance.ledger lies above cases: the line is written here, the same way).
    session.add(CogovActivity(kind=str(ActivityKind.MEDIATION), area_code=case.grid_code,
                              occurred_on=local(now).date(), ref_type=REF_TYPE, ref_id=mediation.id, created_at=now))
    return {"mediation": mediation.id, "body": body.id, "body_name": body.name, "parties": parties}


def mediators_of_case(session: Session, case: Case) -> list[int]:
    """Who is told a case was passed to mediation: the mediators of the body holding its open mediation
    (notice fan-out: found for the system, beyond the actor's view)."""
    stmt = scope.scoped(select(MediationMember.user_id).join(Mediation, Mediation.body_id == MediationMember.body_id)
                        .where(Mediation.case_id == case.id, Mediation.status == str(MediationStatus.OPEN)),
                        scope.SYSTEM, MediationMember)
    return list(session.scalars(stmt))
