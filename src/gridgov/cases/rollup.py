"""The analysis store's counters kept up as cases change (issue 16; models/analysis_store.py).

``apply(session, old, new)`` is called right after a case's fact row is written, in the same
transaction, with the previous row (None for a new case) and the new one as dicts of the
``case_facts`` columns. It adds ``new - old`` to every cell the two rows fall in: one upsert
(``INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x``, SQLite ≥ 3.24 and PostgreSQL) per
changed cell, sent as one executemany, in a fixed order so two transactions never wait on each
other's cells crosswise. Cells are never deleted: one at ``rows = 0`` is an empty group.

``rebuild_cells(session)`` recomputes every cell from ``case_facts`` with GROUP BY
(``gridgov analysis rebuild``, and after a bulk load).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS, CaseFact
from gridgov.models.analysis_store import CELL_VALUES, DIMENSIONS, KEPT, LEVELS, FactCell

CellKey = tuple[str, int, str, date, str]


def dimension_key(dim: str, row: Mapping[str, Any]) -> str:
    """The key of a fact row in a dimension ('' when the case has none)."""
    value = row["worker_id"] if dim == "worker" else row[f"{dim}_code"]
    return "" if value is None else str(value)


def cell_values(row: Mapping[str, Any]) -> list[int]:
    """The additive values a fact row puts in each of its cells, in :data:`CELL_VALUES` order."""
    values = [1, *(int(row[c] or 0) for c in FACT_COUNTERS)]
    for d in FACT_DURATIONS:
        v = row[d]
        values += [0, 0] if v is None else [int(v), 1]
    return values


def cell_keys(row: Mapping[str, Any]) -> Iterable[CellKey]:
    """Every cell a fact row counts in."""
    month = row["reported_day"].replace(day=1)
    grid = row["grid_code"][:15]
    for level in LEVELS:
        yield ("all", level, grid[:level], month, "")
    for dim in DIMENSIONS:
        key = dimension_key(dim, row)
        for level in KEPT[dim]:
            yield (dim, level, grid[:level], month, key)
    for level in KEPT["day"]:
        yield ("day", level, grid[:level], row["reported_day"], "")


def deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[CellKey, list[int]]:
    """The non-zero changes ``new - old`` per cell."""
    out: dict[CellKey, list[int]] = {}
    for row, sign in ((old, -1), (new, 1)):
        if row is None:
            continue
        values = cell_values(row)
        for key in cell_keys(row):
            acc = out.setdefault(key, [0] * len(CELL_VALUES))
            for i, v in enumerate(values):
                acc[i] += sign * v
    return {k: v for k, v in out.items() if any(v)}


_KEYS = ("dim", "level", "area", "period", "key")


@lru_cache(maxsize=256)
def _upsert_sql(dialect: str, rows: int) -> str:
    """The upsert of ``rows`` cells as one driver statement (one round trip; built once per dialect
    and size: going through the SQL expression layer for the ~20 cells of a change costs more than
    the database's own work)."""
    mark = "?" if dialect == "sqlite" else "%s"
    names = (*_KEYS, *CELL_VALUES)
    one = f"({', '.join(mark for _ in names)})"
    sets = ", ".join(f"{c} = fact_cells.{c} + excluded.{c}" for c in CELL_VALUES)
    return (f"INSERT INTO fact_cells ({', '.join(names)}) VALUES {', '.join(one for _ in range(rows))} "
            f"ON CONFLICT ({', '.join(_KEYS)}) DO UPDATE SET {sets}")


def add(session: Session, changes: Mapping[CellKey, list[int]]) -> None:
    """Add ``changes`` to the cells (creating the missing ones), in key order, 32 cells a statement."""
    if not changes:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    iso = dialect == "sqlite"  # SQLite keeps dates as ISO text (as SQLAlchemy's Date writes them)
    rows = [(*k[:3], k[3].isoformat() if iso else k[3], k[4], *v) for k, v in sorted(changes.items())]
    for start in range(0, len(rows), 32):
        batch = rows[start:start + 32]
        conn.exec_driver_sql(_upsert_sql(dialect, len(batch)), tuple(x for r in batch for x in r))


def apply(session: Session, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
    """Move a case's contribution from its ``old`` fact row to its ``new`` one (either may be None)."""
    add(session, deltas(old, new))


def _month(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), CaseFact.reported_day), CaseFact.reported_day.type)
    return func.date(CaseFact.reported_day, literal_column("'start of month'"))


def _value_columns():
    cols = [func.count().label("rows"), *(func.sum(getattr(CaseFact, c)).label(c) for c in FACT_COUNTERS)]
    for d in FACT_DURATIONS:
        col = getattr(CaseFact, d)
        cols += [func.coalesce(func.sum(col), 0).label(f"{d}_sum"), func.count(col).label(f"{d}_n")]
    return cols


def rebuild_cells(session: Session) -> None:
    """Every cell recomputed: each dimension's finest level kept by one GROUP BY over ``case_facts``,
    the coarser levels by GROUP BY over those cells (a million cells instead of millions of rows).
    Constants are written inline (``literal_column``): PostgreSQL matches the GROUP BY expressions
    with the selected ones only when they are textually the same, which bound parameters are not."""
    session.execute(scoped(delete(FactCell), SYSTEM, FactCell))
    month = _month(session)
    keys = {
        "all": None,
        "day": None,
        "type": func.coalesce(CaseFact.type_code, literal_column("''")),
        "matter": func.coalesce(CaseFact.matter_code, literal_column("''")),
        "department": func.coalesce(CaseFact.department_code, literal_column("''")),
        "worker": func.coalesce(cast(CaseFact.worker_id, String), literal_column("''")),
    }
    target = ["dim", "level", "area", "period", "key", *CELL_VALUES]
    for dim, key in keys.items():
        finest, *coarser = sorted(KEPT[dim], reverse=True)
        area = func.substr(CaseFact.grid_code, literal_column("1"), literal_column(str(finest)))
        period = CaseFact.reported_day if dim == "day" else month
        groups = [area, period] if key is None else [area, period, key]
        query = select(
            literal_column(f"'{dim}'").label("dim"), literal_column(str(finest)).label("level"), area.label("area"),
            period.label("period"), (literal_column("''") if key is None else key).label("key"), *_value_columns(),
        ).group_by(*groups)
        session.execute(insert(FactCell).from_select(target, query))
        for level in coarser:
            cut = func.substr(FactCell.area, literal_column("1"), literal_column(str(level)))
            query = scoped(select(
                FactCell.dim, literal_column(str(level)).label("level"), cut.label("area"), FactCell.period,
                FactCell.key, *(func.sum(getattr(FactCell, c)).label(c) for c in CELL_VALUES),
            ), SYSTEM, FactCell).where(FactCell.dim == literal_column(f"'{dim}'"),
                                       FactCell.level == literal_column(str(finest))
                                       ).group_by(FactCell.dim, cut, FactCell.period, FactCell.key)
            session.execute(insert(FactCell).from_select(target, query))
