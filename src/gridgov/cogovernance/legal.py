"""Legal professionals in the grids (法律进网格, issue 18: ZJ§23, JS§22, QZ§17): the register the agency
keeps (``cogovernance.manage``), their schedules in grids and towns, their visits (each a line of the
activity ledger), and what a professional's own account sees (``cogovernance.take_part``: its record,
schedules, visits and the cases referred to it, nothing else).

Referring a case (``refer_legal``) and answering it (``legal_opinion``) are actions of the case
lifecycle (:mod:`gridgov.cases.legal`); the grid's public board shows the professionals serving it
(:mod:`gridgov.public.service`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from gridgov.areas import CodeError, area_level, grid_village_code
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record as audit
from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible
from gridgov.cases.legal import places_of_grid
from gridgov.cogovernance import ledger
from gridgov.cogovernance import legal_repository as repo
from gridgov.cogovernance.legal_rules import phone_problem, schedule_problems, services_problem
from gridgov.cogovernance.legal_schemas import (
    MyVisitIn,
    ProfessionalIn,
    ProfessionalPatch,
    ProfessionalRead,
    ReferralRead,
    ScheduleIn,
    ScheduleRead,
    VisitIn,
    VisitRead,
)
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.pagination import Page
from gridgov.kit.recurrence import describe, next_dates
from gridgov.models import User
from gridgov.models.accounts import Role
from gridgov.models.cogovernance import ActivityKind
from gridgov.models.legal import (
    LEGAL_KIND_LABELS,
    LEGAL_SERVICE_LABELS,
    LegalKind,
    LegalProfessional,
    LegalSchedule,
    LegalVisit,
    ScheduleRule,
)
from gridgov.models.territory import AreaLevel
from gridgov.territory.service import access_area, access_grid

register_labels({
    "legal_professional_created": "登记法律服务人员",
    "legal_professional_updated": "修改法律服务人员",
    "legal_schedule_added": "新增进网格安排",
    "legal_visit_recorded": "记录法律服务进网格",
})

NOT_FOUND = "法律服务人员 {} 不存在"
NOT_LINKED = "你的账号未关联法律服务人员登记，请联系网格化机构"
REF_TYPE = "legal_visit"


# ---------------------------------------------------------------- reads


def professional_read(p: LegalProfessional) -> ProfessionalRead:
    return ProfessionalRead(id=p.id, name=p.name, kind=p.kind, kind_label=LEGAL_KIND_LABELS.get(p.kind, p.kind),
                            institution=p.institution, title=p.title, public_phone=p.public_phone,
                            area_code=p.area_code, user_id=p.user_id, active=p.active)


def schedule_dates(s: LegalSchedule) -> list[date]:
    return [date.fromisoformat(d) for d in s.dates.split(",") if d]


def schedule_read(s: LegalSchedule, today: date, count: int = 2) -> ScheduleRead:
    dates = schedule_dates(s)
    return ScheduleRead(id=s.id, professional_id=s.professional_id, area_code=s.area_code, rule=s.rule,
                        weekday=s.weekday, nth=s.nth, dates=dates, hours=s.hours, place=s.place,
                        valid_from=s.valid_from, valid_to=s.valid_to,
                        description=describe(s.rule, weekday=s.weekday, nth=s.nth, dates=dates),
                        next_dates=next_dates(s.rule, today=today, count=count, valid_from=s.valid_from,
                                              valid_to=s.valid_to, weekday=s.weekday, nth=s.nth, dates=dates))


def visit_read(v: LegalVisit, name: str) -> VisitRead:
    services = [s for s in v.services.split(",") if s]
    return VisitRead(id=v.id, professional_id=v.professional_id, professional_name=name, grid_code=v.grid_code,
                     visited_on=v.visited_on, services=services,
                     service_labels=[LEGAL_SERVICE_LABELS.get(s, s) for s in services],
                     people_served=v.people_served, notes=v.notes)


def list_professionals(session: Session, me: Principal) -> list[ProfessionalRead]:
    return [professional_read(p) for p in repo.professionals(session, me)]


def _professional(session: Session, me: Principal, pid: int, *, own_register: bool) -> LegalProfessional:
    found = repo.professional(session, me, pid, own_register=own_register, for_update=own_register)
    if found is None:
        raise NotFound(NOT_FOUND.format(pid))
    return found


def list_schedules(session: Session, me: Principal, pid: int, *, now: datetime) -> list[ScheduleRead]:
    _professional(session, me, pid, own_register=False)
    today = local(now).date()
    return [schedule_read(s, today) for s in repo.schedules(session, me, pid)]


def register_view(session: Session, me: Principal, *,
                  now: datetime) -> list[tuple[ProfessionalRead, list[ScheduleRead]]]:
    """The register page: each professional with its schedules (and their next dates)."""
    found = repo.professionals(session, me)
    today = local(now).date()
    by_pro: dict[int, list[ScheduleRead]] = {p.id: [] for p in found}
    for s in repo.schedules_of(session, me, list(by_pro)):
        by_pro[s.professional_id].append(schedule_read(s, today))
    return [(professional_read(p), by_pro[p.id]) for p in found]


# ---------------------------------------------------------------- the register (cogovernance.manage)


def _check_fields(kind: str | None, phone: str | None) -> None:
    problems = []
    if kind is not None and kind not in LEGAL_KIND_LABELS:
        problems.append("类别应为：" + "、".join(f"{k}（{v}）" for k, v in LEGAL_KIND_LABELS.items()))
    if phone is not None and (found := phone_problem(phone.strip())):
        problems.append(found)
    if problems:
        raise Invalid("；".join(problems), details=[{"field": "", "error": p} for p in problems])


def _check_account(session: Session, me: Principal, user_id: int | None, pid: int | None) -> None:
    """The account linked must be a legal professional's the manager sees, used by no other record."""
    if user_id is None:
        return
    user = get_visible(session, me, User, user_id)
    if user is None or user.role != Role.LEGAL_PROFESSIONAL:
        raise Invalid("关联的账号不存在、不在你的辖区内，或不是法律服务人员账号",
                      details=[{"field": "user_id", "error": "取值无效"}])
    if repo.user_linked_elsewhere(session, user_id, pid):
        raise Invalid("该账号已关联其他法律服务人员", details=[{"field": "user_id", "error": "已被使用"}])


