"""The sweep: mark clocks entering their warning zone or running overdue, and overdue supervision
orders, and tell whoever must act now.

Why it looks like this:

- It runs every minute in every server process (``gridgov serve``) and from cron (``gridgov cases
  sweep``), over every open case of a city (a million in the benchmark). So it is set-based: one
  conditional ``UPDATE … WHERE <due> AND <not yet marked> RETURNING id`` per kind of mark, then one
  ``INSERT … SELECT`` of notices per kind of recipient over the rows just claimed; Python never
  walks the open cases, only the ids the UPDATE handed back (in chunks, for the IN lists).
- The conditional UPDATE is the claim: two sweeps at once cannot both mark a row (PostgreSQL
  re-checks the WHERE after waiting for the other's row lock; SQLite serialises writers), so each
  notice is produced once; ``notifications.dedupe_key`` is unique and the insert skips conflicts,
  which backs the claim up (e.g. two sweeps that happen to share ``now``).
- The first statement of the sweep is a write, so on SQLite the transaction takes the write lock
  before it reads anything and a concurrent sweep waits instead of failing on a stale snapshot.
- A clock that is restarted or extended has its marks cleared (:mod:`gridgov.cases.clocks`), and the
  dedupe key carries the clock's due time, so the new deadline is warned about again.
- A clock found already overdue is marked warned too, but only the overdue notice goes out.

The WHERE clauses match the partial indexes ``ix_case_clocks_warn_open`` / ``ix_case_clocks_due_open``
(``… WHERE stopped_at IS NULL AND warned_at/overdue_at IS NULL``): they hold only the running,
unmarked clocks, so finding what fell due costs the same with a thousand open cases or a million.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from gridgov.cases import facts_store
from gridgov.cases.deadlines import CLOCK_LABELS, ClockKind
from gridgov.kit.types import UTCDateTime
from gridgov.models import Case, CaseClock, CaseDepartment, Notification, SupervisionOrder, User
from gridgov.models.accounts import AGENCY_ROLES, DEPARTMENT_ROLES, GRID_WORKER_ROLES

CHUNK = 5000
"""Ids per IN list (SQLite allows 32 766 bound parameters per statement)."""

AGENCY_VALUES = tuple(sorted(r.value for r in AGENCY_ROLES))
DEPARTMENT_VALUES = tuple(sorted(r.value for r in DEPARTMENT_ROLES))
WORKER_VALUES = tuple(sorted(r.value for r in GRID_WORKER_ROLES))

WARNING, OVERDUE = "warning", "overdue"
NOTICE_KINDS = {WARNING: "clock_warning", OVERDUE: "clock_overdue"}
EVENT_TEXT = {WARNING: "即将到期，请抓紧办理", OVERDUE: "已超期，请尽快办理"}

_clocks, _cases, _users = CaseClock.__table__, Case.__table__, User.__table__
_orders, _notices = SupervisionOrder.__table__, Notification.__table__
_case_depts = CaseDepartment.__table__


@dataclass
class SweepResult:
    """What one sweep marked and how many notices it stored (new ones only)."""

    warned: int = 0
    overdue: int = 0
    supervision_overdue: int = 0
    notices: int = 0

    def summary(self) -> str | None:
        """A line for the job log and the CLI; None when nothing fell due."""
        if not (self.warned or self.overdue or self.supervision_overdue):
            return None
        return (f"时限预警 {self.warned} 项，超期 {self.overdue} 项，督办超期 {self.supervision_overdue} 项，"
                f"发出提醒 {self.notices} 条")


def sweep(session: Session, now: datetime, profile=None) -> SweepResult:
    """Marks what fell due by ``now`` and notifies; never commits (the job or the CLI does).

    ``profile`` is accepted for the job signature; the deadlines were fixed when each clock started."""
    result = SweepResult()
    warned = _claim_clocks(session, "warned_at", _clocks.c.warn_at <= now, now)
    overdue = _claim_clocks(session, "overdue_at", _clocks.c.due_at < now, now)
    orders = _claim_orders(session, now)
    result.warned, result.overdue, result.supervision_overdue = len(warned), len(overdue), len(orders)
    _refresh_facts(session, [*warned, *overdue], now)
    for event, ids in ((WARNING, warned), (OVERDUE, overdue)):
        for chunk in _chunks(ids):
            result.notices += _clock_notices(session, chunk, event, now)
    for chunk in _chunks(orders):
        result.notices += _order_notices(session, chunk, now)
    return result


# ---------------------------------------------------------------------------------------------
# Claiming


def _claim_clocks(session: Session, mark: str, fell_due, now: datetime) -> list[int]:
    column = _clocks.c[mark]
    stmt = (
        update(_clocks)
        .where(fell_due, _clocks.c.stopped_at.is_(None), column.is_(None))
        .values({mark: now})
        .returning(_clocks.c.id)
    )
    ids = list(session.execute(stmt).scalars())
    _sync(session, CaseClock, ids, mark, now)
    return ids


def _refresh_facts(session: Session, clock_ids: list[int], now: datetime) -> None:
    """The fact rows of the cases whose clocks were just marked (a clock running overdue makes its
    case ``overdue``, docs/kpi.md), in the sweep's transaction."""
    case_ids: set[int] = set()
    for chunk in _chunks(clock_ids):
        case_ids.update(session.execute(select(_clocks.c.case_id).where(_clocks.c.id.in_(chunk))).scalars())
    if case_ids:
        facts_store.save_facts(session, case_ids, now)


