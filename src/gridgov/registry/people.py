"""实有人口: register, edit, find, read (masked), reveal (audited), moves and household relations.

Personal data never rests in the clear: the ID number and the phone are sealed with the
deployment's :class:`~gridgov.kit.crypto.FieldCipher`; ``id_number_index`` is the keyed blind index
of the normalised number (:func:`id_index`, the exact-match lookup: one person, one record) and the
masks are what lists show. The full values leave the server only through :func:`reveal`, with a
reason, one request at a time; every view, search by ID number and reveal is written to the person's
access log and the audit log (:mod:`gridgov.registry.access`).

A person lies where its house lies (``scope_code`` = the house's), or, without a house, in the grid
or village/community given; the scope door decides who reads it. Services take ``now`` and never
commit.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import birth_year, mask_id_number, mask_phone
from gridgov.models.registry import Move, Person, Relation
from gridgov.models.territory import AreaLevel
from gridgov.registry import access, codes, rules
from gridgov.registry import people_repository as repo
from gridgov.registry.people_schemas import (
    AccessPage,
    AccessRead,
    MoveCreate,
    MoveRead,
    PersonCreate,
    PersonListItem,
    PersonPage,
    PersonRead,
    PersonRevealed,
    PersonUpdate,
    RelationCreate,
    RelationRead,
    RevealRequest,
)

MAX_PAGE_SIZE = 200
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,8})$")
PERSON_MISSING = "人员不存在"


def _bad(field: str, message: str, error: str = "取值无效") -> Invalid:
    """A 422 naming the field at fault (never echoing a personal value)."""
    return Invalid(message, details=[{"field": field, "error": error, "detail": message}])


def today(now: datetime) -> date:
    return local(now).date()


# ---------------------------------------------------------------- identity numbers


def normalise_id(kind: str, number: str) -> str:
    """Spaces out, letters raised (a lowercase ``x`` check digit becomes ``X``)."""
    return rules.normalise_id_number(number or "")


def id_index(cipher: FieldCipher, number: str) -> str:
    """The blind index of a normalised ID number: how a person is found by exact number (the import,
    the report command and the search all use this one formula)."""
    return cipher.blind_index(normalise_id("", number))


def check_id(kind: str, number: str) -> str:
    """The normalised number if valid for its kind; else a 422 naming ``id_number`` (or ``id_kind``)."""
    if kind not in codes.ID_KINDS:
        raise _bad("id_kind", "证件类型应为：" + "、".join(f"{v}（{k}）" for k, v in codes.ID_KINDS.items()))
    value = normalise_id(kind, number)
    if kind == "resident":
        problem = rules.id_number_problem(value)
        if problem:
            raise _bad("id_number", problem)
    elif not codes.ID_PATTERNS[kind].match(value):
        raise _bad("id_number", codes.ID_PATTERN_HINTS[kind])
    return value


def check_phone(value: str | None) -> str:
    phone = (value or "").strip().replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        raise _bad("phone", "手机号格式不正确（手机号 11 位，或固定电话如 0511-12345678）")
    return phone


def _set_identity(session: Session, person: Person, kind: str, number: str, gender: str | None,
                  born: date | None, cipher: FieldCipher, now: datetime) -> None:
    """Validate, seal, index and mask the ID number; gender and birth date follow from a resident
    number (a different one given is refused)."""
    value = check_id(kind, number)
    if kind == "resident":
        derived_gender, derived_birth = rules.gender_of(value), rules.birth_date_of(value)
        if gender is not None and gender != derived_gender:
            raise _bad("gender", "性别与身份证号码不一致（第 17 位奇数为男、偶数为女）")
        if born is not None and born != derived_birth:
            raise _bad("birth_date", "出生日期与身份证号码中的出生日期不一致")
        gender, born = derived_gender, derived_birth
    if born is not None and born > today(now):
        raise _bad("birth_date", "出生日期不能晚于今天")
    index = id_index(cipher, value)
    other = repo.person_id_by_index(session, index)
    if other is not None and other != person.id:
        raise Conflict("该证件号码已有登记（一人一档），请查找原记录后修改")
    person.id_kind = kind
    person.id_number_enc = cipher.encrypt(value)
    person.id_number_index = index
    person.id_number_mask = mask_id_number(value)
    person.gender = _gender(gender if gender is not None else person.gender or "0")
    person.birth_date = born


def _gender(code: str) -> str:
    if code not in codes.genders():
        raise _bad("gender", "性别代码应为 GB/T 2261.1 的 0（未知）、1（男）、2（女）或 9（未说明）")
    return code


def _ethnicity(code: str) -> str:
    code = (code or "").strip()
    if code and code not in codes.ethnicities():
        raise _bad("ethnicity", "民族代码应为 GB/T 3304 的两位代码（01 汉族 … 56 基诺族，97 其他，98 外国血统）")
    return code


def _residence(kind: str) -> str:
    if kind not in codes.RESIDENCE_KINDS:
        choices = "、".join(f"{v}（{k}）" for k, v in codes.RESIDENCE_KINDS.items())
        raise _bad("residence_kind", f"人口类别应为：{choices}")
    return kind


def _set_phone(person: Person, value: str | None, cipher: FieldCipher) -> None:
    phone = check_phone(value)
    person.phone_enc = cipher.encrypt(phone) if phone else None
    person.phone_mask = mask_phone(phone) if phone else ""


def _place(session: Session, principal: Principal, house_id: int | None, grid_code: str | None,
           area_code: str | None) -> tuple[int | None, str]:
    """Where a person lies: its house's scope, else the grid or village/community given, each inside
    the jurisdiction (outside: 404 like missing)."""
    if house_id is not None:
        house = repo.get_house(session, principal, house_id)
        if house is None:
            raise NotFound("房屋不存在")
        return house.id, house.scope_code
    grid_code, area_code = (grid_code or "").strip(), (area_code or "").strip()
    if grid_code:
        if not repo.visible_grid(session, principal, grid_code):
            raise NotFound(f"网格 {grid_code} 不存在")
        return None, grid_code
    if area_code:
        area = repo.visible_area(session, principal, area_code)
        if area is None:
            raise NotFound(f"区域 {area_code} 不存在")
        if area.level != AreaLevel.VILLAGE:
            raise _bad("area_code", "没有房屋的人员应登记到村（社区）或网格")
        return None, area_code
    raise _bad("house_id", "请填写居住的房屋，或所在网格、村（社区）", "缺少必填项")


def snapshot(person: Person) -> dict:
    """What the audit log keeps of a person: masks only, never the number, phone or birth date."""
    return {
        "name": person.name, "id_kind": person.id_kind, "id_number": mask_id_number(person.id_number_mask),
        "phone": mask_phone(person.phone_mask), "gender": person.gender, "ethnicity": person.ethnicity,
        "residence_kind": person.residence_kind, "house_id": person.house_id, "scope_code": person.scope_code,
        "status": person.status,
    }


# ---------------------------------------------------------------- records


def new_person(session: Session, principal: Principal, data: PersonCreate, *, cipher: FieldCipher, now: datetime,
               source: str = "manual") -> Person:
    """Checks and adds one person without an audit entry (imports and the demo audit in bulk)."""
    name = data.name.strip()
    if not name:
        raise _bad("name", "姓名不能为空", "缺少必填项")
    house_id, scope = _place(session, principal, data.house_id, data.grid_code, data.area_code)
    person = Person(name=name, ethnicity=_ethnicity(data.ethnicity), residence_kind=_residence(data.residence_kind),
                    house_id=house_id, scope_code=scope, status="active", source=source, created_at=now,
                    updated_at=now)
    _set_identity(session, person, data.id_kind, data.id_number, data.gender, data.birth_date, cipher, now)
    _set_phone(person, data.phone, cipher)
    session.add(person)
    session.flush()
    return person


def create_person(session: Session, principal: Principal, data: PersonCreate, *, cipher: FieldCipher,
                  now: datetime) -> Person:
    person = new_person(session, principal, data, cipher=cipher, now=now)
    record(session, actor=principal, action="person_created", now=now, object_type="person", object_id=person.id,
           area_code=person.scope_code, after=snapshot(person))
    return person


def access_person(session: Session, principal: Principal, person_id: int, *, for_update: bool = False) -> Person:
    """A person the principal may read; outside the jurisdiction it does not exist (404)."""
    person = repo.get_person(session, principal, person_id, for_update=for_update)
    if person is None:
        raise NotFound(PERSON_MISSING)
    return person


def update_person(session: Session, principal: Principal, person_id: int, data: PersonUpdate, *,
                  cipher: FieldCipher, now: datetime) -> Person:
    person = access_person(session, principal, person_id, for_update=True)
    before = snapshot(person)
    fields = data.model_fields_set
    if data.name is not None:
        if not data.name.strip():
            raise _bad("name", "姓名不能为空", "缺少必填项")
        person.name = data.name.strip()
    if data.id_number is not None or data.id_kind is not None:
        if data.id_number is None:
            raise _bad("id_number", "修改证件类型时请同时填写证件号码", "缺少必填项")
        _set_identity(session, person, data.id_kind or person.id_kind, data.id_number, data.gender,
                      data.birth_date, cipher, now)
    else:
        if data.gender is not None:
            if person.id_kind == "resident" and data.gender != person.gender:
                raise _bad("gender", "性别以身份证号码为准，不能单独修改")
            person.gender = _gender(data.gender)
        if "birth_date" in fields and data.birth_date != person.birth_date:
            if person.id_kind == "resident":
                raise _bad("birth_date", "出生日期以身份证号码为准，不能单独修改")
            if data.birth_date is not None and data.birth_date > today(now):
                raise _bad("birth_date", "出生日期不能晚于今天")
            person.birth_date = data.birth_date
    if data.ethnicity is not None:
        person.ethnicity = _ethnicity(data.ethnicity)
    if data.residence_kind is not None:
        person.residence_kind = _residence(data.residence_kind)
    if "phone" in fields:
        _set_phone(person, data.phone, cipher)
    if fields & {"house_id", "grid_code", "area_code"}:
        person.house_id, person.scope_code = _place(session, principal, data.house_id, data.grid_code,
                                                    data.area_code)
    person.updated_at = now
    session.flush()
    after = snapshot(person)
    record(session, actor=principal, action="person_updated", now=now, object_type="person", object_id=person.id,
           area_code=person.scope_code, before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
    return person


# ---------------------------------------------------------------- reading


def _item(p: Person, address: str) -> dict:
    return {
        "id": p.id, "name": p.name, "id_kind": p.id_kind, "id_number_masked": mask_id_number(p.id_number_mask),
        "gender": p.gender, "gender_label": codes.gender_label(p.gender), "birth_year": birth_year(p.birth_date),
        "phone_masked": mask_phone(p.phone_mask), "residence_kind": p.residence_kind,
        "residence_kind_label": codes.RESIDENCE_KINDS.get(p.residence_kind, p.residence_kind),
        "house_id": p.house_id, "address": address, "scope_code": p.scope_code, "status": p.status,
        "status_label": codes.STATUSES.get(p.status, p.status),
    }


def list_people(session: Session, principal: Principal, *, q: str | None = None, id_number: str | None = None,
                grid: str | None = None, tag: str | None = None, page: int = 1, page_size: int = 50,
                cipher: FieldCipher, now: datetime, ip: str = "") -> PersonPage:
    """The readable people, masked. ``q`` matches a name; ``id_number`` an exact number through its
    blind index (a match is written to that person's access log as a search: a number tried is a
    number confirmed); ``grid`` those lying in a grid of the jurisdiction (404 like missing outside);
    ``tag`` those carrying a special-group tag (``PersonTag.tag_index == blind_index("tag:" + code)``;
    which roles may filter by which tag is the care part's rule)."""
    grid = (grid or "").strip() or None
    if grid and not repo.visible_grid(session, principal, grid):
        raise NotFound(f"网格 {grid} 不存在")
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    number = normalise_id("", id_number or "")
    index = id_index(cipher, number) if number else None
    tag = (tag or "").strip()
    tag_index = cipher.blind_index("tag:" + tag) if tag else None
    rows, total = repo.list_people(session, principal, q=(q or "").strip() or None, index=index, grid=grid,
                                   tag_index=tag_index, offset=(page - 1) * page_size, limit=page_size)
    addresses = repo.house_addresses(session, principal, [p.house_id for p in rows])
    items = [PersonListItem(**_item(p, addresses.get(p.house_id, ""))) for p in rows]
    if index is not None:  # last: a GET's session may add (not flush) its records once its reads are done
        for person in rows:
            access.record_access(session, principal, person, "search", now=now, fields=("id_number",), ip=ip)
    return PersonPage(items=items, total=total, page=page, page_size=page_size)


def person_read(session: Session, principal: Principal, person: Person) -> PersonRead:
    houses = {person.house_id}
    moves = repo.moves_of(session, person.id)
    houses.update(m.house_id for m in moves)
    addresses = repo.house_addresses(session, principal, houses)
    return PersonRead(
        **_item(person, addresses.get(person.house_id, "")),
        id_kind_label=codes.ID_KINDS.get(person.id_kind, person.id_kind),
        ethnicity=person.ethnicity, ethnicity_label=codes.ethnicity_label(person.ethnicity),
        archived_at=person.archived_at, source=person.source,
        moves=[MoveRead(id=m.id, kind=m.kind, kind_label=codes.MOVE_KINDS.get(m.kind, m.kind), moved_on=m.moved_on,
                        house_id=m.house_id, address=addresses.get(m.house_id, ""), note=m.note) for m in moves],
        relations=[RelationRead(id=r.id, relative_id=r.relative_id, relative_name=name, relation=r.relation,
                                relation_label=codes.RELATIONS.get(r.relation, r.relation))
                   for r, name in repo.relations_of(session, principal, person.id)],
        created_at=person.created_at, updated_at=person.updated_at,
    )


def view_person(session: Session, principal: Principal, person_id: int, *, now: datetime, ip: str = "") -> PersonRead:
    """A person's record (masked); the view is written to the access log and the audit log."""
    person = access_person(session, principal, person_id)
    read = person_read(session, principal, person)
    access.record_access(session, principal, person, "view", now=now, ip=ip)  # after the reads (see list_people)
    return read


def reveal(session: Session, principal: Principal, person_id: int, data: RevealRequest, *, cipher: FieldCipher,
           now: datetime, ip: str = "") -> PersonRevealed:
    """The full ID number and phone of one person for this request only, with a reason from the list;
    each call is written to the access log and the audit log (field names and the reason, no value)."""
    person = access_person(session, principal, person_id)
    reason, text = access.check_reason(data.reason, data.reason_text)
    fields = ("id_number", "phone") if person.phone_enc else ("id_number",)
    access.record_access(session, principal, person, "reveal", now=now, fields=fields, reason=reason,
                         reason_text=text, ip=ip)
    return PersonRevealed(id=person.id, name=person.name, id_number=cipher.decrypt(person.id_number_enc),
                          phone=cipher.decrypt(person.phone_enc) if person.phone_enc else None)


def access_log(session: Session, principal: Principal, person_id: int, *, page: int = 1,
               page_size: int = 50) -> AccessPage:
    person = access_person(session, principal, person_id)
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    rows, total = access.page_of(session, person.id, offset=(page - 1) * page_size, limit=page_size)
    items = [AccessRead(id=a.id, at=a.at, username=a.username, action=a.action,
                        action_label=codes.ACCESS_ACTIONS.get(a.action, a.action), fields=a.fields,
                        reason=a.reason, reason_label=codes.REVEAL_REASONS.get(a.reason, a.reason),
                        reason_text=a.reason_text) for a in rows]
    return AccessPage(items=items, total=total, page=page, page_size=page_size)


# ---------------------------------------------------------------- moves and relations


def record_move(session: Session, principal: Principal, person_id: int, data: MoveCreate, *, now: datetime) -> Move:
    """A move in (to a house of the jurisdiction: the person follows it), out (status ``moved_out``)
    or a death (``deceased``); a person who left is archived (``archived_at``) for the retention job."""
    person = access_person(session, principal, person_id, for_update=True)
    if data.kind not in codes.MOVE_KINDS:
        raise _bad("kind", "类别应为：" + "、".join(f"{v}（{k}）" for k, v in codes.MOVE_KINDS.items()))
    if data.moved_on > today(now):
        raise _bad("moved_on", "日期不能晚于今天")
    before = snapshot(person)
    house_id = None
    if data.kind == "in":
        if data.house_id is None:
            raise _bad("house_id", "迁入请填写迁入的房屋", "缺少必填项")
        house_id, person.scope_code = _place(session, principal, data.house_id, None, None)
        person.house_id, person.status, person.archived_at = house_id, "active", None
    else:
        if person.status != "active":
            raise Conflict("该人员已不在住，不能再登记迁出或死亡")
        house_id = person.house_id
        person.status = "moved_out" if data.kind == "out" else "deceased"
        person.archived_at = now
    move = Move(person_id=person.id, kind=data.kind, moved_on=data.moved_on, house_id=house_id,
                note=data.note.strip(), recorded_by=principal.user_id if principal else None, recorded_at=now)
    session.add(move)
    person.updated_at = now
    session.flush()
    after = snapshot(person)
    record(session, actor=principal, action="person_moved", now=now, object_type="person", object_id=person.id,
           area_code=person.scope_code, detail=codes.MOVE_KINDS[data.kind],
           before={k: v for k, v in before.items() if after[k] != v},
           after={"moved_on": data.moved_on.isoformat(), **{k: v for k, v in after.items() if before[k] != v}})
    return move


def add_relation(session: Session, principal: Principal, person_id: int, data: RelationCreate, *,
                 now: datetime) -> Relation:
    """``relative`` is ``relation`` of ``person`` (户主, 配偶 …); both readable by the principal."""
    person = access_person(session, principal, person_id)
    if data.relation not in codes.RELATIONS:
        raise _bad("relation", "关系应为：" + "、".join(codes.RELATIONS.values()))
    relative = repo.get_person(session, principal, data.relative_id)
    if relative is None:
        raise NotFound(PERSON_MISSING)
    if relative.id == person.id:
        raise _bad("relative_id", "不能登记与本人的关系")
    if repo.relation_exists(session, person.id, relative.id):
        raise Conflict("这两人的关系已有登记")
    rel = Relation(person_id=person.id, relative_id=relative.id, relation=data.relation)
    session.add(rel)
    session.flush()
    record(session, actor=principal, action="person_related", now=now, object_type="person", object_id=person.id,
           area_code=person.scope_code, after={"relative_id": relative.id, "relation": data.relation})
    return rel
