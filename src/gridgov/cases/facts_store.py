"""Keeping ``case_facts`` in step with the cases: :func:`save_facts` rewrites the fact rows of the
cases a change touched, in the transaction of the change; :func:`rebuild` rewrites them all.

Called by every path that changes a case: intake (:func:`save_new`, on the rows intake has just
written, without reading them back), every action (:func:`gridgov.cases.actions.take_action`, both
cases of a merge), the sweep's warning and overdue marks (:mod:`.sweep`) and the answer to a
supervision order (:mod:`.supervision`). Each written row goes through
:func:`gridgov.cases.rollup.apply` (old, new) so pre-aggregates can follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.calendar import load_work_calendar
from gridgov.cases import facts, intake_rows, rollup
from gridgov.models import Case, CaseClock, CaseLogEntry
from gridgov.models.analysis import CaseFact

CHUNK = 500
"""Cases per batch (IN lists, and :func:`rebuild`'s pages)."""

_ENTRY_COLUMNS = (CaseLogEntry.case_id, CaseLogEntry.seq, CaseLogEntry.action, CaseLogEntry.at, CaseLogEntry.role,
                  CaseLogEntry.actor_id, CaseLogEntry.to_state, CaseLogEntry.data)
_COLUMNS = tuple(a.key for a in CaseFact.__mapper__.column_attrs)


def row_of(fact: CaseFact) -> dict[str, Any]:
    """A stored fact row as a dict (every column)."""
    return {key: getattr(fact, key) for key in _COLUMNS}


def derive_cases(session: Session, cases: Sequence[Case], now: datetime, calendar=None) -> dict[int, dict]:
    """The fresh fact rows of ``cases`` (by case id), read from their clocks and files."""
    ids = [c.id for c in cases]
    if not ids:
        return {}
    calendar = calendar if calendar is not None else load_work_calendar(session)
    clocks: dict[int, list] = {i: [] for i in ids}
    entries: dict[int, list] = {i: [] for i in ids}
    for clock in session.scalars(select(CaseClock).where(CaseClock.case_id.in_(ids))):
        clocks[clock.case_id].append(clock)
    for entry in session.execute(select(*_ENTRY_COLUMNS).where(CaseLogEntry.case_id.in_(ids))):
        entries[entry.case_id].append(entry)
    return {c.id: facts.derive(c, clocks[c.id], entries[c.id], now=now, calendar=calendar) for c in cases}


def save_facts(session: Session, case_ids: Iterable[int], now: datetime, *, calendar=None) -> int:
    """Rewrites the fact rows of ``case_ids`` (insert or update) from their cases as they stand in
    this session (flushed first); returns how many rows changed. Never commits."""
    ids = sorted({int(i) for i in case_ids if i is not None})
    if not ids:
        return 0
    session.flush()
    calendar = calendar if calendar is not None else load_work_calendar(session)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        cases = list(session.scalars(scoped(select(Case), SYSTEM, Case).where(Case.id.in_(chunk))))
        fresh = derive_cases(session, cases, now, calendar)
        stored = {f.case_id: f for f in session.scalars(
            scoped(select(CaseFact), SYSTEM, CaseFact).where(CaseFact.case_id.in_(chunk)))}
        for case_id, new in fresh.items():
            changed += _write(session, case_id, stored.get(case_id), new, now)
    session.flush()
    return changed


def _write(session: Session, case_id: int, fact: CaseFact | None, new: dict[str, Any], now: datetime) -> int:
    if fact is None:
        fact = CaseFact(case_id=case_id, computed_at=now, **new)
        session.add(fact)
        rollup.apply(session, None, {"case_id": case_id, **new, "computed_at": now})
        return 1
    old = row_of(fact)
    if facts.same(old, new):
        return 0
    for key, value in new.items():
        setattr(fact, key, value)
    fact.computed_at = now
    rollup.apply(session, old, {"case_id": case_id, **new, "computed_at": now})
    return 1


def save_new(session: Session, case, entry, clock, now: datetime) -> None:
    """The fact row of a case intake has just written (:mod:`.intake_rows`), from the rows it wrote:
    one INSERT, nothing read back (a new case has spanned no working day yet)."""
    new = facts.derive(case, [clock], [entry], now=now, calendar=None)
    intake_rows.write_fact(session, {"case_id": case.id, "computed_at": now, **new})
    rollup.apply(session, None, {"case_id": case.id, **new, "computed_at": now})


def rebuild(session: Session, now: datetime, *, batch: int = CHUNK) -> int:
    """Rewrites every case's fact row in batches of ``batch`` cases; returns how many changed.
    Never commits (the CLI does)."""
    calendar = load_work_calendar(session)
    changed, last = 0, 0
    while True:
        page = scoped(select(Case.id), SYSTEM, Case).where(Case.id > last).order_by(Case.id).limit(batch)
        ids = list(session.scalars(page))
        if not ids:
            return changed
        changed += save_facts(session, ids, now, calendar=calendar)
        last = ids[-1]
        for obj in [o for o in session.identity_map.values() if isinstance(o, (Case, CaseClock, CaseFact))]:
            session.expunge(obj)  # flushed by save_facts: a province's rebuild holds one batch at a time
