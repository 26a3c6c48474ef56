"""What the case pages list: worklists per role, countdowns, counts by state, the open-case map.

The pages' read service (read-only use cases for :mod:`gridgov.cases.web` and the instruction
pages). They use the same scoped queries as the API
(:func:`gridgov.cases.repository.readable` / ``list_cases``), the same list item
(:func:`gridgov.cases.service.list_item`) and the same answer to "what may this user do now"
(:func:`gridgov.cases.actors.actions_for`), so a page never lists a case the API would hide, nor
offers a button the lifecycle would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import clocks as case_clocks
from gridgov.cases import informants, service
from gridgov.cases import repository as repo
from gridgov.cases.actors import actions_for
from gridgov.cases.deadlines import CLOCK_LABELS, ClockKind, clock_status
from gridgov.cases.schemas import CaseListItem
from gridgov.cases.search import CaseFilter
from gridgov.cases.workflow import (
    OPEN_STATES,
    STATE_LABELS,
    CaseAction,
    CaseState,
    dispatchable_level,
    level_rank,
)
from gridgov.departments.service import DepartmentRead, list_departments
from gridgov.models import Case
from gridgov.models.accounts import AGENCY_ROLES, DEPARTMENT_ROLES, GRID_WORKER_ROLES
from gridgov.territory import rules
from gridgov.web.navigation import case_tabs

LIST_LIMIT = 100
WORKLIST_PAGE_SIZE = 20
"""Cards per group of a worklist page (the inbox's, a department's); the rest on further pages."""
WORKLIST_SCAN = 2000
"""The most open cases a worklist weighs (newest first); a town's open cases stay well below it."""
SIDE_ACTIONS = frozenset({CaseAction.COMMENT, CaseAction.ATTACH, CaseAction.SUPERVISE, CaseAction.CLASSIFY,
                          CaseAction.REFER_LEGAL})
"""Actions anyone who sees a case may take: they do not put a case on someone's worklist (a case waiting for
its type is on the hotline's triage queue instead, :mod:`gridgov.interop.hotline`)."""


@dataclass(frozen=True)
class Row:
    """One line of a case list: the API's list item plus the countdown of its most pressing clock."""

    item: CaseListItem
    clock_label: str = ""
    due_at: datetime | None = None
    status: str | None = None
    remaining: str = ""
    informant: str = ""
    """Who reported it when a registered informant did (信息员上报, issue 18)."""


def party(me: Principal) -> str:
    """Which pages a user works with: a grid's worker, an agency, a department, or a reader."""
    if me.role in GRID_WORKER_ROLES:
        return "worker"
    if me.role in AGENCY_ROLES:
        return "agency"
    if me.role in DEPARTMENT_ROLES:
        return "department"
    return "reader"


def landing(principal: Principal) -> str:
    """Where ``/cases`` takes a user: the first of its case pages (a 网格长's is the overview)."""
    return case_tabs(principal.role)[0][0]


