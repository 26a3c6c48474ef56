"""Use cases of the closed loop: intake, reading a case and its file, and verifying files.

Actions on a case live in :mod:`.actions` (who may take them: :mod:`.actors`); both write the file
through :func:`log_action`, so every change of a case leaves one hash-chained entry. Services take
``now`` and never commit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, covers, get_visible, scoped
from gridgov.cases import casetypes, clocks, facts_store
from gridgov.cases import file as case_file
from gridgov.cases import repository as repo
from gridgov.cases.actors import actions_for
from gridgov.cases.categories import (  # noqa: F401  (the pages, the API and instructions use them from here)
    category_choices,
    category_names,
    check_category,
    choices_text,
    matter_of_type,
)
from gridgov.cases.deadlines import ClockKind
from gridgov.cases.limits import limits_for
from gridgov.cases.schemas import (
    FOLLOW_UP_SOURCES,
    WORKER_SOURCES,
    CaseCreate,
    CaseListItem,
    CaseRead,
    LogEntryRead,
)
from gridgov.cases.search import CaseFilter
from gridgov.cases.workflow import PUBLIC_ROLE, STATE_LABELS, CaseState
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.geo.crs import to_wgs84
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import normalise_phone, phone_problem
from gridgov.kit.masking import mask_phone
from gridgov.kit.media import StoredImage, image_path, store_image
from gridgov.kit.pagination import Page
from gridgov.models import (
    Case,
    CaseClock,
    CaseLogEntry,
    CasePhoto,
)
from gridgov.models.accounts import AGENCY_ROLES, GRID_WORKER_ROLES, HANDOVER_CLIENT_ROLES
from gridgov.models.registry import Address
from gridgov.models.territory import GridStatus
from gridgov.notify import events as outbox
from gridgov.notify import notice_params
from gridgov.territory import dedicated, rules
from gridgov.territory.service import get_locator

NOT_FOUND = "事件 {} 不存在"


# ---------------------------------------------------------------------------------------------
# Reading


def access_case(session: Session, principal: Principal, case_no: str, *, for_update: bool = False) -> Case:
    """The case if the principal may see it; 404 with the same message as a missing one."""
    case = repo.get_case(session, principal, case_no, for_update=for_update)
    if case is None:
        raise NotFound(NOT_FOUND.format(case_no))
    return case


def _list_fields(case: Case, clock_rows, now: datetime, types: casetypes.CaseTypes | None = None) -> dict[str, Any]:
    kind = types.get(case.type_code) if types else None
    return {
        "case_no": case.case_no, "title": case.title, "state": case.state,
        "state_label": STATE_LABELS[CaseState(case.state)], "category": case.category,
        "type": case.type_code, "type_name": kind.name if kind else None, "urgency": case.urgency,
        "source": case.source, "grid_code": case.grid_code, "created_at": case.created_at,
        "worst_clock": clocks.worst(clock_rows, now),
    }


def list_item(case: Case, clock_rows, now: datetime, types: casetypes.CaseTypes | None = None) -> CaseListItem:
    return CaseListItem(**_list_fields(case, clock_rows, now, types))


def list_cases(session: Session, principal: Principal, *, now: datetime, found: CaseFilter | None = None,
               page: int = 1, page_size: int = 50, case_types: casetypes.CaseTypes | None = None) -> Page[CaseListItem]:
    """One page of the visible cases matching ``found`` (:mod:`.search`), with the total."""
    rows, total = repo.list_cases(session, principal, found=found, offset=(page - 1) * page_size, limit=page_size,
                                  overdue_at=now if found is not None and found.overdue is not None else None)
    by_case = repo.clocks_of(session, [c.id for c in rows])
    items = [list_item(c, by_case[c.id], now, case_types) for c in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class NewCase:
    """A case just registered, with what was written beside it, so answering needs no read. The
    case and its clock are the rows as written (:data:`.repository.NewRow`), not ORM objects."""

    case: repo.NewRow
    clocks: list[repo.NewRow]
    photos: list[str]
    limits: Any


def case_read(session: Session, principal: Principal, case: Case, *, now: datetime, profile,
              clock_rows: list[CaseClock] | None = None, photos: list[str] | None = None, limits=None,
              depts=None, case_types: casetypes.CaseTypes | None = None,
              merged_from: list[str] | None = None) -> CaseRead:
    """The case in JSON; ``clock_rows``, ``photos``, ``limits``, ``depts`` and ``merged_from`` the caller has
    are not read again. ``case_types``: the types in use (the app's, GRIDGOV_CASE_TYPES), else the shipped ones."""
    types = case_types or casetypes.load(None, profile)
    kind = types.get(case.type_code)
    if depts is None:
        # Departments come only with a dispatch, which always names a lead: no lead, no query.
        depts = repo.departments_of(session, case.id) if case.lead_department_code else []
    lead = next(({"code": d.code, "name": d.name} for cd, d in depts if cd.part == "lead"), None)
    assisting = [{"code": d.code, "name": d.name} for cd, d in depts if cd.part == "assisting"]
    departments: dict[str, Any] = {"lead": lead, "assisting": assisting}
    if profile.cases.emergency_to_department:  # an urgent case also went to its competent department (LZ§16)
        sent = repo.alerted_departments(session, case.id) if case.urgency != "normal" and case.log_length > 1 else []
        departments["emergency"] = [{"code": d.code, "name": d.name, "acknowledged_at": c.ended_at} for c, d in sent]
    if clock_rows is None:
        clock_rows = repo.clocks_of(session, [case.id])[case.id]
    if photos is None:
        photos = [p.sha256 for p in repo.photos_of(session, case.id)]
    return CaseRead(
        **_list_fields(case, clock_rows, now, types), type_department_kind=kind.department_kind if kind else None,
        description=case.description, discovered_at=case.discovered_at, lon=case.lon, lat=case.lat,
        address=case.address, handling_level=case.handling_level, handling_area_code=case.handling_area_code,
        departments=departments, clocks=clocks.summary(clock_rows, now),
        reporter_name=case.reporter_name, reporter_phone=mask_phone(case.reporter_phone_mask),
        evaluation=case.evaluation, result=case.result, extensions_used=case.extensions_used,
        extension_request_days=case.extension_request_days, rework_count=case.rework_count,
        photos=photos, merged_into=repo.case_no_by_id(session, getattr(case, "merged_into_id", None)),
        merged_from=merged_from if merged_from is not None
        else repo.merged_from(session, principal, case.id) if principal else [],
        available_actions=[str(a) for a in actions_for(session, principal, case, now=now, profile=profile, depts=depts,
                                                       limits=limits)]
        if principal else [],
        address_id=getattr(case, "address_id", None), address_text=_address_text(session, case),
    )


def _address_text(session: Session, case) -> str | None:
    """The canonical text of the standard address a case names: part of the case for whoever sees it."""
    address = get_visible(session, SYSTEM, Address, getattr(case, "address_id", None))
    return address.canonical if address is not None else None


def new_case_read(session: Session, principal: Principal, new: NewCase, *, now: datetime, profile,
                  case_types: casetypes.CaseTypes | None = None) -> CaseRead:
    """A case just registered, in JSON, from what intake wrote."""
    return case_read(session, principal, new.case, now=now, profile=profile, clock_rows=new.clocks,
                     photos=new.photos, limits=new.limits, case_types=case_types, merged_from=[])


def case_log(session: Session, principal: Principal, case_no: str) -> list[LogEntryRead]:
    case = access_case(session, principal, case_no)
    return [
        LogEntryRead(seq=e.seq, action=e.action, actor=e.actor, role=e.role, at=e.at, from_state=e.from_state,
                     to_state=e.to_state, note=e.note, data=e.data, attachments=e.attachments or [],
                     prev_hash=e.prev_hash, hash=e.hash)
        for e in repo.log_of(session, case.id)
    ]


# ---------------------------------------------------------------------------------------------
# The file


def file_entry(case: Case, principal: Principal | None, action: str, *, now: datetime, from_state: str,
               to_state: str, note: str = "", data: dict[str, Any] | None = None,
               attachments: list[str] | None = None, make=CaseLogEntry) -> CaseLogEntry:
    """The case's next file entry, chained to the previous one by hash; the case's chain length and
    head move with it. Not yet added to the session (see :func:`log_action`). ``make``: what
    builds it from its columns (intake writes a plain row, see :data:`.repository.NewRow`)."""
    fields = {
        "case_no": case.case_no, "seq": case.log_length + 1, "action": action,
        "actor_id": principal.user_id if principal else None,
        "actor": principal.username if principal else "system", "role": principal.role if principal else "system",
        "at": now, "from_state": from_state, "to_state": to_state, "note": note, "data": data or None,
        "attachments": list(attachments or []) or None,
    }
    prev = case.log_head or case_file.GENESIS
    digest = case_file.entry_hash(prev, fields)
    case.log_length += 1
    case.log_head = digest
    return make(case_id=case.id, prev_hash=prev, hash=digest, **{k: v for k, v in fields.items() if k != "case_no"})


def log_action(session: Session, case: Case, principal: Principal | None, action: str, **kwargs: Any) -> CaseLogEntry:
    """Appends one entry to the case's file (THE way every change of a case is recorded) and its
    event to the outbox clients' webhooks are fed from, in the same transaction."""
    entry = file_entry(case, principal, action, **kwargs)
    session.add(entry)
    outbox.record(session, case, entry)
    return entry


@contextmanager
def busy_is_conflict() -> Iterator[None]:
    """Someone else acting on the case at the same moment is a 409, never a 500: the version
    counter moved (StaleDataError) or SQLite's write lock was taken."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict("该事件刚被他人处理，请刷新后重试") from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise Conflict("该事件正被他人处理，请稍后重试") from exc
        raise


def file_problems(session: Session, case: Case) -> list[str]:
    """Recomputes the case's whole chain: what is wrong with its file (nothing: intact)."""
    entries = repo.log_of(session, case.id)
    problems = case_file.verify_chain(entries, case_no=case.case_no, head=case.log_head)
    if problems or len(entries) != case.log_length:
        return [p.message for p in problems] or ["档案条数与登记的不符"]
    return []


def verify_files(session: Session, case_no: str | None = None) -> dict[str, list[str]]:
    """Recomputes the chains (one case, or all): {case_no: problems} for every altered file."""
    stmt = select(Case).order_by(Case.id)
    if case_no:
        stmt = stmt.where(Case.case_no == case_no)
    broken: dict[str, list[str]] = {}
    for case in session.scalars(stmt):
        if problems := file_problems(session, case):
            broken[case.case_no] = problems
    if case_no and not session.scalar(select(Case.id).where(Case.case_no == case_no)):
        raise NotFound(NOT_FOUND.format(case_no))
    return broken


class FileCheck(NamedTuple):
    problems: list[str]
    checked_at: datetime


_CHECKED: OrderedDict[tuple[int, str, int], FileCheck] = OrderedDict()
_CHECKED_MAX = 4096


def checked_file(session: Session, case: Case, *, now: datetime, again: bool = False) -> FileCheck:
    """The state of the case's file for its page, without recomputing the whole chain on every view:
    the check is kept per chain head (the case's last hash and length), so it runs again when the
    file grows, or when asked (``again``: the page's 重新核验). An entry changed behind the
    application's back without moving the head shows on the next check asked for; ``gridgov cases
    verify-log`` is the full check of every file. The case must have been opened through the door."""
    key = (case.id, case.log_head, case.log_length)
    found = None if again else _CHECKED.get(key)
    if found is None:
        found = FileCheck(file_problems(session, case), now)
        _CHECKED[key] = found
        while len(_CHECKED) > _CHECKED_MAX:
            _CHECKED.popitem(last=False)
    return found


# ---------------------------------------------------------------------------------------------
# Intake


class _Grid(NamedTuple):
    code: str
    area_code: str
    status: str


def _grid_for(session: Session, principal: Principal, data: CaseCreate) -> tuple[Any, list[float] | None]:
    """The grid of the case: located from the point (within the principal's grids), or named; and
    the point in WGS84 (what is stored, whatever system the phone gave it in). Outside the
    principal's grids reads like no grid at all (see territory.service.locate)."""
    point = None
    if data.lon is not None and data.lat is not None:
        try:
            point = [float(v) for v in to_wgs84(data.lon, data.lat, data.crs)]
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        code = get_locator(session).locate(point[0], point[1])
        if code is None or not covers(principal, code):
            where = "任何在用" if principal.system else "你辖区内的"
            raise Invalid(f"该位置不在{where}网格内，请核对位置或改填网格编码和地址")
        if data.grid_code and data.grid_code != code:
            raise Invalid(f"坐标位于网格 {code}，与填写的网格编码 {data.grid_code} 不一致")
        # The locator holds the grids active at the version this transaction just read, and a
        # grid's village is the start of its code: nothing more to read.
        return _Grid(code, rules.grid_village_code(code), GridStatus.ACTIVE), point
    code = data.grid_code
    grid = repo.intake_grid(session, code)
    if grid is None or grid.status != GridStatus.ACTIVE or not covers(principal, code):
        raise Invalid(f"网格 {code} 不存在或不在你的辖区内")
    return grid, point


def _check_instruction(session: Session, instruction_id: int, grid_code: str) -> None:
    """A case may name an instruction only if it was sent to this case's grid and not yet used."""
    inst = repo.intake_instruction(session, instruction_id)
    if inst is None or inst.grid_code != grid_code or inst.status not in ("sent", "completed"):
        raise Invalid(f"交办事项 {instruction_id} 不存在、不属于该网格或尚未交办")
    if used := repo.case_of_instruction(session, instruction_id):
        raise Conflict(f"该交办事项已登记为事件 {used}")


def _reporting_area(profile, grid) -> str:
    """The agency a worker reports to: the town, or the village where the profile says so (LZ§16)."""
    village = grid.area_code
    if profile.cases.report_to == "village":
        return village
    return rules.parent_area_code(village)


UNCLASSIFIED = ""  # the matter (Case.category) of a case registered without a type, until it is classified


def create_case(session: Session, principal: Principal, data: CaseCreate, *, now: datetime, profile,
                cipher: FieldCipher, media_root: Path, case_types: casetypes.CaseTypes | None = None,
                unclassified: bool = False) -> NewCase:
    """Registers a case where the locator (or the named grid) puts it, numbered, clocked and filed.

    A worker's own patrol or visit starts ``verified``; what residents, the hotline, units or an
    instruction bring starts ``reported`` and the grid's workers are told to verify it.

    Intake is the busiest write there is; where its speed comes from (bench/intake.py has the
    figures): the route runs and commits in one trip to the thread pool, looking the user up there
    (``authz.admit``, the route's one dependency in :mod:`.api`); the number and the matter in force
    come in one round trip (:func:`repo.number_and_matter`); the rows are built outside the unit of
    work and written by statements compiled once (:func:`repo.insert_new_case`: :mod:`.intake_rows`
    and ``db.Prebuilt``), and come back to the caller as written, so answering reads nothing.

    ``unclassified``: a hotline call whose category maps to no type (interop/hotline.py) is registered with
    no type nor matter (the profile's limits); the agency gives it both with the ``classify`` action."""
    worker = _may_register(principal, data)
    phone = _reporter_phone(data)
    discovered = _discovered_at(data, now)
    grid, point = _grid_for(session, principal, data)
    if data.address_id is not None and get_visible(session, principal, Address, data.address_id) is None:
        raise Invalid(f"标准地址（编号 {data.address_id}）不存在或不在你的辖区内")
    photos = known_photos(media_root, data.photos)
    if unclassified:
        kind, category = None, UNCLASSIFIED
    else:
        kind = (case_types or casetypes.load(None, profile)).subtype(data.type) if data.type else None
        category = data.category or matter_of_type(session, grid.code, kind, now, profile)
    case_no, matter = _number_and_matter(session, grid, category, now, profile)
    if data.instruction_id is not None:
        _check_instruction(session, data.instruction_id, grid.code)
    case = _case_row(principal, data, case_no, grid, point, discovered, phone, cipher, profile, worker, now)
    case.category, case.type_code = category, kind.code if kind else None
    logged = {"source": data.source, "grid": grid.code, "category": category, "urgency": case.urgency}
    if kind is not None:
        logged["type"] = kind.code
    first = file_entry(case, principal, "create", now=now, from_state="", to_state=case.state,
                       note=data.description[:200], attachments=list(photos), make=repo.NewRow, data=logged)
    limits = _limits_of_new_case(session, case, matter, profile)
    # The report clock runs in calendar hours: it needs no working-day calendar.
    clock = clocks.first_clock(ClockKind.REPORT, discovered, limits, None, case.urgency, make=repo.NewRow)
    notice = notice_params(kind="case_to_verify", message=f"请核实事件 {case.case_no}：{case.title}",
                           dedupe_prefix=f"{case.case_no}:reported:", link=f"/cases/{case.case_no}", now=now)
    repo.insert_new_case(session, case, first, clock, tell_grid=None if worker else grid.code, notice=notice)
    facts_store.save_new(session, case, first, clock, now)
    dedicated.tell_competent_department(session, profile, grid.code, case_id=case.id, case_no=case.case_no,
                                        title=case.title, now=now)  # QZ§5 dual management
    add_photos(session, case, photos, "report", case.created_by, now)
    return NewCase(case, [clock], list(photos), limits)


def _may_register(principal: Principal, data: CaseCreate) -> bool:
    """Whether the principal registers as a grid worker; 403 or 422 if it may not register this case
    (who may register, and which sources are whose)."""
    if principal.role == PUBLIC_ROLE:  # a resident through the public channel (gridgov.public.report)
        if data.source != "resident" or data.instruction_id is not None or data.next_action is not None:
            raise Invalid("居民只能以“群众反映”登记事件")
        return False
    if not principal.system and principal.role not in GRID_WORKER_ROLES | AGENCY_ROLES | HANDOVER_CLIENT_ROLES:
        raise Forbidden("只有网格员和网格化机构可以上报事件")
    worker = bool(principal) and principal.role in GRID_WORKER_ROLES
    linked = (data.source == "instruction" and data.instruction_id is not None) or data.source in FOLLOW_UP_SOURCES
    if worker and data.source not in WORKER_SOURCES and not linked:
        raise Invalid("网格员登记的事件来源只能是巡查、走访或机构交办")
    if not worker and data.source in WORKER_SOURCES:
        raise Invalid("巡查、走访发现的事件由网格员登记")
    if data.source == "instruction" and data.instruction_id is None:
        raise Invalid("来源为机构交办的事项须注明交办事项编号")
    return worker


def _reporter_phone(data: CaseCreate) -> str:
    phone = normalise_phone(data.reporter_phone)
    if phone and (problem := phone_problem(phone)):
        raise Invalid(f"反映人电话{problem}")
    return phone


def _discovered_at(data: CaseCreate, now: datetime) -> datetime:
    discovered = data.discovered_at or now
    if discovered > now:
        raise Invalid("发现时间不能晚于现在")
    return discovered


def _number_and_matter(session: Session, grid, category: str, now: datetime, profile):
    """The case's number and the matter it names (None while the profile's categories stand in for a
    list), 422 if it may not be named there. The number and the matter in force come in one round
    trip; a refusal after this rolls the number back with everything else."""
    day = local(now).date()
    county = rules.parent_area_code(rules.parent_area_code(grid.area_code))  # village → town → county
    case_no, found = repo.number_and_matter(session, county, now, grid.code, category, day)
    if category == UNCLASSIFIED:
        return case_no, None
    return case_no, check_category(session, grid.code, category, day, profile, found=found)


def _limits_of_new_case(session: Session, case, matter, profile):
    """The matter named (found in force) carries the case's own limits; the profile's categories have none."""
    if matter is not None:
        return limits_for(profile.cases.limits, matter.limits)
    return clocks.limits_of_case(session, case.category, profile)


def _case_row(principal: Principal, data: CaseCreate, case_no: str, grid, point, discovered: datetime, phone: str,
              cipher: FieldCipher, profile, worker: bool, now: datetime):
    """The new case's row, as :func:`repo.insert_new_case` writes it."""
    village = grid.area_code
    town = rules.parent_area_code(village)
    handling_area = _reporting_area(profile, grid)
    state = CaseState.VERIFIED if worker else CaseState.REPORTED
    return repo.NewRow(
        id=None, case_no=case_no, title=data.title, description=data.description,
        category=data.category, type_code=None, urgency=str(data.urgency), source=data.source, state=str(state),
        discovered_at=discovered, lon=point[0] if point else None, lat=point[1] if point else None,
        address=data.address, grid_code=grid.code,
        town_code=town, county_code=rules.parent_area_code(town), handling_level=str(rules.area_level(handling_area)),
        handling_area_code=handling_area, lead_department_code=None, reporter_name=data.reporter_name,
        reporter_phone_enc=cipher.encrypt(phone) if phone else None,
        reporter_phone_mask=mask_phone(phone) if phone else "",
        reporter_user_id=principal.user_id if principal else None, instruction_id=data.instruction_id,
        extension_request_days=None, evaluation=None, result="", closed_at=None,
        created_by=principal.user_id if principal else None, created_at=now, updated_at=now,
        version=1, log_length=0, log_head="", extensions_used=0, rework_count=0, merged_into_id=None,
        address_id=data.address_id, person_id=None,
    )


def photo_for(session: Session, principal: Principal, sha256: str) -> str:
    """A photo may be seen by whoever may see a case it belongs to; 404 otherwise."""
    stmt = scoped(select(CasePhoto.sha256).join(Case, Case.id == CasePhoto.case_id), principal, Case)
    found = session.scalar(stmt.where(CasePhoto.sha256 == sha256).limit(1))
    if found is None:
        raise NotFound("照片不存在")
    return found


def photo_root(media_root: Path) -> Path:
    return media_root / "cases"


def upload_photo(media_root: Path, data: bytes) -> StoredImage:
    """Stores one photo (GPS stripped, thumbnail made) before the case or action that names it."""
    return store_image(photo_root(media_root), data, label="照片")


def known_photos(media_root: Path, hashes: list[str]) -> dict[str, tuple[str, int]]:
    """The photos named by hash, which must have been uploaded first: {sha256: (type, size)}."""
    found: dict[str, tuple[str, int]] = {}
    for digest in hashes:
        stored = image_path(photo_root(media_root), digest)
        if stored is None:
            raise Invalid(f"照片 {digest[:12]}… 未上传，请先上传照片")
        found[digest] = (stored[1], stored[0].stat().st_size)
    return found


def add_photos(session: Session, case: Case, photos: dict[str, tuple[str, int]], stage: str, user_id, now) -> None:
    for digest, (content_type, size) in photos.items():
        session.add(CasePhoto(case_id=case.id, sha256=digest, content_type=content_type, size=size,
                              stage=stage, uploaded_by=user_id, uploaded_at=now))


def count_cases(session: Session) -> int:
    """How many cases there are (the system's count, for ``gridgov cases verify-log --all``)."""
    return repo.count_cases(session)
