"""Boundary history: the ``grid_versions`` rows that let the locator answer "which grid held this
point on date D".

A version is a grid's name, kind, households and boundary over ``[valid_from, valid_to)``; the
open row (``valid_to`` None) mirrors the ``grids`` row. Every write of grids (an import, the demo,
an adjustment taking effect) goes through :func:`record_versions`, which opens a row only when the
boundary, name or kind really changed, so re-importing the same file adds no history.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import get_visible
from gridgov.geo.locator import GridLocator
from gridgov.kit.clock import local
from gridgov.models import Grid
from gridgov.models.territory import GRID_KIND_LABELS, GridStatus, GridVersion
from gridgov.territory import repository as repo
from gridgov.territory.schemas import GridVersionRead

_CHUNK = 5000


def local_today(now: datetime) -> date:
    """The calendar date users live in (Asia/Shanghai) at the instant ``now``."""
    return local(now).date()


# ---------------------------------------------------------------- writing


def open_versions(session: Session, codes: Iterable[str]) -> dict[str, GridVersion]:
    """The current (open) version of each code that has one."""
    codes = list(codes)
    out: dict[str, GridVersion] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        stmt = select(GridVersion).where(GridVersion.grid_code.in_(chunk), GridVersion.valid_to.is_(None))
        for v in session.scalars(stmt):
            out[v.grid_code] = v
    return out


def _same(version: GridVersion, row: dict[str, Any]) -> bool:
    return version.geom_wkb == row["geom_wkb"] and version.name == row["name"] and version.kind == row["kind"]


def record_versions(
    session: Session,
    rows: Sequence[dict[str, Any]],
    *,
    valid_from: date,
    now: datetime,
    adjustment_id: int | None = None,
) -> int:
    """Bring the history in line with grid rows just written (dicts with code, name, kind,
    households, geom_wkb, status). A changed grid's open version is closed at ``valid_from`` and a
    new one opened; a retired grid's open version is closed; an unchanged grid keeps its row. A
    change dated on or before the open row's own start replaces that row's content instead of
    leaving an empty period. Returns how many versions were opened. Bulk statements only: the demo
    writes a thousand grids at once."""
    current = open_versions(session, [r["code"] for r in rows])
    new: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    replaced: list[dict[str, Any]] = []
    for row in rows:
        version = current.get(row["code"])
        if row.get("status", GridStatus.ACTIVE) == GridStatus.RETIRED:
            if version is not None:
                closed.append({"id": version.id, "valid_to": max(valid_from, version.valid_from)})
            continue
        content = {
            "name": row["name"],
            "kind": row["kind"],
            "households": row.get("households") or 0,
            "geom_wkb": row["geom_wkb"],
            "adjustment_id": adjustment_id,
        }
        if version is not None and _same(version, row):
            continue
        if version is not None and version.valid_from >= valid_from:
            replaced.append({"id": version.id, **content})
            continue
        if version is not None:
            closed.append({"id": version.id, "valid_to": valid_from})
        new.append({"grid_code": row["code"], "valid_from": valid_from, "valid_to": None, "created_at": now, **content})
    if closed:
        session.execute(update(GridVersion), closed)
    if replaced:
        session.execute(update(GridVersion), replaced)
    if new:
        session.execute(insert(GridVersion), new)
    return len(new)


def close_versions(session: Session, codes: Iterable[str], valid_to: date) -> None:
    """Close the open version of each code (a grid leaving service on ``valid_to``)."""
    closed = [
        {"id": v.id, "valid_to": max(valid_to, v.valid_from)} for v in open_versions(session, codes).values()
    ]
    if closed:
        session.execute(update(GridVersion), closed)


def backfill_versions(session: Session, *, now: datetime) -> int:
    """Open a version for every grid that has none (a database filled before history was kept),
    valid from the day the grid was created. Returns how many were written."""
    stmt = select(Grid).where(~exists().where(GridVersion.grid_code == Grid.code))
    rows = []
    for g in session.scalars(stmt):
        since = local_today(g.created_at)
        row = {
            "grid_code": g.code,
            "valid_from": since,
            "valid_to": ((local_today(g.retired_at) if g.retired_at else since)
                         if g.status == GridStatus.RETIRED else None),
            "name": g.name,
            "kind": g.kind,
            "households": g.households,
            "geom_wkb": g.geom_wkb,
            "adjustment_id": None,
            "created_at": now,
        }
        rows.append(row)
    if rows:
        session.execute(insert(GridVersion), rows)
        repo.bump_grids_version(session)  # dated locators built without these rows are stale
    return len(rows)


# ---------------------------------------------------------------- reading


def grid_history(session: Session, code: str) -> list[GridVersionRead]:
    """Every version of one grid, oldest first (the caller checks jurisdiction)."""
    stmt = select(GridVersion).where(GridVersion.grid_code == code).order_by(GridVersion.valid_from, GridVersion.id)
    out = []
    for v in session.scalars(stmt):
        geom = shapely.from_wkb(v.geom_wkb)
        out.append(
            GridVersionRead(
                id=v.id,
                grid_code=v.grid_code,
                valid_from=v.valid_from,
                valid_to=v.valid_to,
                name=v.name,
                kind=v.kind,
                kind_label=GRID_KIND_LABELS.get(v.kind, v.kind),
                households=v.households,
                adjustment_id=v.adjustment_id,
                geometry=shapely.geometry.mapping(geom),
            )
        )
    return out


def versions_on(session: Session, on: date, *, prefix: str = "") -> list[tuple[str, str, bytes]]:
    """(code, name, WKB) of every grid in service on ``on``; grids with no history at all count
    with their current row while active, so a database without history still answers."""
    valid = (GridVersion.valid_from <= on) & or_(GridVersion.valid_to.is_(None), GridVersion.valid_to > on)
    stmt = select(GridVersion.grid_code, GridVersion.name, GridVersion.geom_wkb, GridVersion.valid_from).where(valid)
    if prefix:
        stmt = stmt.where(GridVersion.grid_code.startswith(prefix))
    best: dict[str, tuple[str, bytes, date]] = {}
    for code, name, wkb, since in session.execute(stmt):
        if code not in best or since > best[code][2]:
            best[code] = (name, wkb, since)
    bare = select(Grid.code, Grid.name, Grid.geom_wkb).where(
        Grid.status == GridStatus.ACTIVE, ~exists().where(GridVersion.grid_code == Grid.code)
    )
    if prefix:
        bare = bare.where(Grid.code.startswith(prefix))
    out = [(code, name, wkb) for code, (name, wkb, _since) in best.items()]
    out.extend((code, name, wkb) for code, name, wkb in session.execute(bare))
    return out


class DatedLocator:
    """A locator of the grids in service on one date, with their names as they were then."""

    def __init__(self, rows: list[tuple[str, str, bytes]]) -> None:
        self.names = {code: name for code, name, _ in rows}
        geoms = shapely.from_wkb(np.array([wkb for _, _, wkb in rows], dtype=object)) if rows else []
        self.locator = GridLocator([code for code, _, _ in rows], list(geoms))


class _DatedCache:
    """A few dated locators per database, dropped when the grids' version counter moves."""

    SIZE = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int, date], DatedLocator] = OrderedDict()

    def get(self, session: Session, on: date) -> DatedLocator:
        bind = session.get_bind()
        db = getattr(bind, "engine", bind).url.render_as_string(hide_password=True)
        key = (db, repo.grids_version(session), on)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        built = DatedLocator(versions_on(session, on))
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


dated_locators = _DatedCache()


def locator_on(session: Session, on: date) -> DatedLocator:
    return dated_locators.get(session, on)


def access_history(session: Session, principal: Principal, code: str) -> list[GridVersionRead]:
    """The history of a grid inside the jurisdiction (retired grids included); 404 otherwise."""
    from gridgov.errors import NotFound

    grid = get_visible(session, principal, Grid, code)
    if grid is None:
        raise NotFound(f"网格 {code} 不存在")
    return grid_history(session, code)


def parse_day(value: str | None, label: str = "日期") -> date | None:
    """A YYYY-MM-DD date from a query or form field (None if blank); a Chinese 422 otherwise."""
    from gridgov.errors import Invalid

    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label} {text!r} 无效，应为 YYYY-MM-DD 格式的日期（如 2025-01-31）") from None
