"""Scoped queries of the care part (special-group tags, visits, the due list, finding a household).

Every query on a register table goes through :mod:`gridgov.authz.scope` (the door): what lies
outside the principal's jurisdiction is never read. The sweep, which works for the system, passes
``SYSTEM`` by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import String, and_, cast, func, or_, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible, scoped
from gridgov.models import Case, Grid, User
from gridgov.models.accounts import GRID_WORKER_ROLES
from gridgov.models.registry import Address, House, Person, PersonTag, Unit, Visit

GRID_CODE_LEN = 15


def person(session: Session, principal: Principal, person_id: int, *, for_update: bool = False) -> Person | None:
    return get_visible(session, principal, Person, person_id, for_update=for_update)


def house(session: Session, principal: Principal, house_id: int) -> House | None:
    return get_visible(session, principal, House, house_id)


def unit(session: Session, principal: Principal, unit_id: int) -> Unit | None:
    return get_visible(session, principal, Unit, unit_id)


def visit(session: Session, principal: Principal, visit_id: int, *, for_update: bool = False) -> Visit | None:
    return get_visible(session, principal, Visit, visit_id, for_update=for_update)


def address(session: Session, principal: Principal, address_id: int | None) -> Address | None:
    return get_visible(session, principal, Address, address_id)


def address_of_house(session: Session, principal: Principal, house_id: int | None) -> Address | None:
    if house_id is None:
        return None
    return session.scalar(scoped(select(Address).join(House, House.address_id == Address.id)
                                 .where(House.id == house_id), principal, Address))


def active_tags(session: Session, principal: Principal, person_ids: Sequence[int], *,
                indexes: Sequence[str] | None = None) -> list[PersonTag]:
    """The current tags (no ``until``) of these people the principal may see, of ``indexes`` if given."""
    if not person_ids:
        return []
    where = [PersonTag.person_id.in_(list(person_ids)), PersonTag.until.is_(None)]
    if indexes is not None:
        where.append(PersonTag.tag_index.in_(list(indexes)))
    return list(session.scalars(scoped(select(PersonTag).where(*where).order_by(PersonTag.id), principal,
                                       PersonTag)))


def people_of_house(session: Session, principal: Principal, house_id: int) -> list[Person]:
    return list(session.scalars(scoped(
        select(Person).where(Person.house_id == house_id, Person.status == "active", Person.archived_at.is_(None))
        .order_by(Person.id), principal, Person)))


def due_tags(session: Session, principal: Principal, *, prefix: str, indexes: Sequence[str], until: date,
             offset: int, limit: int) -> tuple[list[tuple[PersonTag, Person]], int]:
    """The current tags of ``indexes`` under ``prefix`` whose visit falls due by ``until``, earliest
    first, with their people; and how many there are."""
    if not indexes:
        return [], 0
    where = and_(PersonTag.until.is_(None), PersonTag.tag_index.in_(list(indexes)),
                 PersonTag.visit_due_on.is_not(None), PersonTag.visit_due_on <= until,
                 PersonTag.scope_code.startswith(prefix), Person.status == "active", Person.archived_at.is_(None))
    base = scoped(scoped(select(PersonTag, Person).join(Person, Person.id == PersonTag.person_id).where(where),
                         principal, PersonTag), principal, Person)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(PersonTag.visit_due_on, PersonTag.id).offset(offset).limit(limit)).all()
    return [(t, p) for t, p in rows], total


def overdue_by_grid(session: Session, principal: Principal, *, prefix: str, indexes: Sequence[str],
                    today: date) -> dict[str, int]:
    """Per grid under ``prefix``: how many current tags of ``indexes`` (of active people) have their
    visit overdue (due before ``today``), the due list's ``overdue`` rows counted."""
    if not indexes:
        return {}
    grid = func.substr(PersonTag.scope_code, 1, GRID_CODE_LEN)
    where = and_(PersonTag.until.is_(None), PersonTag.tag_index.in_(list(indexes)),
                 PersonTag.visit_due_on.is_not(None), PersonTag.visit_due_on < today,
                 PersonTag.scope_code.startswith(prefix), func.length(PersonTag.scope_code) >= GRID_CODE_LEN,
                 Person.status == "active", Person.archived_at.is_(None))
    stmt = scoped(scoped(select(grid, func.count()).select_from(PersonTag)
                         .join(Person, Person.id == PersonTag.person_id).where(where), principal, PersonTag),
                  principal, Person)
    return {g: n for g, n in session.execute(stmt.group_by(grid))}