def _claim_orders(session: Session, now: datetime) -> list[int]:
    stmt = (
        update(_orders)
        .where(_orders.c.due_at < now, _orders.c.answered_at.is_(None), _orders.c.overdue_at.is_(None))
        .values(overdue_at=now)
        .returning(_orders.c.id)
    )
    ids = list(session.execute(stmt).scalars())
    _sync(session, SupervisionOrder, ids, "overdue_at", now)
    return ids


def _sync(session: Session, model, ids: list[int], mark: str, now: datetime) -> None:
    """Tells rows the session already holds about the mark, so a caller acting in the same session
    afterwards (clearing the mark when a clock restarts) really writes its change."""
    claimed = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and obj.id in claimed:
            set_committed_value(obj, mark, now)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# ---------------------------------------------------------------------------------------------
# Notices, set-based


def _text(value: str):
    return literal(value, String)


def _epoch(column, dialect: str):
    """A deadline as Unix seconds, in text, the same on both databases (for dedupe keys)."""
    if dialect == "postgresql":
        return cast(cast(func.floor(func.extract("epoch", column)), BigInteger), String)
    return func.strftime(_text("%s"), column)


def _active(role_in: Sequence[str]):
    return and_(_users.c.is_active.is_(True), _users.c.role.in_(list(role_in)))


CLOCK_RECIPIENTS = (
    # (clock kinds, who): the agency handling the case, the lead department, the grid's workers, the
    # department an urgent case was sent to straight away (LZ§16) that has not acknowledged it.
    ((ClockKind.ACCEPTANCE, ClockKind.DISPATCH, ClockKind.HANDLING, ClockKind.FEEDBACK, ClockKind.EMERGENCY),
     lambda c: and_(_users.c.scope_code == c.handling_area_code, _active(AGENCY_VALUES))),
    ((ClockKind.HANDLING,),
     lambda c: and_(_users.c.department_code == c.lead_department_code, _active(DEPARTMENT_VALUES))),
    ((ClockKind.REPORT,),
     lambda c: and_(_users.c.scope_code == c.grid_code, _active(WORKER_VALUES))),
    ((ClockKind.EMERGENCY,),
     lambda c: and_(_active(DEPARTMENT_VALUES), _users.c.department_code.in_(
         select(_case_depts.c.department_code).where(
             _case_depts.c.case_id == c.case_id, _case_depts.c.part == "emergency",
             _case_depts.c.ended_at.is_(None))))),
)
"""Who must act when a clock warns or runs over."""


