"""Mediation of disputes (ZJ§17, issue 18): the register of mediation bodies and their mediators, and the
mediations as staff and mediators read them.

A dispute case goes to mediation, is mediated and ends through the lifecycle (``mediate``,
``record_mediation``, ``settle``, ``mediation_failed``: :mod:`gridgov.cases.mediation` writes the rows);
this module keeps the register (agency: ``cogovernance.manage``) and answers the lists, each mediation with
its parties masked, and the audited reveal of the parties (a reason required; never a value in the log).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record as audit_record
from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.cogovernance import mediation_repository as repo
from gridgov.cogovernance import mediation_rules as rules
from gridgov.cogovernance.mediation_schemas import (
    BodyIn,
    BodyPatch,
    BodyRead,
    MediationRead,
    MemberRead,
    PartiesRevealed,
    PartyRead,
    SessionRead,
)
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.pagination import Page
from gridgov.models.accounts import Role
from gridgov.models.mediation import (
    BODY_KIND_LABELS,
    NEXT_ROUTE_LABELS,
    STATUS_LABELS,
    MediationBody,
    MediationMember,
)

register_labels({
    "mediation_body_created": "登记调解组织",
    "mediation_body_updated": "修改调解组织",
    "mediation_member_added": "关联调解员",
    "mediation_member_removed": "取消关联调解员",
    "mediation_parties_revealed": "查看调解当事人完整信息",
})

BODY_NOT_FOUND = "调解组织 {} 不存在或不在你的辖区内"
MEDIATION_NOT_FOUND = "调解 {} 不存在或不在你的辖区内"
MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- the register


def _read_bodies(session: Session, principal: Principal, rows) -> list[BodyRead]:
    by_body: dict[int, list[MemberRead]] = {}
    for body_id, uid, username, name in repo.members(session, principal, [b.id for b in rows]):
        by_body.setdefault(body_id, []).append(MemberRead(user_id=uid, username=username, display_name=name))
    return [BodyRead(id=b.id, name=b.name, kind=b.kind, kind_label=BODY_KIND_LABELS.get(b.kind, b.kind),
                     area_code=b.area_code, phone=b.phone, active=b.active, members=by_body.get(b.id, []))
            for b in rows]


def list_bodies(session: Session, principal: Principal) -> list[BodyRead]:
    return _read_bodies(session, principal, repo.bodies(session, principal))


def _body(session: Session, principal: Principal, body_id: int, *, for_update: bool = False) -> MediationBody:
    body = repo.get_body(session, principal, body_id, for_update=for_update)
    if body is None:
        raise NotFound(BODY_NOT_FOUND.format(body_id))
    return body


def get_body(session: Session, principal: Principal, body_id: int) -> BodyRead:
    return _read_bodies(session, principal, [_body(session, principal, body_id)])[0]


def create_body(session: Session, principal: Principal, data: BodyIn, *, now: datetime) -> BodyRead:
    """A body serving a town or a village/community inside the jurisdiction (404 outside, like missing)."""
    code = data.area_code.strip()
    try:
        level = str(areas.area_level(code))
    except areas.CodeError as exc:
        raise Invalid("服务区域应为 12 位区划代码", details=[{"field": "area_code", "error": "取值无效"}]) from exc
    if not scope.covers(principal, code):
        raise NotFound(f"区域 {code} 不存在或不在你的辖区内")
    if level not in rules.BODY_LEVELS:
        raise Invalid("调解组织应登记在街道（乡镇）或村（社区）", details=[{"field": "area_code", "error": "层级不对"}])
    body = MediationBody(name=rules.check_name(data.name), kind=rules.check_kind(data.kind), area_code=code,
                         phone=rules.check_phone(data.phone), active=data.active, created_at=now, updated_at=now)
    session.add(body)
    session.flush()
    audit_record(session, actor=principal, action="mediation_body_created", now=now, object_type="mediation_body",
                 object_id=body.id, area_code=code, after={"name": body.name, "kind": body.kind})
    return _read_bodies(session, principal, [body])[0]


def update_body(session: Session, principal: Principal, body_id: int, data: BodyPatch, *, now: datetime) -> BodyRead:
    body = _body(session, principal, body_id, for_update=True)
    before = {"name": body.name, "kind": body.kind, "phone": body.phone, "active": body.active}
    if data.name is not None:
        body.name = rules.check_name(data.name)
    if data.kind is not None:
        body.kind = rules.check_kind(data.kind)
    if data.phone is not None:
        body.phone = rules.check_phone(data.phone)
    if data.active is not None:
        body.active = data.active
    body.updated_at = now
    after = {"name": body.name, "kind": body.kind, "phone": body.phone, "active": body.active}
    audit_record(session, actor=principal, action="mediation_body_updated", now=now, object_type="mediation_body",
                 object_id=body.id, area_code=body.area_code, before=before, after=after)
    return _read_bodies(session, principal, [body])[0]


def add_member(session: Session, principal: Principal, body_id: int, user_id: int, *, now: datetime) -> BodyRead:
    """Links a mediator's account (role ``mediator``, inside the jurisdiction) to the body."""
    body = _body(session, principal, body_id, for_update=True)
    account = repo.user(session, principal, user_id)
    if account is None:
        raise NotFound(f"用户 {user_id} 不存在或不在你的辖区内")
    if account.role != Role.MEDIATOR or not account.is_active:
        raise Invalid("只能关联启用的人民调解员账号", details=[{"field": "user_id", "error": "角色不对"}])
    if repo.member(session, principal, body.id, account.id) is not None:
        raise Conflict(f"{account.display_name} 已是该调解组织的调解员")
    session.add(MediationMember(body_id=body.id, user_id=account.id, added_at=now))
    session.flush()
    audit_record(session, actor=principal, action="mediation_member_added", now=now, object_type="mediation_body",
                 object_id=body.id, area_code=body.area_code, detail=f"调解员：{account.username}")
    return _read_bodies(session, principal, [body])[0]


