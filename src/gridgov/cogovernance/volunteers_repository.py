"""Scoped queries of the volunteer register (issue 18). Every read goes through the door
(:func:`gridgov.authz.scope.scoped`) with the caller's principal; the register's own checks (a phone on
two records, the liaison of a micro-grid) run as the system since they must see every record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped, starts_with
from gridgov.models import Area, Case, Grid, MicroGrid, Post, StaffMember, User
from gridgov.models.accounts import MICRO_GRID_ROLES
from gridgov.models.volunteers import InformantReport, Volunteer, VolunteerOrg
from gridgov.staff.rules import ACTIVE


def add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def get_org(session: Session, principal: Principal, org_id: int, *, ancestors: bool = False) -> VolunteerOrg | None:
    stmt = scoped(select(VolunteerOrg).where(VolunteerOrg.id == org_id), principal, VolunteerOrg, ancestors=ancestors)
    return session.scalar(stmt)


def get_volunteer(session: Session, principal: Principal, volunteer_id: int, *,
                  for_update: bool = False) -> Volunteer | None:
    stmt = scoped(select(Volunteer).where(Volunteer.id == volunteer_id), principal, Volunteer)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def list_orgs(session: Session, principal: Principal, *, prefix: str | None, kind: str | None, offset: int,
              limit: int) -> tuple[list[tuple[VolunteerOrg, int]], int]:
    people = (scoped(select(func.count(Volunteer.id)).where(Volunteer.org_id == VolunteerOrg.id,
                                                            Volunteer.active.is_(True)), principal, Volunteer)
              .correlate(VolunteerOrg).scalar_subquery())
    stmt = scoped(select(VolunteerOrg, people), principal, VolunteerOrg)
    if prefix:
        stmt = stmt.where(starts_with(VolunteerOrg.area_code, prefix))
    if kind:
        stmt = stmt.where(VolunteerOrg.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(VolunteerOrg.area_code, VolunteerOrg.id).offset(offset).limit(limit))
    return [(o, n or 0) for o, n in rows], total


def list_volunteers(session: Session, principal: Principal, *, prefix: str | None, kind: str | None,
                    org_id: int | None, active: bool | None, q: str | None, offset: int,
                    limit: int) -> tuple[list[Volunteer], int]:
    stmt = scoped(select(Volunteer), principal, Volunteer)
    if prefix:
        stmt = stmt.where(starts_with(Volunteer.place_code, prefix))
    if kind:
        stmt = stmt.where(Volunteer.kind == kind)
    if org_id:
        stmt = stmt.where(Volunteer.org_id == org_id)
    if active is not None:
        stmt = stmt.where(Volunteer.active.is_(active))
    if q:
        stmt = stmt.where(Volunteer.name.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Volunteer.place_code, Volunteer.kind, Volunteer.id).offset(offset)
                           .limit(limit))
    return list(rows), total


def org_names(session: Session, principal: Principal, ids: Iterable[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    stmt = scoped(select(VolunteerOrg.id, VolunteerOrg.name).where(VolunteerOrg.id.in_(ids)), principal,
                  VolunteerOrg, ancestors=True)
    return {k: v for k, v in session.execute(stmt)}


def place_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Names of grids and micro-grids (public names: read as the system)."""
    codes = set(codes)
    grids = scoped(select(Grid.code, Grid.name).where(Grid.code.in_(codes)), SYSTEM, Grid)
    micros = scoped(select(MicroGrid.code, MicroGrid.name).where(MicroGrid.code.in_(codes)), SYSTEM, MicroGrid)
    return {**{k: v for k, v in session.execute(grids)}, **{k: v for k, v in session.execute(micros)}}


def visible_grid(session: Session, principal: Principal, code: str) -> Grid | None:
    return session.scalar(scoped(select(Grid).where(Grid.code == code), principal, Grid))


def visible_micro_grid(session: Session, principal: Principal, code: str) -> MicroGrid | None:
    return session.scalar(scoped(select(MicroGrid).where(MicroGrid.code == code), principal, MicroGrid))


def visible_area(session: Session, principal: Principal, code: str) -> Area | None:
    return session.scalar(scoped(select(Area).where(Area.code == code), principal, Area))


def grids_under(session: Session, principal: Principal, prefix: str) -> list[Grid]:
    stmt = scoped(select(Grid).where(starts_with(Grid.code, prefix)), principal, Grid)
    return list(session.scalars(stmt.order_by(Grid.code)))


def micro_grids_of(session: Session, principal: Principal, grid_code: str) -> list[MicroGrid]:
    stmt = scoped(select(MicroGrid).where(MicroGrid.grid_code == grid_code), principal, MicroGrid)
    return list(session.scalars(stmt.order_by(MicroGrid.code)))


def active_with_phone(session: Session, phone_index: str, *, other_than: int | None = None) -> Volunteer | None:
    stmt = scoped(select(Volunteer).where(Volunteer.phone_index == phone_index, Volunteer.active.is_(True)),
                  SYSTEM, Volunteer)
    if other_than is not None:
        stmt = stmt.where(Volunteer.id != other_than)
    return session.scalar(stmt.limit(1))


