"""Staff records: create, edit, read (masked), reveal (audited), training, exclusions and photos.

Personal data (ID number, private phone) is encrypted at rest with the deployment's
:class:`~gridgov.kit.crypto.FieldCipher`; lists and the audit log carry the masks only; the full
values leave the server only through :func:`reveal`, which writes a ``staff_revealed`` entry each
time. One person has one record: the blind index of the ID number is unique. Posts and staffing
gaps live in :mod:`gridgov.staff.posts`. Services take ``now`` and never commit.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import birth_year, mask_id_number, mask_phone
from gridgov.kit.media import image_path, store_image
from gridgov.models import Area, Grid
from gridgov.models.staff import StaffExclusion, StaffMember, Training
from gridgov.models.territory import AreaLevel
from gridgov.staff import repository as repo
from gridgov.staff import rules
from gridgov.staff.schemas import (
    ExclusionCreate,
    ExclusionLift,
    ExclusionRead,
    PostRead,
    StaffCreate,
    StaffListItem,
    StaffPage,
    StaffRead,
    StaffRevealed,
    StaffUpdate,
    TrainingCreate,
    TrainingRead,
)
from gridgov.territory import lookup as territory_lookup
from gridgov.territory import rules as code_rules

MAX_PAGE_SIZE = 200
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,8})$")
TRAINING_KINDS = {"pre_job": "岗前培训", "in_service": "在岗培训"}
MANAGING_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE)
_STAFF_MISSING = "网格员档案不存在"


def today(now: datetime) -> date:
    """The day on the users' wall clock (Asia/Shanghai)."""
    return local(now).date()


# ---------------------------------------------------------------- access and checks


def may_reveal(principal: Principal) -> bool:
    """Whether the principal may see full ID numbers and phones (through the audited reveal)."""
    return principal.can(Permission.STAFF_REVEAL)


def access_staff(session: Session, principal: Principal, staff_id: int) -> StaffMember:
    """A staff record the principal may read; outside the jurisdiction it does not exist (404)."""
    staff = repo.get_staff(session, principal, staff_id)
    if staff is None:
        raise NotFound(_STAFF_MISSING)
    return staff


def check_area(session: Session, principal: Principal, code: str) -> Area:
    """The area managing a staff record: a county, town or village inside the jurisdiction."""
    area = get_visible(session, principal, Area, code)
    if area is None:
        raise NotFound(f"区域 {code} 不存在")
    if area.level not in MANAGING_LEVELS:
        raise Invalid("所属区域应为县（市、区）、镇（街道）或村（社区）")
    return area


def check_phone(value: str, label: str) -> str:
    value = value.strip().replace(" ", "")
    if value and not PHONE_RE.match(value):
        raise Invalid(f"{label} {value} 格式不正确（手机号 11 位，或固定电话如 0511-12345678）")
    return value


def check_gender(value: str) -> str:
    gender = rules.normalise_gender(value)
    if gender is None:
        raise Invalid("性别应为“男”或“女”")
    return gender


def _set_id_number(session: Session, staff: StaffMember, value: str | None, birth: date | None,
                   cipher: FieldCipher) -> None:
    """Validate, encrypt, index and mask an ID number; the birth date follows from it."""
    if not value:
        staff.id_number_enc = staff.id_number_index = None
        staff.id_number_mask = ""
        staff.birth_date = birth
        return
    number = rules.normalise_id_number(value)
    problem, born = rules.id_number_facts(number)
    if problem:
        raise Invalid(problem)
    if birth is not None and birth != born:
        raise Invalid(f"出生日期 {birth.isoformat()} 与身份证号码中的出生日期 {born.isoformat()} 不一致")
    index = cipher.blind_index(number)
    other = repo.staff_id_by_index(session, index)
    if other is not None and other != staff.id:
        raise Conflict("该身份证号码已有网格员档案（一人一档），请查找原档案后修改")
    staff.id_number_enc = cipher.encrypt(number)
    staff.id_number_index = index
    staff.id_number_mask = mask_id_number(number)
    staff.birth_date = born


def _set_phone(staff: StaffMember, value: str | None, cipher: FieldCipher) -> None:
    phone = check_phone(value or "", "手机号")
    staff.phone_enc = cipher.encrypt(phone) if phone else None
    staff.phone_mask = mask_phone(phone) if phone else ""