def list_visits(session: Session, principal: Principal, *, prefix: str | None, person_id: int | None,
                house_id: int | None, unit_id: int | None, offset: int, limit: int) -> tuple[list[Visit], int]:
    where = []
    if prefix:
        where.append(Visit.scope_code.startswith(prefix))
    if person_id is not None:
        where.append(Visit.person_id == person_id)
    if house_id is not None:
        where.append(Visit.house_id == house_id)
    if unit_id is not None:
        where.append(Visit.unit_id == unit_id)
    stmt = scoped(select(Visit).where(*where), principal, Visit)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Visit.visited_at.desc(), Visit.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def names_of(session: Session, principal: Principal, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    stmt = scoped(select(Person.id, Person.name).where(Person.id.in_(person_ids)), principal, Person)
    return dict(session.execute(stmt).all())


def canonical_of_houses(session: Session, principal: Principal, house_ids: set[int]) -> dict[int, str]:
    if not house_ids:
        return {}
    return dict(session.execute(scoped(select(House.id, Address.canonical).join(
        Address, Address.id == House.address_id).where(House.id.in_(house_ids)), principal, House)).all())


def unit_names(session: Session, principal: Principal, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return dict(session.execute(scoped(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)), principal, Unit)).all())


def find_houses(session: Session, principal: Principal, text: str, *, limit: int) -> list[tuple[House, Address]]:
    """Households whose address contains ``text`` or where a person of that name lives, in the jurisdiction."""
    like = f"%{text}%"
    by_name = scoped(select(Person.house_id).where(Person.name.like(like), Person.house_id.is_not(None),
                                                   Person.status == "active"), principal, Person)
    stmt = scoped(scoped(select(House, Address).join(Address, Address.id == House.address_id)
                         .where(or_(Address.canonical.like(like), House.id.in_(by_name))), principal, House),
                  principal, Address)
    return [(h, a) for h, a in session.execute(stmt.order_by(Address.canonical).limit(limit)).all()]


def case_numbers(session: Session, principal: Principal, case_ids: set[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    stmt = scoped(select(Case.id, Case.case_no).where(Case.id.in_(case_ids)), principal, Case)
    return dict(session.execute(stmt).all())


def usernames(session: Session, principal: Principal, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    stmt = scoped(select(User.id, User.display_name).where(User.id.in_(user_ids)), principal, User)
    return dict(session.execute(stmt).all())


def visit_with_photo(session: Session, principal: Principal, sha256: str) -> bool:
    """Whether a visit the principal sees carries this photo (``sha256``: 64 hex digits, checked by
    the caller, so the pattern holds no wildcard)."""
    return session.scalar(scoped(select(Visit.id).where(cast(Visit.photos, String).like(f"%{sha256}%")).limit(1),
                                 principal, Visit)) is not None


def grid_name(session: Session, principal: Principal, code: str) -> str | None:
    return session.scalar(scoped(select(Grid.name).where(Grid.code == code), principal, Grid))


# ---------------------------------------------------------------- the sweep (system)


def claim_overdue(session: Session, principal: Principal, today: date) -> list[PersonTag]:
    """Marks the current tags whose visit is overdue and not yet warned about for this due date,
    and returns them: the conditional UPDATE is the claim (two sweeps at once cannot both take a row)."""
    stmt = scoped(update(PersonTag)
                  .where(PersonTag.until.is_(None), PersonTag.visit_due_on.is_not(None), PersonTag.visit_due_on < today,
                         or_(PersonTag.visit_warned_on.is_(None), PersonTag.visit_warned_on != PersonTag.visit_due_on))
                  .values(visit_warned_on=PersonTag.visit_due_on)
                  .returning(PersonTag.id), principal, PersonTag)
    ids = [row[0] for row in session.execute(stmt, execution_options={"synchronize_session": False})]
    if not ids:
        return []
    return list(session.scalars(scoped(select(PersonTag).where(PersonTag.id.in_(ids)).order_by(PersonTag.id),
                                       principal, PersonTag)))


def grid_workers(session: Session, principal: Principal, grid_codes: set[str]) -> list[User]:
    """The active grid workers serving these grids."""
    if not grid_codes:
        return []
    roles = [r.value for r in GRID_WORKER_ROLES]
    return list(session.scalars(scoped(select(User).where(User.scope_code.in_(grid_codes), User.role.in_(roles),
                                                          User.is_active.is_(True)).order_by(User.id),
                                       principal, User)))


def people_by_id(session: Session, principal: Principal, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(scoped(select(Person).where(Person.id.in_(ids)), principal, Person))}