def _insert(session: Session, select_stmt) -> int:
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert if dialect == "sqlite" else insert
    columns = ["user_id", "kind", "message", "case_id", "link", "dedupe_key", "created_at"]
    stmt = make(_notices).from_select(columns, select_stmt)
    if make is not insert:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return len(session.execute(stmt.returning(_notices.c.id)).all())


def _claimed_clocks(ids: list[int], event: str, now: datetime):
    """The claimed clocks with their cases, materialised first: the join to users then runs over
    these few rows, never over the big ``cases`` table through a users-first plan."""
    stmt = (
        select(_clocks.c.kind, _clocks.c.due_at, _cases.c.id.label("case_id"), _cases.c.case_no, _cases.c.title,
               _cases.c.grid_code, _cases.c.handling_area_code, _cases.c.lead_department_code)
        .select_from(_clocks.join(_cases, _cases.c.id == _clocks.c.case_id))
        .where(_clocks.c.id.in_(ids))
    )
    if event == WARNING:
        stmt = stmt.where(_clocks.c.due_at >= now)  # already overdue: the overdue notice says it
    return stmt.cte("claimed").prefix_with("MATERIALIZED")


def _clock_notices(session: Session, ids: list[int], event: str, now: datetime) -> int:
    dialect = session.get_bind().dialect.name
    claimed_cte = _claimed_clocks(ids, event, now)
    claimed = claimed_cte.c
    label = case({str(k): v for k, v in CLOCK_LABELS.items()}, value=claimed.kind, else_=claimed.kind)
    message = (_text("事件 ") + claimed.case_no + _text("「") + claimed.title + _text("」的") + label
               + _text(EVENT_TEXT[event]))
    key = (_text("clock:") + claimed.case_no + _text(":") + claimed.kind + _text(":")
           + _epoch(claimed.due_at, dialect) + _text(f":{event}:") + cast(_users.c.id, String))
    stored = 0
    for kinds, who in CLOCK_RECIPIENTS:
        stmt = (
            select(_users.c.id, _text(NOTICE_KINDS[event]), message, claimed.case_id,
                   _text("/cases/") + claimed.case_no, key, literal(now, UTCDateTime()))
            .select_from(claimed_cte.join(_users, who(claimed)))
            .where(claimed.kind.in_([str(k) for k in kinds]))
        )
        stored += _insert(session, stmt)
    return stored


ORDER_RECIPIENTS = (
    # The target (the lead department, or the agency asked to follow up) and the issuer.
    lambda: and_(_users.c.department_code == _orders.c.target_department_code, _active(DEPARTMENT_VALUES)),
    lambda: and_(_users.c.scope_code == _orders.c.target_area_code, _active(AGENCY_VALUES)),
    lambda: and_(_users.c.id == _orders.c.issued_by, _users.c.is_active.is_(True)),
)


def _order_notices(session: Session, ids: list[int], now: datetime) -> int:
    message = _text("督办事件 ") + _cases.c.case_no + _text("「") + _cases.c.title + _text("」已超过督办期限，尚未答复")
    key = (_text("supervision:") + cast(_orders.c.id, String) + _text(":overdue:") + cast(_users.c.id, String))
    stored = 0
    for who in ORDER_RECIPIENTS:
        stmt = (
            select(_users.c.id, _text("supervision_overdue"), message, _cases.c.id,
                   _text("/cases/") + _cases.c.case_no, key, literal(now, UTCDateTime()))
            .select_from(_orders.join(_cases, _cases.c.id == _orders.c.case_id).join(_users, who()))
            .where(_orders.c.id.in_(ids))
        )
        stored += _insert(session, stmt)
    return stored