def snapshot(staff: StaffMember) -> dict:
    """What the audit log keeps of a record: masks only (:mod:`gridgov.kit.masking`), never the plain
    ID number, phone or birth date."""
    return {
        "name": staff.name,
        "gender": staff.gender,
        "id_number": mask_id_number(staff.id_number_mask),
        "phone": mask_phone(staff.phone_mask),
        "work_phone": staff.work_phone,
        "area_code": staff.area_code,
    }


# ---------------------------------------------------------------- records


def new_staff(session: Session, principal: Principal, data: StaffCreate, *, cipher: FieldCipher,
              now: datetime) -> StaffMember:
    """Checks and adds one record without an audit entry (the import and the demo audit in bulk)."""
    check_area(session, principal, data.area_code)
    name = data.name.strip()
    if not name:
        raise Invalid("姓名不能为空")
    if data.birth_date is not None and data.birth_date > today(now):
        raise Invalid("出生日期不能晚于今天")
    staff = StaffMember(name=name, gender=check_gender(data.gender), area_code=data.area_code,
                        work_phone=check_phone(data.work_phone, "工作电话"), created_at=now, updated_at=now)
    _set_id_number(session, staff, data.id_number, data.birth_date, cipher)
    _set_phone(staff, data.phone, cipher)
    session.add(staff)
    session.flush()
    return staff


def create_staff(session: Session, principal: Principal, data: StaffCreate, *, cipher: FieldCipher,
                 now: datetime) -> StaffMember:
    staff = new_staff(session, principal, data, cipher=cipher, now=now)
    record(session, actor=principal, action="staff_created", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, after=snapshot(staff))
    return staff


