"""Visits and patrols (走访/巡查, E6): recording one, listing them, and turning a need found on a
visit into a case (事件) in one step. The rules are stated in :mod:`.care`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.cases import report as case_report
from gridgov.cases import service as case_service
from gridgov.cases.schemas import CaseCreate
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.geo.crs import to_wgs84
from gridgov.kit.clock import local
from gridgov.models.registry import Visit
from gridgov.registry import care_repository as repo
from gridgov.registry import tags as rules
from gridgov.registry.care_schemas import VisitCaseCreate, VisitCaseRead, VisitCreate, VisitPage, VisitRead
from gridgov.territory.service import get_locator

VISIT_NOT_FOUND = "走访记录不存在"
FUTURE_SLACK = timedelta(minutes=5)
GRID_CODE_LEN = 15


def _target_scope(session: Session, principal: Principal, data: VisitCreate, point) -> tuple[str, int | None]:
    """The scope of the visit (its target's, else the grid its point lies in) and the house whose
    occupants it clears (the person's house, or the house visited)."""
    scope = None
    clears_house = None
    if data.person_id:
        person = repo.person(session, principal, data.person_id)
        if person is None:
            raise NotFound("人员不存在")
        scope = person.scope_code
    if data.house_id:
        house = repo.house(session, principal, data.house_id)
        if house is None:
            raise NotFound("房屋不存在")
        scope = scope or house.scope_code
        clears_house = house.id
    if data.unit_id:
        unit = repo.unit(session, principal, data.unit_id)
        if unit is None:
            raise NotFound("单位不存在")
        scope = scope or unit.scope_code
    if scope is None:
        code = get_locator(session).locate(point[0], point[1])
        if code is None or not covers(principal, code):
            raise Invalid("该位置不在你辖区内的网格中，请核对位置")
        scope = code
    return scope, clears_house


def record_visit(session: Session, principal: Principal, data: VisitCreate, *, profile, cipher, media_root: Path,
                 now: datetime) -> VisitRead:
    """Records a visit or patrol. A visit to a person (or to a household: each person living there)
    moves the due date of their current tags to the visit's day + each tag's frequency."""
    point = None
    if data.lon is not None and data.lat is not None:
        try:
            point = [float(v) for v in to_wgs84(data.lon, data.lat, data.crs)]
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
    visited_at = data.visited_at or now
    if visited_at > now + FUTURE_SLACK:
        raise Invalid("走访时间不能晚于现在")
    scope, clears_house = _target_scope(session, principal, data, point)
    case_service.known_photos(media_root, data.photos)
    visit = Visit(kind=data.kind, person_id=data.person_id, house_id=data.house_id, unit_id=data.unit_id,
                  visited_at=visited_at, lon=point[0] if point else None, lat=point[1] if point else None,
                  note=data.note, needs=data.needs, services=data.services, photos=list(data.photos),
                  user_id=principal.user_id or None, scope_code=scope, source="manual", created_at=now)
    session.add(visit)
    person_ids = {data.person_id} if data.person_id else set()
    if clears_house:
        person_ids |= {p.id for p in repo.people_of_house(session, principal, clears_house)}
    _clear_due(session, principal, person_ids, local(visited_at).date(), profile=profile, cipher=cipher)
    session.flush()
    return visit_reads(session, principal, [visit])[0]


def _clear_due(session: Session, principal: Principal, person_ids: set[int], day, *, profile, cipher) -> None:
    table = {rules.tag_index(cipher, t.code): t for t in rules.tag_table(profile).values()}
    for row in repo.active_tags(session, principal, sorted(person_ids)):
        tag = table.get(row.tag_index)
        if tag is not None:
            row.visit_due_on = rules.due_after_visit(row.visit_due_on, day, tag)


def visit_reads(session: Session, principal: Principal, visits: list[Visit]) -> list[VisitRead]:
    names = repo.names_of(session, principal, {v.person_id for v in visits if v.person_id})
    addresses = repo.canonical_of_houses(session, principal, {v.house_id for v in visits if v.house_id})
    units = repo.unit_names(session, principal, {v.unit_id for v in visits if v.unit_id})
    cases = repo.case_numbers(session, principal, {v.case_id for v in visits if v.case_id})
    users = repo.usernames(session, principal, {v.user_id for v in visits if v.user_id})
    return [VisitRead(id=v.id, kind=v.kind, person_id=v.person_id, person_name=names.get(v.person_id),
                      house_id=v.house_id, address=addresses.get(v.house_id), unit_id=v.unit_id,
                      unit_name=units.get(v.unit_id), visited_at=local(v.visited_at), lon=v.lon, lat=v.lat,
                      note=v.note, needs=v.needs, services=v.services, photos=list(v.photos or []),
                      case_no=cases.get(v.case_id), scope_code=v.scope_code, recorded_by=users.get(v.user_id))
            for v in visits]


def _prefix(principal: Principal, grid: str | None) -> str | None:
    if not grid:
        return None
    if not grid.isdigit() or len(grid) not in (12, 15, 17) or not covers(principal, grid):
        raise NotFound(f"网格 {grid} 不存在或不在你的辖区内")
    return grid


def list_visits(session: Session, principal: Principal, *, grid: str | None, person_id: int | None,
                house_id: int | None, unit_id: int | None, page: int, page_size: int) -> VisitPage:
    rows, total = repo.list_visits(session, principal, prefix=_prefix(principal, grid), person_id=person_id,
                                   house_id=house_id, unit_id=unit_id, offset=(page - 1) * page_size,
                                   limit=page_size)
    return VisitPage(items=visit_reads(session, principal, rows), total=total, page=page, page_size=page_size)


def get_visit(session: Session, principal: Principal, visit_id: int) -> VisitRead:
    found = repo.visit(session, principal, visit_id)
    if found is None:
        raise NotFound(VISIT_NOT_FOUND)
    return visit_reads(session, principal, [found])[0]


def visit_photo(session: Session, principal: Principal, sha256: str) -> str:
    """The photo's hash if a visit the principal sees carries it (else 404, like a missing one)."""
    if not repo.visit_with_photo(session, principal, sha256):
        raise NotFound("照片不存在")
    return sha256


def _case_place(session: Session, principal: Principal, visit: Visit) -> tuple[str | None, str, int | None]:
    """The case's grid, address text and address id, from what the visit went to."""
    address = None
    if visit.house_id:
        address = repo.address_of_house(session, principal, visit.house_id)
    elif visit.person_id:
        person = repo.person(session, principal, visit.person_id)
        address = repo.address_of_house(session, principal, person.house_id) if person else None
    elif visit.unit_id:
        unit = repo.unit(session, principal, visit.unit_id)
        address = repo.address(session, principal, unit.address_id) if unit else None
    grid = visit.scope_code[:GRID_CODE_LEN] if len(visit.scope_code) >= GRID_CODE_LEN else None
    if address is not None and address.grid_code:
        grid = address.grid_code
    text = address.canonical if address is not None else "走访地点"
    return grid, text, address.id if address is not None else None


def visit_to_case(session: Session, principal: Principal, visit_id: int, data: VisitCaseCreate, *, profile, cipher,
                  media_root: Path, now: datetime, case_types=None) -> VisitCaseRead:
    """Registers the need found on a visit as a case (source 走访) through the cases' report path, and
    links the visit to it. The case carries the visit's grid, address, text and photos; never the tag,
    never the person."""
    visit = repo.visit(session, principal, visit_id, for_update=True)
    if visit is None:
        raise NotFound(VISIT_NOT_FOUND)
    if visit.case_id is not None:
        made_before = repo.case_numbers(session, principal, {visit.case_id}).get(visit.case_id, "")
        raise Conflict(f"该走访发现的需求已转为事件 {made_before}".rstrip())
    description = data.description or visit.needs
    if not description:
        raise Invalid("该走访没有记录发现的需求，请填写描述")
    grid, address_text, _address_id = _case_place(session, principal, visit)
    point = {"lon": visit.lon, "lat": visit.lat} if grid is None and visit.lon is not None else {}
    if grid is None and not point:
        raise Invalid("该走访没有位置，无法转为事件")
    create = CaseCreate(title=data.title, description=description, category=data.category, type=data.type,
                        urgency=data.urgency, source="visit", discovered_at=visit.visited_at, grid_code=grid,
                        address=address_text, photos=list(visit.photos or []), **point)
    made = case_report.report_case(session, principal, create, now=now, profile=profile, cipher=cipher,
                                   media_root=media_root, case_types=case_types)
    visit.case_id = case_service.access_case(session, principal, made.case_no).id
    record(session, actor=principal, action="registry_visit_case", now=now, object_type="visit", object_id=visit.id,
           area_code=visit.scope_code[:12], detail=made.case_no)
    return VisitCaseRead(visit_id=visit.id, case_no=made.case_no)
