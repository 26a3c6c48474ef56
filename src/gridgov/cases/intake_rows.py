"""Writing a new case: its row, its file's first entry, its first clock and the notices it raises,
in as few round trips as the database allows.

Intake is the busiest write there is (every patrol, visit and hotline call), so it does not go
through the unit of work: the service builds the rows (the case, the first entry hashed before the
case is written, the report clock) and they are inserted here, with the case's ``create`` event in
the outbox (:mod:`gridgov.notify.events`), by statements built once. On
PostgreSQL they go in one statement (data-modifying CTEs: the case's new id feeds the other rows);
SQLite, which has no such CTEs but no network either, runs one INSERT per row. Both write the same
rows.

What every new case has in common (no department yet, version 1, one file entry, …) is written
as SQL constants and what repeats (the time, the grid, the urgency) as one parameter, which keeps
the PostgreSQL statement under the 50 parameters psycopg caches the parsing of. :func:`write`
checks the rows against both, so a change in the service cannot silently write something else.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from sqlalchemy import Select, bindparam, insert, literal_column, null, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gridgov.db import Prebuilt
from gridgov.models import Case, CaseClock, CaseLogEntry, User
from gridgov.models.accounts import GRID_WORKER_ROLES
from gridgov.models.analysis import CaseFact
from gridgov.notify import events, notice_to_each


class Row(SimpleNamespace):
    """A new row as intake builds and writes it: attributes named like the model's columns, outside
    any session (building ORM objects only to read them back costs more than the rest of the
    Python of an intake). Read the stored case with ``session.get(Case, row.id)`` to change it."""


_TABLES = {"case": Case.__table__, "entry": CaseLogEntry.__table__, "clock": CaseClock.__table__}

FIXED = {
    "case": {"lead_department_code": None, "extensions_used": 0, "extension_request_days": None, "rework_count": 0,
             "evaluation": None, "result": "", "closed_at": None, "version": 1, "log_length": 1},
    "entry": {"seq": 1, "from_state": ""},
    "clock": {"extensions": 0, "stopped_at": None, "final_status": None, "warned_at": None, "overdue_at": None},
}
"""Columns every new case's rows hold, written as constants."""

SAME = {
    "case": {"updated_at": "case_created_at"},
    "entry": {"at": "case_created_at", "actor_id": "case_created_by"},
    "clock": {"started_at": "case_discovered_at", "urgency": "case_urgency"},
}
"""Columns equal to a column of the case, written with the case's parameter."""


def _own(name: str) -> list[str]:
    """The columns of a row that take their own parameter (``{name}_{column}``)."""
    skip = {"id", "case_id", *FIXED[name], *SAME[name]}
    return [c.key for c in _TABLES[name].columns if c.key not in skip]


_OWN = {name: _own(name) for name in _TABLES}
_CREATED_AT = bindparam("case_created_at", type_=Case.__table__.c.created_at.type)


def write(session: Session, case: Row, entry: Row, clock: Row, *, tell_grid: str | None, notice: dict) -> int:
    """Inserts the case, ``entry`` and ``clock`` (their ``case_id`` set here) and, with
    ``tell_grid`` (the case's grid), a notice to each of its active workers (``notice``: see
    :func:`gridgov.notify.notice_params`); returns the case's id, also set on the rows."""
    rows = {"case": case, "entry": entry, "clock": clock}
    values = {f"{name}_{col}": getattr(row, col) for name, row in rows.items() for col in _OWN[name]}
    for name, row in rows.items():
        for col, expected in FIXED[name].items():
            if getattr(row, col) != expected:
                raise ValueError(f"新事件的 {name}.{col} 应为 {expected!r}，实为 {getattr(row, col)!r}")
        for col, param in SAME[name].items():
            if getattr(row, col) != values[param]:
                raise ValueError(f"新事件的 {name}.{col} 应与 {param} 相同")
    if tell_grid is not None:
        if tell_grid != case.grid_code or notice["now"] != case.created_at:
            raise ValueError("通知的网格和时间应与新事件相同")
        values.update({k: v for k, v in notice.items() if k not in ("now", "case_id")})
    values["event_id"] = events.new_event_id()  # the case-event outbox's ``create`` (gridgov.notify.events)
    conn = session.connection()  # Core statements, run on the cursor (see db.Prebuilt)
    if conn.dialect.name == "postgresql":
        case_id = _run(_one_statement, tell_grid is not None).scalar(conn, values)
    else:
        case_id = _run(_insert, "case").scalar(conn, values)
        values["case_id"] = case_id
        _run(_insert, "entry").rows(conn, values)
        _run(_insert, "clock").rows(conn, values)
        _run(_event).rows(conn, values)
        if tell_grid is not None:
            _run(_notices).rows(conn, values)
    case.id = entry.case_id = clock.case_id = case_id
    return case_id


