"""Which matters are in force where: the read side every other package asks (cases, instructions,
the public pages). Pure queries, no jurisdiction: the list of grid work is public (C5).

A place is governed by the lists of the areas above it that keep lists (the city's, its county's).
Matters on a ``negative`` list are the work that must *not* be given to grid staff; every other
kind (basic, admission, directory, matters) holds work that may. A matter is in force on a day when
its status is ``in_force`` and, if temporary, its end date has not passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from gridgov.catalogue.rules import IN_FORCE, NEGATIVE
from gridgov.db import Prebuilt
from gridgov.models import CatalogueList, Matter
from gridgov.territory import rules


def governing_areas(code: str) -> list[str]:
    """The area codes whose lists govern a place (an area, grid or micro-grid code): every area
    above it and itself (only the city's and counties' hold lists, but asking for all is cheap)."""
    area = code[:12] if len(code) > 12 else code
    return rules.ancestor_codes(area)


def in_force_on(day):
    """The condition on ``Matter`` of being in force on ``day`` (a temporary one until its end
    date): the one definition, for every query that asks."""
    return (Matter.status == IN_FORCE) & or_(Matter.temporary_until.is_(None), Matter.temporary_until >= day)


# The questions intake and instructions ask on every request are built once, with a fixed number of
# area parameters (a place has at most five areas above and at: province, city, county, town,
# village), so each run reuses the compiled statement instead of expanding an IN list.
_LEVELS = 5
_GOVERNED = CatalogueList.area_code.in_([bindparam(f"area{i}") for i in range(_LEVELS)])
MATTER_IN_FORCE = Prebuilt(
    select(Matter.__table__)  # the row, not the entity: callers read it, and the ORM would cost more
    .join(CatalogueList, CatalogueList.id == Matter.list_id)
    .where(Matter.code == bindparam("code"), _GOVERNED, CatalogueList.kind != NEGATIVE,
           in_force_on(bindparam("day")))
)
"""The statement of :func:`matter_in_force` (also run beside the case number, see
:func:`matter_params`)."""
_HAS_CATALOGUE = select(CatalogueList.id).where(_GOVERNED).limit(1)


def matter_params(place: str, code: str, day: date) -> dict:
    return {"code": code, "day": day, **_governed_by(place)}


def _governed_by(place: str) -> dict[str, str]:
    """The area parameters of the statements above (the last area repeated to fill them)."""
    codes = governing_areas(place)
    return {f"area{i}": codes[min(i, len(codes) - 1)] for i in range(_LEVELS)}


def matters_in_force(session: Session, place: str, day: date, *, negative: bool = False) -> Sequence[Matter]:
    """The matters in force at ``place`` on ``day``: the assignable ones, or (``negative``) those
    on a negative list."""
    kind = CatalogueList.kind == NEGATIVE if negative else CatalogueList.kind != NEGATIVE
    stmt = (
        select(Matter)
        .join(CatalogueList, CatalogueList.id == Matter.list_id)
        .where(CatalogueList.area_code.in_(governing_areas(place)), kind, in_force_on(day))
        .order_by(Matter.code)
    )
    return session.scalars(stmt).all()


def matter_in_force(session: Session, place: str, code: str, day: date):
    """The assignable matter ``code`` in force at ``place`` on ``day`` (None if it is not), as a
    row with the matter's columns."""
    return MATTER_IN_FORCE.first(session, matter_params(place, code, day))


def on_negative_list(session: Session, place: str, code: str, day: date) -> bool:
    stmt = (
        select(Matter.id)
        .join(CatalogueList, CatalogueList.id == Matter.list_id)
        .where(Matter.code == code, CatalogueList.area_code.in_(governing_areas(place)),
               CatalogueList.kind == NEGATIVE, in_force_on(day))
    )
    return session.scalar(stmt) is not None


def has_catalogue(session: Session, place: str) -> bool:
    """Whether any list governs ``place`` (before the first list exists, cases fall back to the
    profile's initial categories)."""
    return session.scalar(_HAS_CATALOGUE, _governed_by(place)) is not None