def remove_member(session: Session, principal: Principal, body_id: int, user_id: int, *, now: datetime) -> BodyRead:
    body = _body(session, principal, body_id, for_update=True)
    row = repo.member(session, principal, body.id, user_id)
    if row is None:
        raise NotFound(f"用户 {user_id} 不是该调解组织的调解员")
    session.delete(row)
    session.flush()
    audit_record(session, actor=principal, action="mediation_member_removed", now=now, object_type="mediation_body",
                 object_id=body.id, area_code=body.area_code, detail=f"用户编号：{user_id}")
    return _read_bodies(session, principal, [body])[0]


# ---------------------------------------------------------------- mediations


def _read(m, case, body_name: str, parties, names: dict[int, str], sessions=None) -> MediationRead:
    case_no, title, state = case
    return MediationRead(
        id=m.id, case_no=case_no, case_title=title, case_state=state, body_id=m.body_id, body_name=body_name,
        grid_code=m.grid_code, passed_at=m.passed_at, passed_by=names.get(m.passed_by, ""), status=m.status,
        status_label=STATUS_LABELS.get(m.status, m.status),
        parties=[PartyRead(seq=p.seq, name=p.name_mask, phone=p.phone_mask, id_number=p.id_number_mask)
                 for p in parties],
        sessions=[SessionRead(id=s.id, held_on=s.held_on, place=s.place, mediator=name, notes=s.notes)
                  for s, name in sessions or []],
        agreement=m.agreement, agreed_on=m.agreed_on, next_route=m.next_route,
        next_route_label=NEXT_ROUTE_LABELS.get(m.next_route) if m.next_route else None,
        failure_reason=m.failure_reason, ended_at=m.ended_at)


def list_mediations(session: Session, principal: Principal, *, status: str | None = None, page: int = 1,
                    page_size: int = 50) -> Page[MediationRead]:
    """The mediations the principal sees (a mediator: its bodies'), newest first, parties masked."""
    if status and status not in STATUS_LABELS:
        raise Invalid("状态应为：" + "、".join(f"{v}（{k}）" for k, v in STATUS_LABELS.items()),
                      details=[{"field": "status", "error": "取值无效"}])
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    rows, total = repo.mediations(session, principal, status=status, offset=(page - 1) * page_size, limit=page_size)
    parties: dict[int, list] = {}
    for p in repo.parties(session, principal, [m.id for m, _c, _b in rows]):
        parties.setdefault(p.mediation_id, []).append(p)
    names = repo.user_names(session, principal, {m.passed_by for m, _c, _b in rows if m.passed_by})
    items = [_read(m, case, body, parties.get(m.id, []), names) for m, case, body in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


def _mediation(session: Session, principal: Principal, mediation_id: int):
    found = repo.mediation(session, principal, mediation_id)
    if found is None:
        raise NotFound(MEDIATION_NOT_FOUND.format(mediation_id))
    return found


def get_mediation(session: Session, principal: Principal, mediation_id: int) -> MediationRead:
    m, case, body = _mediation(session, principal, mediation_id)
    names = repo.user_names(session, principal, {m.passed_by} if m.passed_by else set())
    return _read(m, case, body, repo.parties(session, principal, [m.id]), names,
                 repo.sessions(session, principal, m.id))


def mediations_of_case(session: Session, principal: Principal, case_id: int) -> list[MediationRead]:
    """The mediations of one case the principal sees, newest first, each with its sessions."""
    rows, _total = repo.mediations(session, principal, status=None, offset=0, limit=MAX_PAGE_SIZE, case_id=case_id)
    return [get_mediation(session, principal, m.id) for m, _case, _b in rows]


def reveal(session: Session, principal: Principal, mediation_id: int, reason: str, *, cipher, now: datetime,
           ip: str = "") -> PartiesRevealed:
    """The parties' full names, phones and ID numbers for this answer only, with a reason; audited (the
    reason and which mediation, never a value)."""
    m, _case, _body = _mediation(session, principal, mediation_id)
    reason = rules.check_reason(reason)
    parties = repo.parties(session, principal, [m.id])
    audit_record(session, actor=principal, action="mediation_parties_revealed", now=now, object_type="mediation",
                 object_id=m.id, area_code=m.grid_code, detail=f"查看当事人完整信息（理由：{reason}）", ip=ip,
                 after={"reason": reason})
    return PartiesRevealed(id=m.id, parties=[
        PartyRead(seq=p.seq, name=cipher.decrypt(p.name_enc), phone=cipher.decrypt(p.phone_enc) if p.phone_enc else "",
                  id_number=cipher.decrypt(p.id_number_enc) if p.id_number_enc else "") for p in parties])


def mediator_accounts(session: Session, principal: Principal) -> list[dict]:
    """The mediators' accounts the agency may link to a body (its page's choice)."""
    return [{"id": uid, "label": f"{name}（{username}）"} for uid, username, name in
            repo.mediator_accounts(session, principal)]