def update_staff(session: Session, principal: Principal, staff_id: int, data: StaffUpdate, *,
                 cipher: FieldCipher, now: datetime) -> StaffMember:
    staff = access_staff(session, principal, staff_id)
    before = snapshot(staff)
    fields = data.model_fields_set
    if data.name is not None:
        if not data.name.strip():
            raise Invalid("姓名不能为空")
        staff.name = data.name.strip()
    if data.gender is not None:
        staff.gender = check_gender(data.gender)
    if data.area_code is not None:
        check_area(session, principal, data.area_code)
        staff.area_code = data.area_code
    if data.work_phone is not None:
        staff.work_phone = check_phone(data.work_phone, "工作电话")
    if "phone" in fields:
        _set_phone(staff, data.phone, cipher)
    if "id_number" in fields and data.id_number:
        _set_id_number(session, staff, data.id_number, data.birth_date, cipher)
    elif "birth_date" in fields:
        if staff.id_number_index is not None and data.birth_date != staff.birth_date:
            raise Invalid("出生日期以身份证号码为准，不能单独修改")
        staff.birth_date = data.birth_date
    staff.updated_at = now
    session.flush()
    after = snapshot(staff)
    record(session, actor=principal, action="staff_updated", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
    return staff


def list_staff(session: Session, principal: Principal, *, area: str | None, q: str | None, page: int,
               page_size: int, cipher: FieldCipher, grid: str | None = None) -> StaffPage:
    """Readable staff records, masked; ``q`` matches a name, a work phone or (for a principal holding
    ``staff.reveal``) a whole ID number. Without the reveal permission an ID number is not searched:
    a match would confirm a guess and so undo the mask. ``grid``: those on post in that grid (404 like
    a missing grid outside the jurisdiction)."""
    if grid and get_visible(session, principal, Grid, grid) is None:
        raise NotFound(f"网格 {grid} 不存在")
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    prefix = None
    if area:
        if get_visible(session, principal, Area, area, ancestors=True) is None:
            raise NotFound(f"区域 {area} 不存在")
        prefix = code_rules.area_prefix(area)
    q = (q or "").strip() or None
    index = cipher.blind_index(q) if q and len(q) == 18 and may_reveal(principal) else None
    rows, total = repo.list_staff(session, principal, prefix=prefix, q=q, index=index, grid=grid or None,
                                  offset=(page - 1) * page_size, limit=page_size)
    return StaffPage(items=list_items(session, principal, rows), total=total, page=page, page_size=page_size)


def list_items(session: Session, principal: Principal, rows) -> list[StaffListItem]:
    names = {c: a.name for c, a in territory_lookup.get_areas(session, {s.area_code for s in rows}).items()}
    roles: dict[int, list[str]] = {}
    for p in repo.posts_of(session, principal, [s.id for s in rows]):
        if p.status == rules.ACTIVE:
            roles.setdefault(p.staff_id, []).append(rules.role_label(p.role))
    return [_item(s, names.get(s.area_code, ""), roles.get(s.id, [])) for s in rows]


def _item(s: StaffMember, area_name: str, roles: list[str]) -> StaffListItem:
    return StaffListItem(id=s.id, name=s.name, gender=s.gender, id_number_mask=mask_id_number(s.id_number_mask),
                         phone_mask=mask_phone(s.phone_mask), work_phone=s.work_phone, area_code=s.area_code,
                         area_name=area_name, roles=roles)


def post_read(p, staff_name: str = "", scope_name: str = "") -> PostRead:
    return PostRead(id=p.id, staff_id=p.staff_id, staff_name=staff_name, role=p.role, scope_name=scope_name,
                    role_label=rules.role_label(p.role),
                    scope_code=p.scope_code, grid_code=p.grid_code, micro_grid_code=p.micro_grid_code,
                    department_code=p.department_code, start_date=p.start_date, end_date=p.end_date, status=p.status,
                    status_label=rules.POST_STATUS_LABELS.get(p.status, p.status), activated_at=p.activated_at,
                    leader_basis=p.leader_basis,
                    leader_basis_label=rules.leader_basis_label(p.leader_basis) if p.leader_basis else "")


def scope_names(session: Session, posts) -> dict[str, str]:
    """The names of the posts' places, to show beside their codes: a grid's (a micro-grid post's
    grid's too) or an area's."""
    names = {c: a.name for c, a in territory_lookup.get_areas(
        session, {p.scope_code for p in posts if not p.grid_code}).items()}
    for code in {p.grid_code for p in posts if p.grid_code}:
        grid = territory_lookup.get_grid(session, code)
        if grid is not None:
            names[code] = grid.name
    return names


def get_staff_read(session: Session, principal: Principal, staff_id: int) -> StaffRead:
    staff = access_staff(session, principal, staff_id)
    item = list_items(session, principal, [staff])[0]
    posts = repo.posts_of(session, principal, [staff.id])
    names = scope_names(session, posts)
    return StaffRead(
        **item.model_dump(),
        birth_year=birth_year(staff.birth_date),
        has_photo=staff.photo_hash is not None,
        posts=[post_read(p, staff.name, names.get(p.grid_code or p.scope_code, "")) for p in posts],
        trainings=[TrainingRead(id=t.id, kind=t.kind, held_on=t.held_on, passed=t.passed, score=t.score, note=t.note)
                   for t in repo.trainings_of(session, staff.id)],
        exclusions=[ExclusionRead(id=e.id, kind=e.kind, label=rules.exclusion_label(e.kind), evidence=e.evidence,
                                  recorded_at=e.recorded_at, lifted_on=e.lifted_on)
                    for e in repo.exclusions_of(session, staff.id)],
        created_at=staff.created_at,
        updated_at=staff.updated_at,
    )


def reveal(session: Session, principal: Principal, staff_id: int, *, cipher: FieldCipher, now: datetime,
           ip: str = "") -> StaffRevealed:
    """The full ID number and phone of one person; every call leaves a ``staff_revealed`` entry
    (with the masks, so the log says whose data was seen without holding it)."""
    staff = access_staff(session, principal, staff_id)
    record(session, actor=principal, action="staff_revealed", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, detail=f"查看 {staff.name} 的身份证号码与手机号", ip=ip,
           after={"id_number": mask_id_number(staff.id_number_mask), "phone": mask_phone(staff.phone_mask)})
    return StaffRevealed(
        id=staff.id,
        name=staff.name,
        id_number=cipher.decrypt(staff.id_number_enc) if staff.id_number_enc else None,
        phone=cipher.decrypt(staff.phone_enc) if staff.phone_enc else None,
    )


# ---------------------------------------------------------------- training and exclusions


def add_training(session: Session, principal: Principal, staff: StaffMember, data: TrainingCreate, *,
                 now: datetime) -> Training:
    if data.kind not in TRAINING_KINDS:
        raise Invalid(f"培训类别应为：{'、'.join(f'{v}（{k}）' for k, v in TRAINING_KINDS.items())}")
    if data.held_on > today(now):
        raise Invalid("培训日期不能晚于今天（培训结束并考核后再登记）")
    training = Training(staff_id=staff.id, kind=data.kind, held_on=data.held_on, passed=data.passed,
                        score=data.score, note=data.note.strip(), recorded_by=principal.user_id if principal else None,
                        recorded_at=now)
    session.add(training)
    session.flush()
    return training


def record_training(session: Session, principal: Principal, staff_id: int, data: TrainingCreate, *,
                    now: datetime) -> Training:
    """Pre-job training and its assessment (ZJ§27, LZ§21): what lets a pending post start."""
    staff = access_staff(session, principal, staff_id)
    training = add_training(session, principal, staff, data, now=now)
    record(session, actor=principal, action="training_recorded", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, after={"kind": data.kind, "held_on": data.held_on.isoformat(),
                                             "passed": data.passed, "score": data.score})
    return training


def record_exclusion(session: Session, principal: Principal, staff_id: int, data: ExclusionCreate, *,
                     profile, now: datetime) -> StaffExclusion:
    """A circumstance that bars full-time posting (JS§14, QZ§12), kept with its evidence. Only the
    kinds the profile lists may be recorded."""
    staff = access_staff(session, principal, staff_id)
    problem = rules.exclusion_kind_problem(profile.staff, data.kind)
    if problem:
        raise Invalid(problem)
    ex = StaffExclusion(staff_id=staff.id, kind=data.kind, evidence=data.evidence.strip(), lifted_on=data.lifted_on,
                        recorded_by=principal.user_id if principal else None, recorded_at=now)
    session.add(ex)
    session.flush()
    record(session, actor=principal, action="exclusion_recorded", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, detail=rules.exclusion_label(data.kind),
           after={"kind": data.kind, "lifted_on": data.lifted_on.isoformat() if data.lifted_on else None})
    return ex


def lift_exclusion(session: Session, principal: Principal, staff_id: int, exclusion_id: int,
                   data: ExclusionLift, *, now: datetime) -> StaffExclusion:
    """Records the day an exclusion ceased to apply (e.g. a case closed without charge)."""
    staff = access_staff(session, principal, staff_id)
    ex = session.get(StaffExclusion, exclusion_id)
    if ex is None or ex.staff_id != staff.id:
        raise NotFound("该情形记录不存在")
    if ex.lifted_on is not None:
        raise Conflict(f"该情形已于 {ex.lifted_on.isoformat()} 解除")
    before = {"kind": ex.kind, "lifted_on": None}
    ex.lifted_on = data.lifted_on
    record(session, actor=principal, action="exclusion_recorded", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, detail=f"解除：{rules.exclusion_label(ex.kind)}", before=before,
           after={"kind": ex.kind, "lifted_on": data.lifted_on.isoformat()})
    return ex


# ---------------------------------------------------------------- photo


def photo_root(media_root: Path) -> Path:
    return media_root / "staff"


def set_photo(session: Session, principal: Principal, staff_id: int, content: bytes, *, media_root: Path,
              now: datetime) -> StaffMember:
    """Stores a photo through :func:`gridgov.kit.media.store_image` (size checked from the header
    before decoding, decoded once, metadata stripped, kept once by the SHA-256 of what is stored)."""
    staff = access_staff(session, principal, staff_id)
    if not content:
        raise Invalid("请选择照片文件")
    if len(content) > MAX_PHOTO_BYTES:
        raise Invalid(f"照片不能超过 {MAX_PHOTO_BYTES // 1024 // 1024} MB")
    digest = store_image(photo_root(media_root), content, label="照片").sha256
    before = staff.photo_hash
    staff.photo_hash = digest
    staff.updated_at = now
    record(session, actor=principal, action="staff_updated", now=now, object_type="staff", object_id=staff.id,
           area_code=staff.area_code, before={"photo": before}, after={"photo": digest})
    return staff


def photo_of(session: Session, principal: Principal, staff_id: int, *, media_root: Path) -> tuple[Path, str]:
    staff = access_staff(session, principal, staff_id)
    stored = image_path(photo_root(media_root), staff.photo_hash) if staff.photo_hash else None
    if stored is None:
        raise NotFound("没有照片")
    return stored