def create_professional(session: Session, me: Principal, data: ProfessionalIn, *, now: datetime) -> ProfessionalRead:
    _check_fields(data.kind, data.public_phone)
    try:
        level = area_level(data.area_code)
    except CodeError as exc:
        raise Invalid(str(exc)) from exc
    if level == AreaLevel.PROVINCE or not me.covers(data.area_code):
        raise NotFound(f"区域 {data.area_code} 不存在")
    access_area(session, me, data.area_code)
    _check_account(session, me, data.user_id, None)
    row = LegalProfessional(name=data.name.strip(), kind=data.kind, institution=data.institution.strip(),
                            title=data.title.strip(), public_phone=data.public_phone.strip(),
                            area_code=data.area_code, user_id=data.user_id, active=data.active,
                            created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    audit(session, actor=me, action="legal_professional_created", now=now, object_type="legal_professional",
          object_id=row.id, area_code=row.area_code, after={"name": row.name, "kind": row.kind})
    return professional_read(row)


def update_professional(session: Session, me: Principal, pid: int, data: ProfessionalPatch, *,
                        now: datetime) -> ProfessionalRead:
    row = _professional(session, me, pid, own_register=True)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)
    _check_fields(changes.get("kind"), changes.get("public_phone"))
    for key in ("kind", "institution", "title", "public_phone", "active"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    if "user_id" in changes:
        _check_account(session, me, changes["user_id"], row.id)
    before = {k: getattr(row, k) for k in changes}
    for key, value in changes.items():
        setattr(row, key, value.strip() if isinstance(value, str) else value)
    row.updated_at = now
    audit(session, actor=me, action="legal_professional_updated", now=now, object_type="legal_professional",
          object_id=row.id, area_code=row.area_code, before=before, after=changes)
    return professional_read(row)


def _attachable(session: Session, me: Principal, code: str) -> str:
    """A grid (15 digits) or a village/town (12 digits) inside the jurisdiction; 404 outside, 422 otherwise."""
    if len(code) == 15:
        access_grid(session, me, code)
        return code
    try:
        level = area_level(code)
    except CodeError as exc:
        raise Invalid(str(exc)) from exc
    if level not in (AreaLevel.TOWN, AreaLevel.VILLAGE):
        raise Invalid("进驻的地方应为网格，或村（社区）、镇（街道）")
    if not me.covers(code):
        raise NotFound(f"区域 {code} 不存在")
    access_area(session, me, code)
    return code


def add_schedule(session: Session, me: Principal, pid: int, data: ScheduleIn, *, now: datetime) -> ScheduleRead:
    row = _professional(session, me, pid, own_register=True)
    if data.rule not in set(ScheduleRule):
        raise Invalid("安排方式应为 monthly（每月第几个星期几）、weekly（每周星期几）或 dates（指定日期）")
    problems = schedule_problems(data.rule, weekday=data.weekday, nth=data.nth, dates=data.dates,
                                 valid_from=data.valid_from, valid_to=data.valid_to)
    if problems:
        raise Invalid("；".join(problems), details=[{"field": "", "error": p} for p in problems])
    code = _attachable(session, me, data.area_code)
    schedule = LegalSchedule(professional_id=row.id, area_code=code, rule=data.rule,
                             weekday=None if data.rule == ScheduleRule.DATES else data.weekday,
                             nth=data.nth if data.rule == ScheduleRule.MONTHLY else None,
                             dates=",".join(sorted({d.isoformat() for d in data.dates})),
                             hours=data.hours.strip(), place=data.place.strip(), valid_from=data.valid_from,
                             valid_to=data.valid_to, created_at=now)
    session.add(schedule)
    session.flush()
    audit(session, actor=me, action="legal_schedule_added", now=now, object_type="legal_schedule",
          object_id=schedule.id, area_code=code, after={"professional": row.id, "rule": data.rule})
    return schedule_read(schedule, local(now).date())


# ---------------------------------------------------------------- visits


def list_visits(session: Session, me: Principal, *, grid: str | None = None, since: date | None = None,
                until: date | None = None, professional_id: int | None = None, page: int = 1,
                page_size: int = 50) -> Page[VisitRead]:
    if since and until and until < since:
        raise Invalid("结束日期不能早于开始日期")
    rows, total = repo.visits(session, me, grid=grid, since=since, until=until, professional_id=professional_id,
                              page=page, page_size=page_size)
    return Page(items=[visit_read(v, name) for v, name in rows], total=total, page=page, page_size=page_size)


def _record_visit(session: Session, me: Principal, professional: LegalProfessional, data: MyVisitIn | VisitIn, *,
                  now: datetime) -> VisitRead:
    if (problem := services_problem(list(data.services))):
        raise Invalid(problem, details=[{"field": "services", "error": problem}])
    if data.visited_on > local(now).date():
        raise Invalid("进网格日期不能晚于今天")
    if data.visited_on < local(now).date() - timedelta(days=366):
        raise Invalid("只能记录一年以内的进网格服务")
    try:
        grid_village_code(data.grid_code)
    except CodeError as exc:
        raise Invalid(str(exc)) from exc
    visit = LegalVisit(professional_id=professional.id, grid_code=data.grid_code, visited_on=data.visited_on,
                       services=",".join(data.services), people_served=data.people_served, notes=data.notes.strip(),
                       recorded_by=me.user_id or None, created_at=now)
    session.add(visit)
    session.flush()
    ledger.record(session, kind=ActivityKind.LEGAL_VISIT, area_code=visit.grid_code, occurred_on=visit.visited_on,
                  ref_type=REF_TYPE, ref_id=visit.id, now=now)
    audit(session, actor=me, action="legal_visit_recorded", now=now, object_type="legal_visit", object_id=visit.id,
          area_code=visit.grid_code, after={"professional": professional.id, "services": visit.services})
    return visit_read(visit, professional.name)


def record_visit(session: Session, me: Principal, data: VisitIn, *, now: datetime) -> VisitRead:
    """The agency records a visit to a grid of its jurisdiction by a professional it sees."""
    professional = _professional(session, me, data.professional_id, own_register=False)
    access_grid(session, me, data.grid_code)
    return _record_visit(session, me, professional, data, now=now)


def my_professional(session: Session, me: Principal) -> LegalProfessional:
    found = repo.linked(session, me)
    if found is None or not found.active:
        raise NotFound(NOT_LINKED)
    return found


def record_my_visit(session: Session, me: Principal, data: MyVisitIn, *, now: datetime) -> VisitRead:
    """A professional records its own visit, to a grid one of its schedules serves (404 for another)."""
    professional = my_professional(session, me)
    served = {s.area_code for s in repo.schedules(session, me, professional.id)}
    try:
        places = set(places_of_grid(data.grid_code))
    except CodeError:
        places = set()
    if not served & places:
        raise NotFound(f"网格 {data.grid_code} 不存在，或不在你的服务范围内")
    access_grid(session, me, data.grid_code)
    return _record_visit(session, me, professional, data, now=now)


def my_schedules(session: Session, me: Principal, *, now: datetime) -> tuple[ProfessionalRead, list[ScheduleRead]]:
    professional = my_professional(session, me)
    today = local(now).date()
    return professional_read(professional), [schedule_read(s, today) for s in
                                             repo.schedules(session, me, professional.id)]


def linked_or_none(session: Session, me: Principal, *, now: datetime):
    """The page's view of the principal's own record and schedules, or None when none is linked."""
    try:
        return my_schedules(session, me, now=now)
    except NotFound:
        return None


def my_referrals(session: Session, me: Principal) -> list[ReferralRead]:
    """The cases referred to the principal's own professional record (nothing for any other account)."""
    professional = repo.linked(session, me)
    if professional is None:
        return []
    return [ReferralRead(id=r.id, case_no=c.case_no, case_title=c.title, case_state=c.state, grid_code=c.grid_code,
                         question=r.question, opinion=r.opinion, referred_at=r.referred_at,
                         answered_at=r.answered_at)
            for r, c in repo.referrals_to(session, me, professional.id)]


KINDS = [(str(k), LEGAL_KIND_LABELS[k]) for k in LegalKind]