def liaisons_of(session: Session, micro_grid_code: str, *, other_than: int | None = None) -> list[int | None]:
    """The staff ids (or None) behind the active register liaisons of a micro-grid (locked)."""
    stmt = scoped(select(Volunteer.id, User.staff_id).outerjoin(User, User.id == Volunteer.user_id)
                  .where(Volunteer.micro_grid_code == micro_grid_code, Volunteer.kind == "liaison",
                         Volunteer.active.is_(True)), SYSTEM, Volunteer)
    return [staff for vid, staff in session.execute(stmt) if vid != other_than]


def liaison_posts_of(session: Session, micro_grid_code: str) -> list[int]:
    """The staff ids holding an active liaison post on a micro-grid."""
    stmt = scoped(select(Post.staff_id).where(Post.micro_grid_code == micro_grid_code, Post.role == "liaison",
                                              Post.status == ACTIVE), SYSTEM, Post)
    return list(session.scalars(stmt))


def staff_id_of_user(session: Session, user_id: int) -> int | None:
    return session.scalar(scoped(select(User.staff_id).where(User.id == user_id), SYSTEM, User))


def visible_user(session: Session, principal: Principal, user_id: int) -> User | None:
    return session.scalar(scoped(select(User).where(User.id == user_id), principal, User))


def report_states(session: Session, principal: Principal, volunteer_ids: Sequence[int], *,
                  since: datetime | None = None, until: datetime | None = None) -> list[tuple[int, str]]:
    """(volunteer id, case state) of each informant's report of these people (in a period)."""
    if not volunteer_ids:
        return []
    stmt = scoped(select(InformantReport.volunteer_id, Case.state).join(Case, Case.id == InformantReport.case_id)
                  .where(InformantReport.volunteer_id.in_(list(volunteer_ids))), principal, InformantReport)
    if since is not None:
        stmt = stmt.where(InformantReport.created_at >= since)
    if until is not None:
        stmt = stmt.where(InformantReport.created_at < until)
    return [tuple(r) for r in session.execute(stmt)]


def reports_of(session: Session, principal: Principal, volunteer_id: int, *, limit: int = 200) -> list[tuple]:
    """(report, case number, title, state) of one person's reports, newest first."""
    stmt = scoped(select(InformantReport, Case.case_no, Case.title, Case.state)
                  .join(Case, Case.id == InformantReport.case_id)
                  .where(InformantReport.volunteer_id == volunteer_id), principal, InformantReport)
    return [tuple(r) for r in session.execute(stmt.order_by(InformantReport.created_at.desc(),
                                                            InformantReport.id.desc()).limit(limit))]


def reporters_in(session: Session, principal: Principal, prefix: str, since: datetime,
                 until: datetime) -> list[int]:
    """The people who reported in a period under ``prefix``."""
    stmt = scoped(select(InformantReport.volunteer_id).distinct()
                  .where(starts_with(InformantReport.grid_code, prefix), InformantReport.created_at >= since,
                         InformantReport.created_at < until), principal, InformantReport)
    return list(session.scalars(stmt))


def volunteers_by_ids(session: Session, principal: Principal, ids: Sequence[int]) -> list[Volunteer]:
    if not ids:
        return []
    return list(session.scalars(scoped(select(Volunteer).where(Volunteer.id.in_(list(ids))), principal, Volunteer)))


def counts_per_grid(session: Session, principal: Principal, prefix: str, since: datetime,
                    until: datetime) -> list[tuple[str, int]]:
    stmt = scoped(select(InformantReport.grid_code, func.count(InformantReport.id))
                  .where(starts_with(InformantReport.grid_code, prefix), InformantReport.created_at >= since,
                         InformantReport.created_at < until)
                  .group_by(InformantReport.grid_code), principal, InformantReport)
    return [tuple(r) for r in session.execute(stmt.order_by(InformantReport.grid_code))]


def micro_grid_posts(session: Session, principal: Principal, grid_code: str) -> list[tuple[str, str, str]]:
    """(micro-grid code, role, staff name) of the active liaison and volunteer posts of a grid's micro-grids."""
    stmt = scoped(select(Post.micro_grid_code, Post.role, StaffMember.name)
                  .join(StaffMember, StaffMember.id == Post.staff_id)
                  .where(Post.status == ACTIVE, Post.grid_code == grid_code, Post.micro_grid_code.is_not(None),
                         Post.role.in_(list(MICRO_GRID_ROLES))), principal, Post)
    return [tuple(r) for r in session.execute(stmt.order_by(Post.micro_grid_code, Post.id))]


def active_of_grid(session: Session, principal: Principal, grid_code: str) -> list[Volunteer]:
    stmt = scoped(select(Volunteer).where(Volunteer.grid_code == grid_code, Volunteer.active.is_(True)),
                  principal, Volunteer)
    return list(session.scalars(stmt.order_by(Volunteer.place_code, Volunteer.id)))
