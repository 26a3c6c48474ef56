"""Staff queries, each through the one scope door (:mod:`gridgov.authz.scope`).

A staff record is readable when it is managed inside the principal's jurisdiction
(``StaffMember.area_code``) or holds a post there (``Post.scope_code``): the door's rule for
``StaffMember``. A post is readable when it lies in the jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import Grid, MicroGrid
from gridgov.models.accounts import User
from gridgov.models.staff import Post, StaffExclusion, StaffMember, Training
from gridgov.models.territory import GridStatus
from gridgov.models.volunteers import Volunteer
from gridgov.staff.rules import ACTIVE, ENDED


def get_staff(session: Session, principal: Principal, staff_id: int) -> StaffMember | None:
    return session.scalar(scoped(select(StaffMember).where(StaffMember.id == staff_id), principal, StaffMember))


def staff_id_by_index(session: Session, index: str) -> int | None:
    """Whether an ID number (by its blind index) is already on file anywhere: a person has one record
    (the system's view: a duplicate is refused whoever holds it)."""
    return session.scalar(scoped(select(StaffMember.id).where(StaffMember.id_number_index == index), SYSTEM,
                                 StaffMember))


def staff_ids_by_indexes(session: Session, indexes: Iterable[str]) -> set[str]:
    indexes = list(indexes)
    if not indexes:
        return set()
    stmt = scoped(select(StaffMember.id_number_index).where(StaffMember.id_number_index.in_(indexes)), SYSTEM,
                  StaffMember)
    return set(session.scalars(stmt))


def _filtered(stmt, *, prefix: str | None, q: str | None, index: str | None, grid: str | None = None,
              principal: Principal | None = None):
    """``stmt``, already through the door, narrowed by the list's filter; ``grid``: the staff holding an
    active post in that grid (the posts read through the door too)."""
    if prefix:
        stmt = stmt.where(StaffMember.area_code.startswith(prefix))
    if grid:
        on_post = scoped(select(Post.staff_id).where(Post.scope_code == grid, Post.status == ACTIVE), principal,
                         Post)
        stmt = stmt.where(StaffMember.id.in_(on_post))
    if q:
        like = f"%{q}%"
        conds = [StaffMember.name.like(like), StaffMember.work_phone.like(like)]
        if index:
            conds.append(StaffMember.id_number_index == index)
        stmt = stmt.where(or_(*conds))
    return stmt


def list_staff(
    session: Session, principal: Principal, *, prefix: str | None, q: str | None, index: str | None,
    offset: int, limit: int | None, grid: str | None = None,
) -> tuple[Sequence[StaffMember], int]:
    where = {"prefix": prefix, "q": q, "index": index, "grid": grid, "principal": principal}
    total = session.scalar(_filtered(scoped(select(func.count()).select_from(StaffMember), principal, StaffMember),
                                     **where)) or 0
    stmt = _filtered(scoped(select(StaffMember), principal, StaffMember), **where).order_by(
        StaffMember.area_code, StaffMember.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all(), total


def posts_of(session: Session, principal: Principal, staff_ids: Sequence[int]) -> Sequence[Post]:
    if not staff_ids:
        return []
    stmt = scoped(select(Post).where(Post.staff_id.in_(staff_ids)), principal, Post)
    return session.scalars(stmt.order_by(Post.staff_id, Post.start_date, Post.id)).all()


def trainings_of(session: Session, staff_id: int) -> Sequence[Training]:
    """Trainings of a staff record the caller has already accessed."""
    return session.scalars(select(Training).where(Training.staff_id == staff_id).order_by(Training.held_on)).all()


def exclusions_of(session: Session, staff_id: int) -> Sequence[StaffExclusion]:
    """Exclusions of a staff record the caller has already accessed."""
    stmt = select(StaffExclusion).where(StaffExclusion.staff_id == staff_id).order_by(StaffExclusion.id)
    return session.scalars(stmt).all()


def get_post(session: Session, principal: Principal, post_id: int) -> Post | None:
    return session.scalar(scoped(select(Post).where(Post.id == post_id), principal, Post))


def active_posts_under(session: Session, principal: Principal, prefix: str) -> Sequence[Post]:
    stmt = scoped(select(Post).where(Post.status == ACTIVE), principal, Post)
    if prefix:
        stmt = stmt.where(Post.scope_code.startswith(prefix))
    return session.scalars(stmt).all()


def staff_named_at(session: Session, principal: Principal, name: str, role: str, scope_code: str) -> list[int]:
    """The staff records called ``name`` holding a current (active or pending) post of ``role`` at
    ``scope_code``: whom an account created from the command line is tied to (``users create --staff``)."""
    stmt = scoped(
        select(Post.staff_id).join(StaffMember, StaffMember.id == Post.staff_id)
        .where(StaffMember.name == name, Post.role == role, Post.scope_code == scope_code, Post.status != ENDED),
        principal, Post,
    )
    return sorted(set(session.scalars(stmt)))


def active_posts_of_grid(session: Session, principal: Principal, grid_code: str) -> list[tuple[Post, StaffMember]]:
    """The active posts of a grid and its micro-grids with their staff, leaders first: what a
    grid's public board lists (names and ``work_phone``, never the private phone)."""
    stmt = scoped(
        select(Post, StaffMember)
        .join(StaffMember, StaffMember.id == Post.staff_id)
        .where(Post.status == ACTIVE, Post.scope_code.startswith(grid_code)),
        principal,
        Post,
    )
    rows = session.execute(stmt.order_by(Post.scope_code, Post.id)).all()
    order = {"leader": 0, "fulltime": 1, "parttime": 2, "professional": 3, "liaison": 4, "volunteer": 5}
    return sorted(((p, s) for p, s in rows), key=lambda r: (len(r[0].scope_code), order.get(r[0].role, 9), r[0].id))


def open_posts_on_grids(session: Session, grid_codes: Sequence[str]) -> Sequence[Post]:
    """The posts not yet ended on these grids and their micro-grids (the system's view: the grids are
    retiring, whoever holds the posts)."""
    if not grid_codes:
        return []
    stmt = scoped(select(Post).where(Post.grid_code.in_(list(grid_codes)), Post.status != ENDED), SYSTEM, Post)
    return session.scalars(stmt.order_by(Post.grid_code, Post.id)).all()


def active_grids_under(session: Session, principal: Principal, prefix: str) -> Sequence[Grid]:
    stmt = scoped(select(Grid).where(Grid.status == GridStatus.ACTIVE), principal, Grid)
    if prefix:
        stmt = stmt.where(Grid.code.startswith(prefix))
    return session.scalars(stmt.order_by(Grid.code)).all()


def active_micro_grids_under(session: Session, principal: Principal, prefix: str) -> Sequence[MicroGrid]:
    stmt = scoped(select(MicroGrid).where(MicroGrid.status == GridStatus.ACTIVE), principal, MicroGrid)
    if prefix:
        stmt = stmt.where(MicroGrid.code.startswith(prefix))
    return session.scalars(stmt.order_by(MicroGrid.code)).all()


def register_roster_under(session: Session, principal: Principal, prefix: str,
                          kinds: Iterable[str]) -> list[tuple[str, str, str, int | None]]:
    """The active people of the volunteer register (issue 18) attached to micro-grids under ``prefix``,
    of these ``kinds``: (kind, grid code, micro-grid code, staff id of their linked account or None)."""
    stmt = scoped(select(Volunteer.kind, Volunteer.grid_code, Volunteer.micro_grid_code, User.staff_id)
                  .outerjoin(User, User.id == Volunteer.user_id)
                  .where(Volunteer.active.is_(True), Volunteer.micro_grid_code.is_not(None),
                         Volunteer.kind.in_(list(kinds))), principal, Volunteer)
    if prefix:
        stmt = stmt.where(Volunteer.place_code.startswith(prefix))
    return [tuple(row) for row in session.execute(stmt)]
