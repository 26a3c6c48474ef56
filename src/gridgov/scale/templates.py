"""The paths a generated case follows, taken from the real services once per build.

A scratch SQLite database gets the demo city (10 grids); a handful of cases are driven through the
ordinary intake and :func:`gridgov.cases.actions.act` by the demo accounts, each path step by step,
and after every step the case is snapshotted: its columns, its file (every entry's action, role,
states, note, data), its clocks, its departments and supervision orders, every instant as an offset
from the report. The generator (:mod:`.cases`) replays a snapshot onto another grid at another time:
it swaps the area codes, shifts the instants, and chains the file afresh. So a generated case has
exactly the rows the services would have written along that path (verify-log, lists, statistics and
the sweep read them as theirs), at the cost of one scratch build (seconds) instead of ten million
service calls.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, casetypes, service
from gridgov.cases.categories import matter_of_type
from gridgov.cases.schemas import CaseCreate
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import upgrade
from gridgov.models import Case, CaseClock, CaseDepartment, CaseLogEntry, SupervisionOrder, User

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday: the paths' working days are ordinary ones
_SKIP_CASE = {"id", "case_no", "log_length", "log_head", "grid_code", "town_code", "county_code", "lon", "lat",
              "discovered_at", "created_at", "updated_at", "closed_at", "type_code", "category", "source"}
_TIMES = ("started_at", "due_at", "warn_at", "stopped_at", "warned_at", "overdue_at", "dispatched_at", "ended_at",
          "issued_at", "answered_at")


@dataclass
class Snapshot:
    """A case as it stood after some step of a path: ``state``; ``case``: its other columns;
    ``entries``/``clocks``/``departments``/``orders``: rows with instants as offsets (timedelta) from the
    report; ``closed``: offset of closed_at or None; ``span``: offset of the last entry."""

    name: str
    state: str
    source: str
    case: dict[str, Any]
    entries: list[dict[str, Any]]
    clocks: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    closed: timedelta | None
    span: timedelta
    actors: dict[int, str] = field(default_factory=dict)
    marked: list[str] = field(default_factory=list)
    """The case columns holding an area code (the generator fills them in per case)."""


@dataclass
class Templates:
    snapshots: dict[str, Snapshot]
    grid: str
    town: str
    county: str
    village: str
    matters: dict[str, str]
    """type code → the matter its cases fall under (the first the demo town may name)."""
    types: list[str]


def _rows(session: Session, model, case_id: int, order) -> list[dict[str, Any]]:
    out = []
    for obj in session.scalars(select(model).where(model.case_id == case_id).order_by(order)):
        row = {c.key: getattr(obj, c.key) for c in model.__mapper__.column_attrs if c.key not in ("id", "case_id")}
        for key in _TIMES:
            if row.get(key) is not None:
                row[key] = row[key] - T0
        out.append(row)
    return out


def _snapshot(session: Session, name: str, case_no: str) -> Snapshot:
    session.flush()
    case = session.scalar(select(Case).where(Case.case_no == case_no))
    entries = []
    for e in session.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq)):
        entries.append({"action": e.action, "actor_id": e.actor_id, "actor": e.actor, "role": e.role,
                        "at": e.at - T0, "from_state": e.from_state, "to_state": e.to_state, "note": e.note,
                        "data": e.data, "attachments": e.attachments})
    columns = {c.key: getattr(case, c.key) for c in Case.__mapper__.column_attrs if c.key not in _SKIP_CASE}
    return Snapshot(name, case.state, case.source, columns, entries, _rows(session, CaseClock, case.id, CaseClock.id),
                    _rows(session, CaseDepartment, case.id, CaseDepartment.id),
                    _rows(session, SupervisionOrder, case.id, SupervisionOrder.id),
                    None if case.closed_at is None else case.closed_at - T0, entries[-1]["at"])


class _Desk:
    def __init__(self, session: Session, profile, media: Path, cipher: FieldCipher) -> None:
        self.session, self.profile, self.media, self.cipher = session, profile, media, cipher
        self.snaps: dict[str, Snapshot] = {}

    def who(self, username: str) -> Principal:
        u = self.session.scalar(select(User).where(User.username == username))
        return Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                         scope_code=u.scope_code, department_code=u.department_code)

    def report(self, username: str, grid: str, source: str, at: timedelta, type_code: str) -> str:
        data = CaseCreate(title="占道经营堵塞通道", description="演示规模数据", source=source, grid_code=grid,
                          address="中山路 8 号", type=type_code, reporter_name="市民" if source != "patrol" else "",
                          reporter_phone="13900000000" if source in ("hotline", "resident") else "")
        return service.create_case(self.session, self.who(username), data, now=T0 + at, profile=self.profile,
                                   cipher=self.cipher, media_root=self.media).case.case_no

    def step(self, name: str | None, username: str, no: str, action: str, at: timedelta, **payload: Any) -> None:
        actions.act(self.session, self.who(username), no, action, payload, now=T0 + at, profile=self.profile,
                    media_root=self.media)
        if name:
            self.snap(name, no)

    def snap(self, name: str, no: str) -> None:
        self.snaps[name] = _snapshot(self.session, name, no)


PATHS: dict[str, tuple[str, ...]] = {}
"""Each path's snapshots in order (filled by :func:`_paths`): a case of that path reported ``age`` ago stands
at the last snapshot whose last entry is at most ``age`` after its report."""


def _path(desk: _Desk, name: str, steps: list[tuple], grid: str, source: str, reporter: str, type_code: str) -> None:
    no = desk.report(reporter, grid, source, timedelta(0), type_code)
    names = [f"{name}_0"]
    desk.snap(names[0], no)
    for k, (username, action, at, payload) in enumerate(steps, 1):
        names.append(f"{name}_{k}")
        desk.step(names[-1], username, no, action, at, **payload)
    PATHS[name] = tuple(names)


def _paths(desk: _Desk, grid: str, dept: str, type_code: str) -> None:
    h, d = timedelta(hours=1), timedelta(days=1)
    w, t, c, g = "worker", "town_dispatcher", "county_dispatcher", "dept_cg"
    sup = {"instruction": "请加快办理", "due_at": (T0 + 30 * d).isoformat()}
    loop = [(w, "escalate", 1 * h, {}), (t, "accept", 3 * h, {}), (t, "dispatch", 4 * h, {"lead_department": dept}),
            (g, "sign", 6 * h, {})]
    # a worker's own patrol: starts verified; solved on the spot, or escalated through the whole loop
    _path(desk, "site", [(w, "solve_on_site", 2 * h, {"result": "已现场劝离"}),
                         (t, "feedback", 5 * h, {"evaluation": "satisfied"})], grid, "patrol", w, type_code)
    _path(desk, "loop", [*loop, (g, "handle", 2 * d, {"result": "已清理占道摊点"}), (t, "check", 2 * d + 3 * h, {}),
                         (t, "feedback", 3 * d, {"evaluation": "satisfied"})], grid, "patrol", w, type_code)
    # a hotline call: verified by the worker, escalated, handled late (overdue), supervised on the way
    _path(desk, "late", [(w, "verify", 3 * h, {}), *[(u, a, at + 3 * h, p) for u, a, at, p in loop],
                         (c, "supervise", 12 * d, sup), (g, "handle", 40 * d, {"result": "已整改"}),
                         (t, "check", 41 * d, {}), (t, "feedback", 42 * d, {"evaluation": "basically_satisfied"})],
          grid, "hotline", t, type_code)
    # a hotline call handled in time
    _path(desk, "call", [(w, "verify", 3 * h, {}), *[(u, a, at + 3 * h, p) for u, a, at, p in loop],
                         (g, "handle", 3 * d, {"result": "已处理"}), (t, "check", 3 * d + 3 * h, {}),
                         (t, "feedback", 4 * d, {"evaluation": "satisfied"})], grid, "hotline", t, type_code)
    # a resident's report the worker finds groundless
    _path(desk, "rejected", [(w, "reject", 5 * h, {"reason": "经核实情况不属实"})], grid, "resident", t, type_code)
    # stuck: dispatched and signed, never handled, supervised (the overdue cases that linger open)
    _path(desk, "stuck", [*loop, (c, "supervise", 20 * d, sup)], grid, "patrol", w, type_code)


def capture(profile, *, work_dir: Path | None = None) -> Templates:
    """Drives the paths in a scratch SQLite database and returns their snapshots."""
    from gridgov.demo import build_demo
    from gridgov.territory.demo_loader import load_demo_city  # noqa: F401 (build_demo loads it)

    with tempfile.TemporaryDirectory(prefix="gridgov-scale-", dir=work_dir) as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'paths.db'}")
        upgrade(engine)
        cipher = FieldCipher("scale-templates-" + "k" * 40)
        with unit_of_work(make_sessionmaker(engine)) as session:
            build_demo(session, profile, grids=10, now=T0 - timedelta(days=400), cipher=cipher, people=0)
        with make_sessionmaker(engine)() as session:
            places = demo_places(session, profile_city(profile))
            dept = session.scalar(select(User.department_code).where(User.username == "dept_cg"))
            types = casetypes.load(None, profile)
            matters = {}
            for t in types.types:
                if t.is_class:
                    continue
                try:
                    matters[t.code] = matter_of_type(session, places.grid, t, T0, profile)
                except Exception:  # noqa: BLE001 (a type whose matter the demo town cannot name is left out)
                    continue
            first = next(iter(matters))
            desk = _Desk(session, profile, Path(tmp) / "media", cipher)
            _paths(desk, places.grid, dept, first)
            ids = {u.id: u.username for u in session.scalars(select(User))}
            for snap in desk.snaps.values():
                snap.actors = ids
            session.rollback()
        engine.dispose()
    grid = places.grid
    return Templates(desk.snaps, grid, places.town, grid[:6] + "000000", grid[:12], matters, list(matters))


def profile_city(profile) -> str:
    from gridgov.territory.demo import demo_city_of

    return demo_city_of(profile).area_code
