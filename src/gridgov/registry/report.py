"""A person's information report (PIPL art. 45): everything the register holds on one person and
who accessed it. Found by the exact ID number through the blind index, within the caller's
jurisdiction (the CLI acts for the system). Producing it is itself recorded: a ``report`` entry in
the person's access log and a ``person_reported`` audit entry, neither with the number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.authz import Principal, scope
from gridgov.errors import NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Address, Case, House, Move, Person, PersonAccess, PersonTag, Relation, Visit
from gridgov.registry import codes
from gridgov.registry.access import record_access
from gridgov.registry.rules import id_number_problem, normalise_id_number

NOT_FOUND = "未找到该证件号码对应的人员（或不在您的辖区内）"


@dataclass
class PersonReport:
    person_id: int
    facts: list[tuple[str, str]]
    moves: list[tuple[str, str, str]] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    visits: list[tuple[str, str, str, str]] = field(default_factory=list)
    cases: list[tuple[str, str, str]] = field(default_factory=list)
    access: list[tuple[str, str, str, str]] = field(default_factory=list)

    def as_text(self) -> str:
        lines = ["个人信息报告（《个人信息保护法》第四十五条）", ""]
        lines += [f"{k}：{v}" for k, v in self.facts]
        for title, rows in (("迁入迁出", self.moves), ("家庭关系", self.relations), ("特殊人群标签", self.tags),
                            ("走访记录", self.visits), ("关联事件", self.cases), ("访问记录", self.access)):
            lines += ["", f"【{title}】（{len(rows)}）"] + ["  " + " | ".join(r) for r in rows]
        return "\n".join(lines)


def _when(at: datetime | None) -> str:
    return local(at).strftime("%Y-%m-%d %H:%M") if at else ""


def find_person(session: Session, principal: Principal, id_number: str, cipher: FieldCipher) -> Person:
    """The person with this exact ID number within the principal's jurisdiction (404 otherwise)."""
    number = normalise_id_number(id_number)
    if not number:
        raise NotFound(NOT_FOUND)
    index = cipher.blind_index(number)
    person = session.scalars(scope.scoped(select(Person).where(Person.id_number_index == index), principal,
                                          Person)).first()
    if person is None:
        raise NotFound(NOT_FOUND)
    return person


def tag_label(profile, code: str) -> str:
    """A special group's name under the profile; its code when the profile no longer names it."""
    group = profile.registry.special_groups.get(code)
    return group.name if group else code


def build_report(session: Session, principal: Principal, id_number: str, *, cipher: FieldCipher, profile,
                 now: datetime, ip: str = "") -> PersonReport:
    """Everything held on the person, for the person; records that it was produced."""
    p = find_person(session, principal, id_number, cipher)
    # what hangs on a person the caller may see is shown whole: the system fetches it
    house = scope.get_visible(session, scope.SYSTEM, House, p.house_id) if p.house_id else None
    address = scope.get_visible(session, scope.SYSTEM, Address, house.address_id) if house else None
    facts = [
        ("姓名", p.name), ("证件类型", codes.ID_KINDS.get(p.id_kind, p.id_kind)),
        ("证件号码", cipher.decrypt(p.id_number_enc)),
        ("性别", codes.gender_label(p.gender)), ("民族", codes.ethnicity_label(p.ethnicity) if p.ethnicity else "—"),
        ("出生日期", p.birth_date.isoformat() if p.birth_date else "—"),
        ("联系电话", cipher.decrypt(p.phone_enc) if p.phone_enc else "—"),
        ("人口类型", codes.RESIDENCE_KINDS.get(p.residence_kind, p.residence_kind)),
        ("状态", codes.STATUSES.get(p.status, p.status)), ("居住地址", address.canonical if address else "—"),
        ("登记时间", _when(p.created_at)), ("最后修改", _when(p.updated_at)), ("归档时间", _when(p.archived_at) or "—"),
        ("数据来源", p.source),
    ]
    report = PersonReport(person_id=p.id, facts=facts)
    for m in session.scalars(select(Move).where(Move.person_id == p.id).order_by(Move.moved_on)):
        report.moves.append((m.moved_on.isoformat(), codes.MOVE_KINDS.get(m.kind, m.kind), m.note))
    relations = select(Relation).where(or_(Relation.person_id == p.id, Relation.relative_id == p.id))
    for r in session.scalars(relations):
        other_id = r.relative_id if r.person_id == p.id else r.person_id
        other = scope.get_visible(session, scope.SYSTEM, Person, other_id)
        report.relations.append((codes.RELATIONS.get(r.relation, r.relation), other.name if other else "（已删除）"))
    tags = scope.scoped(select(PersonTag).where(PersonTag.person_id == p.id), scope.SYSTEM, PersonTag)
    for t in session.scalars(tags.order_by(PersonTag.since)):
        report.tags.append((tag_label(profile, cipher.decrypt(t.tag_enc)), t.since.isoformat()))
    visits = scope.scoped(select(Visit).where(Visit.person_id == p.id), scope.SYSTEM, Visit)
    for v in session.scalars(visits.order_by(Visit.visited_at)):
        report.visits.append((_when(v.visited_at), v.note, v.needs, v.services))
    cases = scope.scoped(select(Case).where(Case.person_id == p.id), scope.SYSTEM, Case)
    for c in session.scalars(cases.order_by(Case.created_at)):
        report.cases.append((c.case_no, c.title, _when(c.created_at)))
    for a in session.scalars(select(PersonAccess).where(PersonAccess.person_id == p.id).order_by(PersonAccess.at)):
        reason = codes.REVEAL_REASONS.get(a.reason, a.reason)
        report.access.append((_when(a.at), a.username or "系统", codes.ACCESS_ACTIONS.get(a.action, a.action),
                              "；".join(x for x in (reason, a.reason_text) if x)))
    record_access(session, principal, p, "report", now=now, fields=["all"], ip=ip)
    return report


def id_number_hint(id_number: str) -> str | None:
    """A Chinese hint when a typed 18-character resident ID number fails its check digit."""
    number = normalise_id_number(id_number)
    return id_number_problem(number) if len(number) == 18 and number[:17].isdigit() else None
