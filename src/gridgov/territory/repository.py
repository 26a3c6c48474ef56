"""Territory queries. Lists take the acting principal and pass through the one scope door
(:mod:`gridgov.authz.scope`); ``prefix`` narrows further to one area."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.db import Prebuilt
from gridgov.models import Area, Counter, Grid, MicroGrid, User
from gridgov.models.territory import AdjustmentStatus, GridAdjustment, GridStatus, GridVersion

GRIDS_VERSION = "grids_version"


def get_area(session: Session, code: str) -> Area | None:
    return session.get(Area, code)


def top_area_code(session: Session) -> str | None:
    """The code of the first area with no parent (the city), read as the system."""
    stmt = scoped(select(Area.code).where(Area.parent_code.is_(None)), SYSTEM, Area)
    return session.scalar(stmt.order_by(Area.code).limit(1))


def write_rows(session: Session, model, new: list[dict], changed: list[dict]) -> None:
    """Bulk INSERT of ``new`` rows and bulk UPDATE (by primary key) of ``changed`` ones of an
    area, grid or micro-grid table: import writes, every code checked by ``covers()`` first."""
    if new:
        session.execute(insert(model), new)
    if changed:
        session.execute(update(model), changed)


def get_areas(session: Session, codes: Iterable[str]) -> dict[str, Area]:
    """Areas by code, unscoped: callers use it for names of areas they may already see."""
    codes = list(codes)
    if not codes:
        return {}
    return {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(codes)))}


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the users a row already opened through the door names (who proposed,
    decided, filed): the system reads them, as names only."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(scoped(select(User.id, User.display_name).where(User.id.in_(ids)), SYSTEM, User)).all())


def list_child_areas(session: Session, principal: Principal, parent_code: str | None) -> Sequence[Area]:
    """Areas directly under ``parent_code``; with None, the top areas (no parent row)."""
    stmt = scoped(select(Area), principal, Area, ancestors=True).order_by(Area.code)
    if parent_code is None:
        stmt = stmt.where(Area.parent_code.is_(None))
    else:
        stmt = stmt.where(Area.parent_code == parent_code)
    return session.scalars(stmt).all()


def count_children(session: Session, principal: Principal, codes: Sequence[str]) -> dict[str, int]:
    if not codes:
        return {}
    stmt = scoped(
        select(Area.parent_code, func.count()).where(Area.parent_code.in_(codes)), principal, Area, ancestors=True
    ).group_by(Area.parent_code)
    return {parent: n for parent, n in session.execute(stmt)}


def _active_grids(stmt, prefix: str):
    """``stmt``, already through the door, narrowed to the active grids under ``prefix``."""
    stmt = stmt.where(Grid.status == GridStatus.ACTIVE)
    return stmt.where(Grid.code.startswith(prefix)) if prefix else stmt


def count_active_grids_under(session: Session, principal: Principal, prefix: str) -> int:
    return session.scalar(_active_grids(scoped(select(func.count()).select_from(Grid), principal, Grid), prefix)) or 0


def count_active_grids_by_prefix(
    session: Session, principal: Principal, length: int, under: str = ""
) -> dict[str, int]:
    """Active grids counted by the first ``length`` digits of their code (one grouped query)."""
    head = func.substr(Grid.code, 1, length)
    stmt = _active_grids(scoped(select(head, func.count()).select_from(Grid), principal, Grid), under).group_by(head)
    return {prefix: n for prefix, n in session.execute(stmt)}


def count_areas_by_level(session: Session, principal: Principal) -> dict[str, int]:
    stmt = scoped(select(Area.level, func.count()), principal, Area, ancestors=True).group_by(Area.level)
    return {level: n for level, n in session.execute(stmt)}


def list_areas_under(session: Session, principal: Principal, prefix: str) -> Sequence[Area]:
    stmt = scoped(select(Area).where(Area.code.startswith(prefix)), principal, Area)
    return session.scalars(stmt.order_by(Area.code)).all()


def get_grid(session: Session, code: str) -> Grid | None:
    return session.get(Grid, code)


def _grid_filter(stmt, prefix: str | None, q: str | None, include_retired: bool):
    """``stmt``, already through the door, narrowed by the list's filter."""
    if prefix:
        stmt = stmt.where(Grid.code.startswith(prefix))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Grid.name.like(like), Grid.code.like(like)))
    if not include_retired:
        stmt = stmt.where(Grid.status == GridStatus.ACTIVE)
    return stmt


