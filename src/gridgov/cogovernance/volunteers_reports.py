"""What registered informants reported (issue 18; ZJ§23, JM§10), their recognition points (the profile's
``recognition`` section, JM§14 激励机制), the ranking of a month, the count per grid and month, and the
roster of a grid's micro-grids (ZJ§9: one liaison and several volunteers each, from the register and the
staff posts). Read-only; jurisdiction through the door."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases.vocabulary import STATE_LABELS
from gridgov.cogovernance import volunteers as service
from gridgov.cogovernance import volunteers_repository as repo
from gridgov.cogovernance import volunteers_rules as rules
from gridgov.cogovernance.volunteers_schemas import (
    GridCount,
    InformantReportRead,
    Ranking,
    RankRow,
    VolunteerRead,
    VolunteerReports,
)
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import SHANGHAI, local
from gridgov.models.volunteers import VOLUNTEER_KIND_LABELS
from gridgov.staff.rules import REGISTER_ROLES


def reports(session: Session, principal: Principal, volunteer_id: int, *, profile) -> VolunteerReports:
    """One person's reports through the resident channel with the points each earned."""
    person = service.access(session, principal, volunteer_id)
    rows = repo.reports_of(session, principal, person.id)
    items = [InformantReportRead(case_no=no, title=title, state=state, state_label=STATE_LABELS.get(state, state),
                                 grid_code=row.grid_code, reported_at=row.created_at,
                                 points=rules.points_of(profile.recognition, state))
             for row, no, title, state in rows]
    read = service.reads(session, principal, [person], profile=profile)[0]
    return VolunteerReports(volunteer=read, items=items, points=read.points)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    problem = rules.month_problem(month)
    if problem:
        raise Invalid(problem, details=[{"field": "month", "error": problem}])
    year, mon = int(month[:4]), int(month[5:])
    start = datetime(year, mon, 1, tzinfo=SHANGHAI)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def ranking(session: Session, principal: Principal, *, area: str | None, month: str | None, profile,
            now: datetime, limit: int = 50) -> Ranking:
    """The people ranked by the points of their reports of a month (default: this month), and the
    informants' reports counted per grid of that month."""
    month = (month or "").strip() or local(now).strftime("%Y-%m")
    since, until = month_bounds(month)
    prefix = service.area_filter(session, principal, area) or principal.prefix
    ids = repo.reporters_in(session, principal, prefix, since, until)
    people = {p.id: p for p in repo.volunteers_by_ids(session, principal, ids)}
    states: dict[int, list[str]] = {}
    for vid, state in repo.report_states(session, principal, list(people), since=since, until=until):
        states.setdefault(vid, []).append(state)
    reads = {r.id: r for r in service.reads(session, principal, list(people.values()), profile=profile, points=False)}
    scored = sorted(((rules.total_points(profile.recognition, states.get(i, [])), len(states.get(i, [])), i)
                     for i in people), key=lambda t: (-t[0], -t[1], t[2]))[:limit]
    rows = [RankRow(rank=n, volunteer=reads[i], reports=count, points=points)
            for n, (points, count, i) in enumerate(scored, start=1)]
    counts = repo.counts_per_grid(session, principal, prefix, since, until)
    names = repo.place_names(session, [c for c, _ in counts])
    return Ranking(area_code=area or principal.scope_code, month=month, people=rows,
                   grids=[GridCount(grid_code=c, grid_name=names.get(c, ""), reports=n) for c, n in counts])


@dataclass
class MicroRoster:
    code: str
    name: str
    liaisons: list[str] = field(default_factory=list)
    volunteers: list[str] = field(default_factory=list)
    others: list[VolunteerRead] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


def roster(session: Session, principal: Principal, grid_code: str, *, profile) -> tuple[str, list[MicroRoster]]:
    """Each micro-grid of a grid with its liaison(s) and volunteers (register records and staff posts,
    each named once) and what the profile's ZJ§9 numbers find missing."""
    grid = repo.visible_grid(session, principal, grid_code)
    if grid is None:
        raise NotFound(f"网格 {grid_code[:20]} 不存在")
    micros = {m.code: MicroRoster(m.code, m.name) for m in repo.micro_grids_of(session, principal, grid.code)}
    for micro, role, name in repo.micro_grid_posts(session, principal, grid.code):
        if micro in micros:
            (micros[micro].liaisons if role == "liaison" else micros[micro].volunteers).append(f"{name}（网格员岗位）")
    people = repo.active_of_grid(session, principal, grid.code)
    for person, read in zip(people, service.reads(session, principal, people, profile=profile, points=False),
                            strict=True):
        target = micros.get(person.micro_grid_code or "")
        if target is None:
            continue
        role = rules_role(person.kind)
        label = f"{person.name}（{VOLUNTEER_KIND_LABELS.get(person.kind, person.kind)}）"
        if role == "liaison" and label not in target.liaisons:
            target.liaisons.append(label)
        elif role == "volunteer":
            target.volunteers.append(label)
        else:
            target.others.append(read)
    staff = profile.staff
    for m in micros.values():
        if staff.liaisons_per_micro_grid and len(m.liaisons) < staff.liaisons_per_micro_grid:
            m.gaps.append(f"联络员 {len(m.liaisons)} 名，应为 {staff.liaisons_per_micro_grid} 名")
        if staff.volunteers_per_micro_grid and len(m.volunteers) < staff.volunteers_per_micro_grid:
            m.gaps.append(f"志愿者 {len(m.volunteers)} 名，应至少 {staff.volunteers_per_micro_grid} 名")
    return grid.name, list(micros.values())


def rules_role(kind: str) -> str | None:
    """liaison, volunteer (volunteers, building heads and property staff, ZJ§9) or None (informants)."""
    return REGISTER_ROLES.get(kind)
