"""Volunteers and informants (志愿者和信息员, issue 18; ZJ§9, ZJ§23, JM§10, requirement A6): the register of
volunteer organisations and people, the liaison and volunteers of each micro-grid, informants' reports
and their recognition points.

- Organisations (volunteer teams, property, courier and delivery companies) serve an area or a grid and
  publish an office contact, never a person's phone.
- People are attached to a micro-grid or a grid. The phone is encrypted (the deployment's FieldCipher),
  its keyed blind index is the resident channel's (:func:`gridgov.public.report.phone_index`), lists
  show its mask; the full phone leaves the server only through :func:`reveal`, with a reason, audited.
  One phone is on one active record.
- A micro-grid's liaison and volunteers (ZJ§9) are these records: a micro-grid holds at most
  ``staff.liaisons_per_micro_grid`` active liaisons (one where the profile is silent), counting the
  register's and the staff posts' (a record linked to the account of the staff member on that post is
  the same person); the staffing gaps (:func:`gridgov.staff.posts.staffing_gaps`) count both.
- A registered person's report through the resident channel is marked by
  :mod:`gridgov.public.informants`; its points follow the profile's ``recognition`` section.

Who: ``cogovernance.read`` sees, ``cogovernance.manage`` keeps and reveals, both inside the
jurisdiction (outside is 404). Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.areas import area_prefix
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.cogovernance import volunteers_repository as repo
from gridgov.cogovernance import volunteers_rules as rules
from gridgov.cogovernance.volunteers_schemas import (
    Deactivate,
    OrgCreate,
    OrgPage,
    OrgRead,
    OrgUpdate,
    RevealRequest,
    VolunteerCreate,
    VolunteerPage,
    VolunteerRead,
    VolunteerRevealed,
    VolunteerUpdate,
)
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_phone
from gridgov.models.accounts import MICRO_GRID_ROLES
from gridgov.models.territory import GridStatus
from gridgov.models.volunteers import ORG_KIND_LABELS, VOLUNTEER_KIND_LABELS, Volunteer, VolunteerKind, VolunteerOrg
from gridgov.public.report import check_mobile, phone_index

register_labels({
    "volunteer_org_created": "登记志愿服务组织",
    "volunteer_org_updated": "修改志愿服务组织",
    "volunteer_created": "登记志愿者或信息员",
    "volunteer_updated": "修改志愿者或信息员",
    "volunteer_deactivated": "停用志愿者或信息员",
    "volunteer_phone_revealed": "查看志愿者手机号",
})
"""The Chinese labels of the audit actions of the register (issue 18)."""

MISSING = "志愿者或信息员不存在"
ORG_MISSING = "志愿服务组织不存在"


def today(now: datetime) -> date:
    return local(now).date()


def _invalid(message: str, field: str) -> Invalid:
    return Invalid(message, details=[{"field": field, "error": message}])


# ---------------------------------------------------------------- places and filters


def area_filter(session: Session, principal: Principal, code: str | None) -> str | None:
    """The code prefix of an area, grid or micro-grid filter; outside the jurisdiction 404."""
    code = (code or "").strip()
    if not code:
        return None
    if not code.isdigit() or len(code) not in (12, 15, 17):
        raise _invalid("区域应为 12 位区划代码、15 位网格编码或 17 位微网格编码", "area")
    if len(code) == 12:
        if repo.visible_area(session, principal, code) is None and not _above(principal, code):
            raise NotFound(f"区域 {code} 不存在")
        return area_prefix(code)
    found = (repo.visible_grid(session, principal, code) if len(code) == 15
             else repo.visible_micro_grid(session, principal, code))
    if found is None:
        raise NotFound(f"网格 {code} 不存在")
    return code


def _above(principal: Principal, code: str) -> bool:
    """An area above the jurisdiction (a town's agency filtering by its county) filters nothing out."""
    return principal.scope_code.startswith(area_prefix(code))


def _place(session: Session, principal: Principal, kind: str, code: str) -> tuple[str, str | None]:
    """(grid code, micro-grid code) of an active grid or micro-grid inside the jurisdiction."""
    code = code.strip()
    problem = rules.place_problem(kind, code)
    if problem:
        raise _invalid(problem, "place_code")
    if len(code) == rules.MICRO_LEN:
        micro = repo.visible_micro_grid(session, principal, code)
        if micro is None:
            raise NotFound(f"微网格 {code} 不存在")
        if micro.status != GridStatus.ACTIVE:
            raise _invalid("该微网格已停用", "place_code")
        return micro.grid_code, micro.code
    grid = repo.visible_grid(session, principal, code)
    if grid is None:
        raise NotFound(f"网格 {code} 不存在")
    if grid.status != GridStatus.ACTIVE:
        raise _invalid("该网格已停用", "place_code")
    return grid.code, None


# ---------------------------------------------------------------- organisations


def _org_read(org: VolunteerOrg, people: int = 0) -> OrgRead:
    return OrgRead(id=org.id, name=org.name, kind=org.kind, kind_label=ORG_KIND_LABELS.get(org.kind, org.kind),
                   area_code=org.area_code, contact=org.contact, active=org.active, people=people)


def _org_area(session: Session, principal: Principal, code: str) -> str:
    code = code.strip()
    if not code.isdigit() or len(code) not in (12, 15, 17):
        raise _invalid("服务区域应为 12 位区划代码、15 位网格编码或 17 位微网格编码", "area_code")
    found = (repo.visible_area(session, principal, code) if len(code) == 12
             else repo.visible_grid(session, principal, code) if len(code) == 15
             else repo.visible_micro_grid(session, principal, code))
    if found is None:
        raise NotFound(f"区域 {code} 不存在")
    return code


def _check_contact(value: str) -> str:
    """A public contact is an office phone (3–20 digits, hyphens allowed) or nothing."""
    value = value.strip()
    if value and not (value.replace("-", "").isdigit() and 3 <= len(value) <= 20):
        raise _invalid("对外联系方式应为电话号码（3–20 位数字，可含连字符）", "contact")
    return value


def list_orgs(session: Session, principal: Principal, *, area: str | None, kind: str | None, page: int,
              page_size: int) -> OrgPage:
    prefix = area_filter(session, principal, area)
    rows, total = repo.list_orgs(session, principal, prefix=prefix, kind=(kind or "").strip() or None,
                                 offset=(page - 1) * page_size, limit=page_size)
    return OrgPage(items=[_org_read(o, n) for o, n in rows], total=total, page=page, page_size=page_size)


def create_org(session: Session, principal: Principal, data: OrgCreate, *, now: datetime) -> OrgRead:
    problem = rules.org_kind_problem(data.kind)
    if problem:
        raise _invalid(problem, "kind")
    name = data.name.strip()
    if not name:
        raise _invalid("请填写组织名称", "name")
    area = _org_area(session, principal, data.area_code)
    org = repo.add(session, VolunteerOrg(name=name, kind=data.kind, area_code=area,
                                         contact=_check_contact(data.contact), active=True, created_at=now,
                                         updated_at=now))
    record(session, actor=principal, action="volunteer_org_created", now=now, object_type="volunteer_org",
           object_id=org.id, area_code=org.area_code, after=_org_snapshot(org))
    return _org_read(org)


def _org_snapshot(org: VolunteerOrg) -> dict:
    return {"name": org.name, "kind": org.kind, "area_code": org.area_code, "contact": org.contact,
            "active": org.active}


def update_org(session: Session, principal: Principal, org_id: int, data: OrgUpdate, *, now: datetime) -> OrgRead:
    org = repo.get_org(session, principal, org_id)
    if org is None:
        raise NotFound(ORG_MISSING)
    before = _org_snapshot(org)
    if data.kind is not None:
        problem = rules.org_kind_problem(data.kind)
        if problem:
            raise _invalid(problem, "kind")
        org.kind = data.kind
    if data.name is not None:
        if not data.name.strip():
            raise _invalid("请填写组织名称", "name")
        org.name = data.name.strip()
    if data.contact is not None:
        org.contact = _check_contact(data.contact)
    if data.active is not None:
        org.active = data.active
    org.updated_at = now
    session.flush()
    record(session, actor=principal, action="volunteer_org_updated", now=now, object_type="volunteer_org",
           object_id=org.id, area_code=org.area_code, before=before, after=_org_snapshot(org))
    return _org_read(org)


# ---------------------------------------------------------------- people


def access(session: Session, principal: Principal, volunteer_id: int, *, for_update: bool = False) -> Volunteer:
    person = repo.get_volunteer(session, principal, volunteer_id, for_update=for_update)
    if person is None:
        raise NotFound(MISSING)
    return person


def reads(session: Session, principal: Principal, people: list[Volunteer], *, profile,
          points: bool = True) -> list[VolunteerRead]:
    orgs = repo.org_names(session, principal, [p.org_id for p in people])
    names = repo.place_names(session, [p.place_code for p in people])
    states: dict[int, list[str]] = {}
    if points:
        for vid, state in repo.report_states(session, principal, [p.id for p in people]):
            states.setdefault(vid, []).append(state)
    return [VolunteerRead(
        id=p.id, name=p.name, kind=p.kind, kind_label=VOLUNTEER_KIND_LABELS.get(p.kind, p.kind), org_id=p.org_id,
        org_name=orgs.get(p.org_id or 0, ""), place_code=p.place_code, place_name=names.get(p.place_code, ""),
        grid_code=p.grid_code, micro_grid_code=p.micro_grid_code, phone_masked=p.phone_mask, user_id=p.user_id,
        active=p.active, joined_on=p.joined_on, left_on=p.left_on, reports=len(states.get(p.id, [])),
        points=rules.total_points(profile.recognition, states.get(p.id, []))) for p in people]


def read_one(session: Session, principal: Principal, volunteer_id: int, *, profile) -> VolunteerRead:
    return reads(session, principal, [access(session, principal, volunteer_id)], profile=profile)[0]


def list_people(session: Session, principal: Principal, *, area: str | None, kind: str | None,
                org_id: int | None, active: bool | None, q: str | None, page: int, page_size: int,
                profile) -> VolunteerPage:
    prefix = area_filter(session, principal, area)
    kind = (kind or "").strip() or None
    if kind and rules.kind_problem(kind):
        raise _invalid(rules.kind_problem(kind) or "", "kind")
    rows, total = repo.list_volunteers(session, principal, prefix=prefix, kind=kind, org_id=org_id, active=active,
                                       q=(q or "").strip() or None, offset=(page - 1) * page_size, limit=page_size)
    return VolunteerPage(items=reads(session, principal, rows, profile=profile), total=total, page=page,
                         page_size=page_size)


def _snapshot(p: Volunteer) -> dict:
    """What the audit log keeps of a record: the phone's mask, never the phone."""
    return {"name": p.name, "kind": p.kind, "org_id": p.org_id, "place_code": p.place_code,
            "phone": p.phone_mask, "user_id": p.user_id, "active": p.active,
            "joined_on": p.joined_on.isoformat(), "left_on": p.left_on.isoformat() if p.left_on else None}


def _org(session: Session, principal: Principal, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    if repo.get_org(session, principal, org_id, ancestors=True) is None:
        raise NotFound(ORG_MISSING)
    return org_id


def _user(session: Session, principal: Principal, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = repo.visible_user(session, principal, user_id)
    if user is None:
        raise NotFound("账号不存在")
    if user.role not in MICRO_GRID_ROLES:
        raise _invalid("只能关联微网格联络员或志愿者账号", "user_id")
    return user_id


def _phone(session: Session, cipher: FieldCipher, value: str, *, other_than: int | None = None) -> tuple[str, str]:
    phone = check_mobile(value)
    index = phone_index(cipher, phone)
    if repo.active_with_phone(session, index, other_than=other_than) is not None:
        raise Conflict("该手机号已登记为志愿者或信息员：同一手机号只能登记一人")
    return phone, index


def _liaison_cap(session: Session, person: Volunteer, *, profile) -> None:
    """409 when the micro-grid already has its liaison(s) (register and staff posts, each person once)."""
    if person.kind != VolunteerKind.LIAISON or not person.active or not person.micro_grid_code:
        return
    cap = profile.staff.liaisons_per_micro_grid or 1
    own_staff = repo.staff_id_of_user(session, person.user_id) if person.user_id else None
    posts = [s for s in repo.liaison_posts_of(session, person.micro_grid_code) if s != own_staff]
    register = repo.liaisons_of(session, person.micro_grid_code, other_than=person.id)
    held = len(set(posts) | {s for s in register if s is not None}) + sum(s is None for s in register)
    cite = profile.requirement("staff.liaisons_per_micro_grid").cite()
    conflict = rules.liaison_conflict(cap, held, cite if profile.staff.liaisons_per_micro_grid else "")
    if conflict:
        raise Conflict(conflict)


def _flush(session: Session) -> None:
    """The partial unique index backs the liaison rule against a concurrent second liaison."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("该微网格已有在岗联络员：请先停用原联络员") from exc


def create(session: Session, principal: Principal, data: VolunteerCreate, *, profile, cipher: FieldCipher,
           now: datetime) -> VolunteerRead:
    problem = rules.kind_problem(data.kind)
    if problem:
        raise _invalid(problem, "kind")
    name = data.name.strip()
    if not name:
        raise _invalid("请填写姓名", "name")
    grid, micro = _place(session, principal, data.kind, data.place_code)
    joined = data.joined_on or today(now)
    if joined > today(now):
        raise _invalid("加入日期不能晚于今天", "joined_on")
    org_id = _org(session, principal, data.org_id)
    user_id = _user(session, principal, data.user_id)
    phone, index = _phone(session, cipher, data.phone)
    person = Volunteer(name=name, kind=data.kind, org_id=org_id, place_code=micro or grid, grid_code=grid,
                       micro_grid_code=micro, phone_enc=cipher.encrypt(phone), phone_index=index,
                       phone_mask=mask_phone(phone), user_id=user_id, active=True, joined_on=joined, created_at=now,
                       updated_at=now)
    _liaison_cap(session, person, profile=profile)
    session.add(person)
    _flush(session)
    record(session, actor=principal, action="volunteer_created", now=now, object_type="volunteer",
           object_id=person.id, area_code=person.place_code, after=_snapshot(person))
    return reads(session, principal, [person], profile=profile)[0]


def update(session: Session, principal: Principal, volunteer_id: int, data: VolunteerUpdate, *, profile,
           cipher: FieldCipher, now: datetime) -> VolunteerRead:
    person = access(session, principal, volunteer_id, for_update=True)
    before = _snapshot(person)
    kind = data.kind if data.kind is not None else person.kind
    problem = rules.kind_problem(kind)
    if problem:
        raise _invalid(problem, "kind")
    if data.place_code is not None or data.kind is not None:
        grid, micro = _place(session, principal, kind, data.place_code or person.place_code)
        person.grid_code, person.micro_grid_code, person.place_code = grid, micro, micro or grid
    person.kind = kind
    if data.name is not None:
        if not data.name.strip():
            raise _invalid("请填写姓名", "name")
        person.name = data.name.strip()
    if data.phone is not None:
        phone, index = _phone(session, cipher, data.phone, other_than=person.id)
        person.phone_enc, person.phone_index, person.phone_mask = cipher.encrypt(phone), index, mask_phone(phone)
    if data.clear_org:
        person.org_id = None
    elif data.org_id is not None:
        person.org_id = _org(session, principal, data.org_id)
    if data.clear_user:
        person.user_id = None
    elif data.user_id is not None:
        person.user_id = _user(session, principal, data.user_id)
    _liaison_cap(session, person, profile=profile)
    person.updated_at = now
    _flush(session)
    record(session, actor=principal, action="volunteer_updated", now=now, object_type="volunteer",
           object_id=person.id, area_code=person.place_code, before=before, after=_snapshot(person))
    return reads(session, principal, [person], profile=profile)[0]


def deactivate(session: Session, principal: Principal, volunteer_id: int, data: Deactivate, *, profile,
               now: datetime) -> VolunteerRead:
    """Ends a person's service (kept with its reports; a phone no longer marks reports)."""
    person = access(session, principal, volunteer_id, for_update=True)
    if not person.active:
        raise Conflict("该人员已停用")
    left = data.left_on or today(now)
    if left < person.joined_on or left > today(now):
        raise _invalid(f"退出日期应在加入日期 {person.joined_on.isoformat()} 与今天之间", "left_on")
    before = _snapshot(person)
    person.active, person.left_on, person.updated_at = False, left, now
    session.flush()
    record(session, actor=principal, action="volunteer_deactivated", now=now, object_type="volunteer",
           object_id=person.id, area_code=person.place_code, before=before, after=_snapshot(person))
    return reads(session, principal, [person], profile=profile)[0]


def reveal(session: Session, principal: Principal, volunteer_id: int, data: RevealRequest, *,
           cipher: FieldCipher, now: datetime, ip: str = "") -> VolunteerRevealed:
    """The full phone, for a reason; every reveal is written to the audit log (the phone never is)."""
    reason = data.reason.strip()
    if len(reason) < 2:
        raise _invalid("请写明查看手机号的理由", "reason")
    person = access(session, principal, volunteer_id)
    record(session, actor=principal, action="volunteer_phone_revealed", now=now, object_type="volunteer",
           object_id=person.id, area_code=person.place_code, detail=reason[:200], ip=ip)
    return VolunteerRevealed(id=person.id, name=person.name, phone=cipher.decrypt(person.phone_enc))