def span_text(seconds: float) -> str:
    """A duration as a worker reads it on a phone: 2 天 3 小时, 45 分钟."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {mins} 分钟" if mins else f"{hours} 小时"
    return f"{mins} 分钟"


def _row(case: Case, clock_rows, now: datetime) -> Row:
    item = service.list_item(case, clock_rows, now)
    running = [(case_clocks.to_clock(r), r) for r in clock_rows if r.stopped_at is None]
    if not running:
        return Row(item)
    ranked = sorted(running, key=lambda cr: (-case_clocks.SEVERITY[str(clock_status(cr[0], now))], cr[0].due_at))
    clock = ranked[0][0]
    status = str(clock_status(clock, now))
    left = (clock.due_at - now).total_seconds()
    remaining = f"剩余 {span_text(left)}" if left >= 0 else f"超期 {span_text(left)}"
    return Row(item, CLOCK_LABELS[ClockKind(clock.kind)], clock.due_at, status, remaining)


def rows_for(session: Session, cases: list[Case], now: datetime) -> list[Row]:
    by_case = repo.clocks_of(session, [c.id for c in cases])
    marked = informants.labels(session, [c.id for c in cases])
    return [replace(_row(c, by_case[c.id], now), informant=marked.get(c.id, "")) if c.id in marked
            else _row(c, by_case[c.id], now) for c in cases]


def _cases(session: Session, principal: Principal, *, states=None, limit: int = LIST_LIMIT) -> list[Case]:
    rows, _total = repo.list_cases(session, principal, states=[str(s) for s in states] if states else None,
                                   limit=limit, count=False)  # a worklist groups what it read: no count
    return rows


def found(session: Session, principal: Principal, wanted: CaseFilter, *, now: datetime, page: int,
          page_size: int) -> tuple[list[Row], int]:
    """One page of the visible cases matching ``wanted`` (the API's query, :mod:`.search`), newest
    first, with how many match in all: the 辖区事件 page and the worker's own list."""
    rows, total = repo.list_cases(session, principal, found=wanted, offset=(page - 1) * page_size, limit=page_size,
                                  overdue_at=now if wanted.overdue is not None else None)
    return rows_for(session, rows, now), total


INBOX_GROUPS: tuple[tuple[str, str, tuple[CaseState, ...]], ...] = (
    ("unstaffed", "待核实（网格无在岗网格员）", (CaseState.REPORTED, CaseState.VERIFIED)),
    ("escalated", "待受理（网格员上报）", (CaseState.ESCALATED,)),
    ("dispatch", "待分派（已受理、被退回）", (CaseState.ACCEPTED, CaseState.RETURNED)),
    ("disputed", "职责争议待裁定", (CaseState.DISPUTED,)),
    ("extension", "延期申请待审批", (CaseState.IN_PROGRESS,)),
    ("handled", "待核查（部门已办结）", (CaseState.HANDLED,)),
    ("resolved", "待反馈评价", (CaseState.RESOLVED,)),
)


STAND_IN_STATES = frozenset({CaseState.REPORTED, CaseState.VERIFIED})
STAND_IN_ACTIONS = frozenset({CaseAction.VERIFY, CaseAction.ASSIGN, CaseAction.ACCEPT})


def paged_group(key: str, label: str, rows: list, *, asked: tuple[str, int] | None = None,
                page_size: int = 0) -> dict:
    """One group of a worklist, one page of it: the page ``asked`` = (group, page) names for this
    group (clamped to its last page), else its first; with the group's total and page count."""
    size = page_size or WORKLIST_PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    page = min(asked[1], pages) if asked and asked[0] == key else 1
    return {"key": key, "label": label, "rows": rows[(page - 1) * size:page * size], "total": len(rows),
            "page": page, "pages": pages}


def _shown(session: Session, groups: list[dict], now: datetime) -> list[dict]:
    """Groups paged over their cases (:func:`paged_group`) with the shown pages' cases made rows: a
    worklist weighs up to :data:`WORKLIST_SCAN` cases but builds a :class:`Row` only for what it shows."""
    cases = list({c.id: c for g in groups for c in g["rows"]}.values())
    built = dict(zip((c.id for c in cases), rows_for(session, cases, now), strict=True))
    return [{**g, "rows": [built[c.id] for c in g["rows"]]} for g in groups]


def inbox(session: Session, principal: Principal, *, now: datetime, profile,
          asked: tuple[str, int] | None = None) -> list[dict]:
    """An agency's worklist: each case where the lifecycle gives this user a step to take now, in
    groups, each group paged (``asked``: which group's which page)."""
    wanted = {s for _key, _label, states in INBOX_GROUPS for s in states}
    cases = _cases(session, principal, states=wanted, limit=WORKLIST_SCAN)
    offered = {c.id: set(actions_for(session, principal, c, now=now, profile=profile)) for c in cases}
    # A case still its grid's workers' is the agency's only where it stands in for them (cases.unstaffed).
    mine_now = [c for c in cases if offered[c.id] - SIDE_ACTIONS
                and (CaseState(c.state) not in STAND_IN_STATES or offered[c.id] & STAND_IN_ACTIONS)]
    groups = []
    for key, label, states in INBOX_GROUPS:
        picked = [c for c in mine_now if CaseState(c.state) in states]
        if key == "extension":
            picked = [c for c in picked if c.extension_request_days is not None]
        groups.append(paged_group(key, label, picked, asked=asked))
    return _shown(session, groups, now)


def department(session: Session, principal: Principal, *, now: datetime,
               asked: tuple[str, int] | None = None) -> dict[str, dict]:
    """A department's worklist: emergencies sent straight to it (LZ§16), to sign, in progress, due
    soon, and cases it assists on; each group paged (``asked``: which group's which page)."""
    code = principal.department_code
    cases = _cases(session, principal, states=OPEN_STATES, limit=WORKLIST_SCAN) if code else []
    lead = [c for c in cases if c.lead_department_code == code]
    in_progress = [c for c in lead if c.state == CaseState.IN_PROGRESS]
    pressed = repo.pressed_case_ids(session, [c.id for c in in_progress], now)  # a row's status warning/overdue
    due_soon = [c for c in in_progress if c.id in pressed]
    alerted = repo.alerted_case_ids(session, code, [c.id for c in cases if c.lead_department_code != code]) if code \
        else set()
    groups = {
        "emergency": [c for c in cases if c.id in alerted],
        "to_sign": [c for c in lead if c.state == CaseState.DISPATCHED],
        "in_progress": in_progress,
        "due_soon": due_soon,
        "assisting": [c for c in cases if c.lead_department_code != code and c.id not in alerted],
    }
    shown = _shown(session, [paged_group(key, "", members, asked=asked) for key, members in groups.items()], now)
    return {g["key"]: g for g in shown}


def counts_by_state(session: Session, principal: Principal) -> list[dict]:
    """Every state with the number of visible cases in it (zeros included, in lifecycle order)."""
    found = repo.count_by_state(session, principal)
    return [{"state": str(s), "label": STATE_LABELS[s], "count": int(found.get(str(s), 0)),
             "open": s in OPEN_STATES} for s in CaseState]


def counts_by_type(session: Session, principal: Principal, types) -> list[dict]:
    """The visible cases counted by type, grouped by 大类 (a 大类's count is its 小类' sum), in the
    types' order; only types with cases; cases registered without a type last, as 未分类."""
    found = repo.count_by_type(session, principal)
    rows = []
    for group in types.groups():
        subs = [{"code": t.code, "name": t.name, "count": int(found.get(t.code, 0))} for t in group["types"]]
        subs = [s for s in subs if s["count"]]
        if subs:
            rows.append({"code": group["code"], "name": group["name"], "count": sum(s["count"] for s in subs),
                         "types": subs})
    known = {t.code for t in types.types}
    rest = sum(int(n) for code, n in found.items() if code not in known)
    if rest:
        rows.append({"code": "", "name": "未分类", "count": rest, "types": []})
    return rows


def overdue(session: Session, principal: Principal, *, now: datetime) -> tuple[list[Row], int]:
    rows, total = repo.list_cases(session, principal, overdue_at=now, limit=LIST_LIMIT)
    return rows_for(session, rows, now), total


def open_cases_geojson(session: Session, principal: Principal, *, now: datetime, limit: int = 5000) -> dict:
    """Open cases with coordinates as a GeoJSON FeatureCollection (WGS84, as the map draws it)."""
    cases = repo.open_cases_located(session, principal, [str(s) for s in OPEN_STATES], limit=limit)
    features = []
    for case, row in zip(cases, rows_for(session, cases, now), strict=True):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            "properties": {"case_no": case.case_no, "title": case.title, "state": case.state,
                           "state_label": row.item.state_label, "status": row.status or "on_time",
                           "remaining": row.remaining, "grid_code": case.grid_code},
        })
    return {"type": "FeatureCollection", "features": features}