def list_grids(
    session: Session,
    principal: Principal,
    *,
    prefix: str | None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
    include_retired: bool = False,
) -> tuple[Sequence[Grid], int]:
    count = _grid_filter(scoped(select(func.count()).select_from(Grid), principal, Grid), prefix, q, include_retired)
    total = session.scalar(count) or 0
    rows = session.scalars(
        _grid_filter(scoped(select(Grid), principal, Grid), prefix, q, include_retired)
        .order_by(Grid.code).offset(offset).limit(limit)
    ).all()
    return rows, total


def list_grids_with_geometry(
    session: Session, principal: Principal, *, prefix: str | None, include_retired: bool = False
) -> Sequence[Grid]:
    stmt = _grid_filter(scoped(select(Grid), principal, Grid), prefix, None, include_retired)
    return session.scalars(stmt.order_by(Grid.code)).all()


def active_grid_geometries(session: Session) -> list[tuple[str, bytes]]:
    """(code, WKB) of every active grid, for building the locator (the system's own view)."""
    rows = session.execute(select(Grid.code, Grid.geom_wkb).where(Grid.status == GridStatus.ACTIVE))
    return [(code, wkb) for code, wkb in rows]


def grid_codes_and_status(session: Session, codes: Iterable[str]) -> dict[str, str]:
    codes = list(codes)
    out: dict[str, str] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        out.update(session.execute(select(Grid.code, Grid.status).where(Grid.code.in_(chunk))).all())
    return out


def existing_codes(session: Session, model, codes: Iterable[str]) -> set[str]:
    codes = list(codes)
    found: set[str] = set()
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        found.update(session.scalars(select(model.code).where(model.code.in_(chunk))))
    return found


def list_micro_grids(session: Session, grid_code: str) -> Sequence[MicroGrid]:
    return session.scalars(select(MicroGrid).where(MicroGrid.grid_code == grid_code).order_by(MicroGrid.code)).all()


def list_micro_grids_under(session: Session, principal: Principal, prefix: str | None) -> Sequence[MicroGrid]:
    stmt = scoped(select(MicroGrid), principal, MicroGrid).order_by(MicroGrid.code)
    if prefix:
        stmt = stmt.where(MicroGrid.code.startswith(prefix))
    return session.scalars(stmt).all()


_counters = Counter.__table__
_VERSION_OF_GRIDS = select(_counters.c.value).where(_counters.c.name == GRIDS_VERSION)
_GRIDS_VERSION = Prebuilt(_VERSION_OF_GRIDS)  # every locate asks
GRIDS_VERSION_NOW = _VERSION_OF_GRIDS.scalar_subquery()
"""The grids' version, to read beside something else: a transaction that does hands it to
:func:`note_grids_version`, and :func:`grids_version` then answers without a round trip."""
_NOTED = "gridgov_grids_version"


def grids_version(session: Session) -> int:
    noted = session.info.get(_NOTED)
    if noted is not None and noted[0] is session.get_transaction():
        return noted[1]
    return _GRIDS_VERSION.scalar(session, {}) or 0


def note_grids_version(session: Session, version: int | None) -> None:
    """The grids' version as a statement of the session's current transaction just read it (see
    GRIDS_VERSION_NOW): :func:`grids_version` gives it for the rest of that transaction."""
    session.info[_NOTED] = (session.get_transaction(), version or 0)


def bump_grids_version(session: Session) -> None:
    """Tell every process's locator that the grids changed (they compare this number)."""
    session.info.pop(_NOTED, None)
    updated = session.execute(
        update(Counter).where(Counter.name == GRIDS_VERSION).values(value=Counter.value + 1)
    ).rowcount
    if not updated:
        session.add(Counter(name=GRIDS_VERSION, value=1))
        session.flush()


# ---------------------------------------------------------------- adjustments