_FACT = Prebuilt(insert(CaseFact.__table__))


def write_fact(session: Session, values: dict) -> None:
    """Inserts a new case's fact row (:func:`gridgov.cases.facts_store.save_new`: every column given)."""
    _FACT.rows(session, values)


@cache
def _run(build, *args) -> Prebuilt:
    """A statement below, ready to run."""
    return Prebuilt(build(*args))


def _values(name: str, case_id=None) -> dict:
    """Column → SQL for a row: its own parameters, the constants, the case's shared parameters."""
    table = _TABLES[name]
    out = {col: bindparam(f"{name}_{col}", type_=table.c[col].type) for col in _OWN[name]}
    out |= {col: _constant(v, table.c[col].type) for col, v in FIXED[name].items()}
    out |= {col: bindparam(param, type_=table.c[col].type) for col, param in SAME[name].items()}
    if case_id is not None:
        out["case_id"] = case_id
    return out


def _constant(value, type_):
    """A constant of the SQL text itself (not a parameter): NULL, a number or the empty string."""
    if value is None:
        return null()
    if value == "":
        return literal_column("''", type_)
    return literal_column(str(int(value)), type_)


@cache
def _insert(name: str):
    """One row's INSERT (the case's returns its id; the others take ``case_id``)."""
    table = _TABLES[name]
    if name == "case":
        return insert(table).values(_values(name)).returning(table.c.id)
    return insert(table).values(_values(name, bindparam("case_id")))


@cache
def _event():
    """SQLite: the case's ``create`` event in the outbox, after the case is in."""
    return events.insert_for_new_case(bindparam("case_id"))


@cache
def _notices():
    """SQLite: the notices to the grid's workers, after the case is in."""
    return notice_to_each("sqlite", _workers(), case_id=bindparam("case_id"), now=_CREATED_AT)


def grid_workers(grid) -> Select:
    """The ids of the active workers of ``grid`` (a code, or a parameter in a statement built once:
    the roles are constants rather than an IN list expanded on every run)."""
    return select(User.id).where(
        User.scope_code == grid, User.is_active.is_(True),
        User.role.in_([literal_column(f"'{r}'") for r in sorted(GRID_WORKER_ROLES)]),
    )


def _workers():
    """The case's grid's active workers (the grid is the case's own parameter)."""
    return grid_workers(bindparam("case_grid_code"))


@cache
def _one_statement(tell: bool):
    """PostgreSQL: the case inserted in a CTE whose id the entry, the clock and the notices use."""
    new_case = _insert("case").cte("new_case")
    ctes = []
    for name in ("entry", "clock"):
        values = _values(name)
        rows = select(new_case.c.id, *values.values())
        ctes.append(pg_insert(_TABLES[name]).from_select(["case_id", *values], rows).cte(f"new_{name}"))
    ctes.append(events.insert_for_new_case(new_case.c.id).cte("new_event"))
    if tell:
        workers = _workers().join_from(User, new_case, true())
        ctes.append(notice_to_each("postgresql", workers, case_id=new_case.c.id,
                                   now=_CREATED_AT).cte("told"))
    return select(new_case.c.id).add_cte(*ctes)