def department_names(session: Session, principal: Principal, codes=None) -> dict[str, str]:
    """Names of the departments the principal can see (``codes``: of these only), to name them in a case's file."""
    return {d.code: d.name for d in list_departments(session, principal, codes=codes)}


def named_departments(case, log) -> set[str]:
    """The department codes a case's page names: its lead, and those its file's entries name."""
    codes = {case.lead_department_code} if case.lead_department_code else set()
    for entry in log:
        data = entry.data or {}
        codes.update(str(data[k]) for k in ("lead_department", "department", "emergency_department") if data.get(k))
        codes.update(str(c) for c in data.get("assisting_departments") or [])
    return codes


LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县（区）级", "town": "镇（街道）级",
               "village": "村（社区）级"}


def departments_for(session: Session, principal: Principal, case: Case) -> list[DepartmentRead]:
    """The departments the dispatcher may pick: active, visible to it, covering the case's grid (the
    same conditions :func:`gridgov.cases.actions.act` checks), at the case's handling level or below,
    or the county's (:func:`gridgov.cases.workflow.dispatchable_level`): never the city's to a town."""
    return [d for d in list_departments(session, principal)
            if case.grid_code.startswith(rules.area_prefix(d.area_code))
            and dispatchable_level(d.level, case.handling_level)]


def department_groups(picker: list[DepartmentRead], handling_level: str) -> list[dict]:
    """The picker grouped by level for the dispatch form's ``<optgroup>``: the case's own level first,
    then the levels above (the county's), then those below; names in order within a group."""
    own = level_rank(handling_level)

    def order(level: str) -> tuple[bool, bool, int]:
        rank = level_rank(level)
        return rank != own, rank > own, rank

    levels = sorted({d.level for d in picker}, key=order)
    return [{"level": lv, "label": LEVEL_NAMES.get(lv, lv) + ("（本级）" if level_rank(lv) == own else ""),
             "departments": [d for d in picker if d.level == lv]} for lv in levels]


def default_department(picker, kind: str | None, handling_area: str) -> str | None:
    """The department the dispatch form preselects: of the case type's kind, the handling agency's
    own if it has one, else the nearest above it (the longest area code that is a prefix)."""
    mine = [d for d in picker if kind and d.kind == kind]
    if not mine:
        return None
    own = next((d for d in mine if d.area_code == handling_area), None)
    nearest = own or max(mine, key=lambda d: len(rules.area_prefix(d.area_code)))
    return nearest.code


RESULT_PHOTO_ACTIONS = frozenset({"solve_on_site", "solve", "handle", "assist_report"})
"""File entries whose photos show the handling (处置照片); every other entry's show the problem (上报照片)."""


def photo_groups(log) -> list[dict]:
    """The case's photos from its file, apart: the report's (上报照片) and the handling's (处置照片),
    each photo with who added it, in which step and when. Groups without photos are left out."""
    groups = {"report": {"key": "report", "label": "上报照片", "photos": []},
              "result": {"key": "result", "label": "处置照片", "photos": []}}
    for e in log:
        key = "result" if e.action in RESULT_PHOTO_ACTIONS else "report"
        for sha in e.attachments or []:
            groups[key]["photos"].append({"sha": sha, "actor": e.actor, "role": e.role, "at": e.at,
                                          "action": e.action})
    return [g for g in groups.values() if g["photos"]]