def list_adjustments(session: Session, principal: Principal, *, status: str | None,
                     limit: int) -> Sequence[GridAdjustment]:
    stmt = scoped(select(GridAdjustment), principal, GridAdjustment)
    if status:
        stmt = stmt.where(GridAdjustment.status == status)
    return session.scalars(stmt.order_by(GridAdjustment.id.desc()).limit(limit)).all()


def adjustments_of_town(session: Session, town: str, statuses: Iterable[str]) -> Sequence[GridAdjustment]:
    """The adjustments of a town (already checked by the door) in one of ``statuses``."""
    stmt = select(GridAdjustment).where(GridAdjustment.town_code == town, GridAdjustment.status.in_(list(statuses)))
    return session.scalars(stmt).all()


def unapplied_adjustments(session: Session, statuses: Iterable[str], today: date) -> Sequence[GridAdjustment]:
    """Adjustments in one of ``statuses``, dated today or before and not applied, oldest first (system)."""
    stmt = (
        select(GridAdjustment)
        .where(
            GridAdjustment.status.in_(list(statuses)),
            GridAdjustment.effective_on <= today,
            GridAdjustment.applied_at.is_(None),
        )
        .order_by(GridAdjustment.effective_on, GridAdjustment.id)
    )
    return session.scalars(stmt).all()


def claim_adjustment(session: Session, adj: GridAdjustment, ready_status: str, *, now: datetime) -> bool:
    """Conditional UPDATE: the adjustment takes effect once (of two processes, one wins)."""
    return session.execute(
        update(GridAdjustment)
        .where(
            GridAdjustment.id == adj.id,
            GridAdjustment.status == ready_status,
            GridAdjustment.applied_at.is_(None),
        )
        .values(status=AdjustmentStatus.EFFECTIVE, applied_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def retire_grids(session: Session, codes: Sequence[str], *, now: datetime) -> None:
    """The grids and their micro-grids retire (an applied plan whose codes the door checked)."""
    session.execute(
        update(Grid).where(Grid.code.in_(codes))
        .values(status=GridStatus.RETIRED, retired_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MicroGrid).where(MicroGrid.grid_code.in_(codes)).values(status=GridStatus.RETIRED)
        .execution_options(synchronize_session=False)
    )


def outlines_before(session: Session, codes: Sequence[str], day: date) -> dict[str, tuple[str, bytes]]:
    """(name, outline) of each grid the day before ``day``: its latest version before the date,
    else the grid as it is now (not yet changed)."""
    before: dict[str, tuple[str, bytes]] = {}
    if not codes:
        return before
    stmt = (
        select(GridVersion.grid_code, GridVersion.name, GridVersion.geom_wkb)
        .where(GridVersion.grid_code.in_(codes), GridVersion.valid_from < day)
        .order_by(GridVersion.valid_from, GridVersion.id)
    )
    for code, name, wkb in session.execute(stmt):
        before[code] = (name, wkb)  # the latest one before the date wins
    for g in session.scalars(select(Grid).where(Grid.code.in_([c for c in codes if c not in before]))):
        before[g.code] = (g.name, g.geom_wkb)
    return before


# ---------------------------------------------------------------- what an import would change


def grids_by_code(session: Session, codes: Iterable[str]) -> dict[str, Grid]:
    """The grids of these codes (an import's codes, each checked by ``covers()`` first)."""
    codes = list(codes)
    out: dict[str, Grid] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        stmt = scoped(select(Grid).where(Grid.code.in_(chunk)), SYSTEM, Grid)  # codes are unique city-wide
        out.update((g.code, g) for g in session.scalars(stmt))
    return out


def villages_with_active_grids(session: Session, villages: Iterable[str]) -> set[str]:
    """Which of these villages already have an active grid (an import's villages, checked by ``covers()``)."""
    villages = list(villages)
    found: set[str] = set()
    for start in range(0, len(villages), 5000):
        chunk = villages[start : start + 5000]
        stmt = scoped(select(Grid.area_code).where(Grid.area_code.in_(chunk), Grid.status == GridStatus.ACTIVE),
                      SYSTEM, Grid).distinct()
        found.update(session.scalars(stmt))
    return found
