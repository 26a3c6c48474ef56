"""Generated cases: the paths of :mod:`.templates` replayed onto the province's grids over three years.

Per case: a grid (skewed: some grids far busier than others), a report instant (uniform over the
years, office hours more likely), a path (:data:`MIX`: most closed, some rejected, a few stuck open
and overdue) and a type from the shipped case-type table with the matter it falls under. The case
stands where its path had got to by ``now`` (a case reported an hour ago on a three-day path is
still in progress), so open cases are the recent ones plus the stuck ones, as in a real city.

Rows written per case, as the services write them: the case (numbered per county and day, the
reporter's phone sealed with the deployment's cipher for calls and residents' reports), its file
chained afresh (:func:`gridgov.cases.file.entry_hash`, ``log_length``/``log_head`` on the case),
its clocks (the sweep's warning and overdue marks set where the sweep would have set them by
``now``), its departments and supervision orders, and its statistics row
(:func:`gridgov.cases.facts.derive`, the function :func:`gridgov.cases.facts_store.rebuild` runs).
Actors are the demo accounts where the case lies in the demo town; elsewhere a generated name and
no account (the file keeps the name, as for an account deleted since).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.calendar import load_work_calendar
from gridgov.cases import casetypes, facts
from gridgov.cases.file import GENESIS
from gridgov.cases.numbering import format_case_no
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.masking import mask_phone
from gridgov.models import Case, CaseClock, CaseDepartment, CaseLogEntry, Grid, SupervisionOrder, User
from gridgov.models.analysis import CaseFact
from gridgov.models.cases import CaseNumber
from gridgov.models.territory import GridStatus
from gridgov.scale.templates import PATHS, Templates

MIX = (("site", 0.35), ("loop", 0.30), ("call", 0.22), ("late", 0.05), ("rejected", 0.075), ("stuck", 0.005))
"""Share of each path (:mod:`.templates`): solved on the spot, the whole loop, a call handled in time, a
call handled late (overdue, supervised), a report rejected, a case stuck open past its deadline."""
HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 8, 10, 12, 12, 12, 10, 8, 6, 4, 3, 2, 1], dtype=float)
"""Relative weight of each local hour of the day for a report."""
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑"
ROADS = ["幸福路", "人民路", "建设路", "和平街", "解放路", "新华街", "朝阳路", "文化路", "光明街", "长江路"]
_CODES = ("grid", "village", "town", "county")
_MARK = {"grid": "\x00G", "village": "\x00V", "town": "\x00T", "county": "\x00C"}


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _hash(prev: str, row: dict[str, Any], case_no: str) -> str:
    """:func:`gridgov.cases.file.entry_hash` of a generated entry, without its generic field handling
    (the rows here are built with every field present and typed): the same bytes, several times faster.
    The tests check the chains with ``verify-log``."""
    body = {"case_no": case_no, "seq": row["seq"], "action": row["action"], "actor_id": row["actor_id"],
            "actor": row["actor"], "role": row["role"], "at": row["at"].astimezone(SHANGHAI).isoformat(
                timespec="microseconds"), "from_state": row["from_state"] or "", "to_state": row["to_state"] or "",
            "note": row["note"] or "", "data": row["data"], "attachments": row["attachments"] or [], "prev_hash": prev}
    return hashlib.sha256(_ENCODE(body).encode("utf-8")).hexdigest()


def _placeholders(value: Any, codes: dict[str, str]) -> Any:
    """The template's area codes replaced by markers, recursively (strings only)."""
    if isinstance(value, str):
        for key in _CODES:
            value = value.replace(codes[key], _MARK[key])
        return value
    if isinstance(value, dict):
        return {k: _placeholders(v, codes) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, codes) for v in value]
    return value


def _has_mark(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_mark(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_mark(v) for v in value)
    return False


def _fill(value: Any, place: dict[str, str]) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            for key in _CODES:
                value = value.replace(_MARK[key], place[key])
        return value
    if isinstance(value, dict):
        return {k: _fill(v, place) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, place) for v in value]
    return value


class CaseGenerator:
    """Makes the rows of generated cases, chunk by chunk (:meth:`rows`)."""

    def __init__(self, session: Session, templates: Templates, profile, *, now: datetime, cipher, years: int = 3,
                 seed: int = 19) -> None:
        self.t, self.now, self.cipher, self.seed = templates, now.astimezone(UTC), cipher, seed
        self.start = self.now - timedelta(days=365 * years)
        codes = {"grid": templates.grid, "village": templates.village, "town": templates.town,
                 "county": templates.county}
        self.snaps = {}
        for name, snap in templates.snapshots.items():
            s = copy.deepcopy(snap)
            s.case = _placeholders(s.case, codes)
            s.entries = [_placeholders(e, codes) for e in s.entries]
            for e in s.entries:
                e["marked"] = _has_mark(e["data"])
            s.marked = [k for k, v in s.case.items() if isinstance(v, str) and "\x00" in v]
            s.departments = [_placeholders(d, codes) for d in s.departments]
            s.orders = [_placeholders(o, codes) for o in s.orders]
            self.snaps[name] = s
        rows = session.execute(scoped(select(Grid.code, Grid.geom_wkb).where(Grid.status == GridStatus.ACTIVE)
                                      .order_by(Grid.code), SYSTEM, Grid)).all()
        self.grids = [r.code for r in rows]
        centres = shapely.centroid(shapely.from_wkb([r.geom_wkb for r in rows]))
        self.lon, self.lat = shapely.get_x(centres), shapely.get_y(centres)
        weight = np.random.default_rng(seed).pareto(1.5, len(self.grids)) + 1.0
        self.grid_p = weight / weight.sum()
        users = dict(session.execute(select(User.username, User.id)).all())
        self.user_of = {old: users.get(name) for old, name in next(iter(templates.snapshots.values())).actors.items()}
        from gridgov.accounts.demo import demo_places
        from gridgov.scale.templates import profile_city
        self.demo_town = demo_places(session, profile_city(profile)).town
        self.calendar = load_work_calendar(session)
        types = casetypes.load(None, profile)
        self.types = [(code, types.get(code).name, templates.matters[code]) for code in templates.types]
        self.counters = {(c, d): n for c, d, n in session.execute(select(CaseNumber.county_code, CaseNumber.day,
                                                                         CaseNumber.last))}
        self.touched: set = set()
        self.fact_cache: dict = {}
        self.next_case = (session.scalar(select(func.max(Case.id))) or 0) + 1
        self.next_order = (session.scalar(select(func.max(SupervisionOrder.id))) or 0) + 1
        self.paths = [name for name, _ in MIX]
        self.path_p = np.array([p for _, p in MIX]) / sum(p for _, p in MIX)

    def rows(self, n: int) -> dict[str, list[dict[str, Any]]]:
        """The rows of the next ``n`` cases (deterministic for the seed and the first case id)."""
        first = self.next_case
        rng = np.random.default_rng([self.seed, first])
        prng = random.Random(self.seed * 1_000_003 + first)
        g = rng.choice(len(self.grids), size=n, p=self.grid_p)
        span_s = int((self.now - self.start).total_seconds())
        days = rng.integers(0, span_s // 86400, n)
        hours = rng.choice(24, size=n, p=HOURS / HOURS.sum())
        secs = rng.integers(0, 3600, n)
        paths = rng.choice(len(self.paths), size=n, p=self.path_p)
        kinds = rng.integers(0, len(self.types), n)
        out: dict[str, list] = {"cases": [], "case_log": [], "case_clocks": [], "case_departments": [],
                                "supervision_orders": [], "case_facts": []}
        base = self.start.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
        for k in range(n):
            t0 = base + timedelta(days=int(days[k]), hours=int(hours[k]), seconds=int(secs[k]))
            if t0 >= self.now:
                t0 = self.now - timedelta(minutes=5 + k % 600)
            self._case(out, self.next_case, t0, int(g[k]), self.paths[paths[k]], self.types[kinds[k]], prng, rng)
            self.next_case += 1
        return out

    def _snapshot(self, path: str, age: timedelta, pick: int):
        """Where a case of ``path`` reported ``age`` ago stands; a stuck case stopped at any step of its
        path (``pick``), so the lingering open cases wait on every party in turn."""
        names = [n for n in PATHS[path] if self.snaps[n].span <= age] or [PATHS[path][0]]
        return self.snaps[names[pick % len(names)] if path == "stuck" else names[-1]]

    def _case(self, out, case_id: int, t0: datetime, g: int, path: str, kind, prng: random.Random, rng) -> None:
        snap = self._snapshot(path, self.now - t0, case_id)
        grid = self.grids[g]
        place = {"grid": grid, "village": grid[:12], "town": grid[:9] + "000", "county": grid[:6] + "000000"}
        in_demo = place["town"] == self.demo_town
        type_code, type_name, matter = kind
        day = t0.astimezone(SHANGHAI).date()
        key = (place["county"], day)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        self.touched.add(key)
        case_no = format_case_no(place["county"], day, seq)
        order_ids = []
        for o in snap.orders:
            order_ids.append(self.next_order)
            out["supervision_orders"].append(self._order(o, case_id, t0, place))
            out["supervision_orders"][-1]["id"] = self.next_order
            self.next_order += 1

        def who(old_id):
            return self.user_of.get(old_id) if in_demo and old_id is not None else None

        entries, prev = [], GENESIS
        for seq_no, e in enumerate(snap.entries, 1):
            data = _fill(e["data"], place) if e["marked"] else e["data"]
            if data:
                if e["action"] == "create":
                    data = {**data, "type": type_code, "category": matter}
                if "supervision_order" in data and order_ids:
                    data = {**data, "supervision_order": order_ids[0],
                            "due_at": (t0 + snap.orders[0]["due_at"]).astimezone(SHANGHAI).isoformat()}
            actor = e["actor"] if in_demo else _generated_actor(e["role"], grid)
            row = {"case_id": case_id, "seq": seq_no, "action": e["action"], "actor_id": who(e["actor_id"]),
                   "actor": actor, "role": e["role"], "at": t0 + e["at"], "from_state": e["from_state"],
                   "to_state": e["to_state"], "note": e["note"], "data": data, "attachments": e["attachments"]}
            row["prev_hash"] = prev
            row["hash"] = prev = _hash(prev, row, case_no)
            entries.append(row)
        out["case_log"].extend(entries)

        c = {**snap.case, **{k: _fill(snap.case[k], place) for k in snap.marked}}
        phone_enc, phone_mask, reporter = None, "", ""
        if snap.source in ("hotline", "resident"):
            phone = f"139{case_id % 100_000_000:08d}"
            phone_enc, phone_mask = self.cipher.encrypt(phone), mask_phone(phone)
            reporter = SURNAMES[case_id % len(SURNAMES)] + ("先生" if case_id % 2 else "女士")
        case = {**c, "id": case_id, "case_no": case_no, "title": type_name,
                "description": f"{type_name}（规模演示数据）", "category": matter, "type_code": type_code,
                "source": snap.source, "discovered_at": t0,
                "lon": round(float(self.lon[g]) + prng.uniform(-0.001, 0.001), 6),
                "lat": round(float(self.lat[g]) + prng.uniform(-0.001, 0.001), 6),
                "address": f"{ROADS[g % len(ROADS)]}{case_id % 300 + 1}号", "grid_code": grid,
                "town_code": place["town"], "county_code": place["county"], "reporter_name": reporter,
                "reporter_phone_enc": phone_enc, "reporter_phone_mask": phone_mask,
                "reporter_user_id": who(c["reporter_user_id"]), "created_by": who(c["created_by"]),
                "closed_at": None if snap.closed is None else t0 + snap.closed, "created_at": t0,
                "updated_at": t0 + snap.span, "log_length": len(entries), "log_head": prev}
        out["cases"].append(case)
        clocks = [self._clock(cl, case_id, t0) for cl in snap.clocks]
        out["case_clocks"].extend(clocks)
        out["case_departments"].extend({**_fill(d, place), "case_id": case_id, "dispatched_at": t0 + d["dispatched_at"],
                                        "ended_at": None if d["ended_at"] is None else t0 + d["ended_at"]}
                                       for d in snap.departments)
        out["case_facts"].append({"case_id": case_id, **self._fact(snap, case, clocks, entries, in_demo),
                                  "computed_at": self.now})

    def _fact(self, snap, case: dict, clocks: list[dict], entries: list[dict], in_demo: bool) -> dict:
        """The statistics row (:func:`gridgov.cases.facts.derive`). A case whose clocks have all stopped
        has the row of any case of its snapshot reported on the same local day and hour (its entries are
        whole hours apart), apart from where and what: those rows are derived once and reused."""
        if any(c["stopped_at"] is None for c in clocks):
            key = None
        else:
            local = case["created_at"].astimezone(SHANGHAI)
            key = (snap.name, local.date(), local.hour, in_demo)
            found = self.fact_cache.get(key)
            if found is not None:
                return {**found, "grid_code": case["grid_code"], "town_code": case["town_code"],
                        "county_code": case["county_code"], "type_code": case["type_code"],
                        "matter_code": case["category"], "department_code": case["lead_department_code"]}
        fact = facts.derive(SimpleNamespace(**case), [SimpleNamespace(**x) for x in clocks],
                            [SimpleNamespace(**x) for x in entries], now=self.now, calendar=self.calendar)
        if key is not None:
            if len(self.fact_cache) > 600_000:
                self.fact_cache.clear()
            self.fact_cache[key] = fact
        return fact

    def _clock(self, cl: dict, case_id: int, t0: datetime) -> dict:
        row = {**cl, "case_id": case_id}
        for key in ("started_at", "due_at", "warn_at", "stopped_at"):
            if cl[key] is not None:
                row[key] = t0 + cl[key]
        end = row["stopped_at"] or self.now
        # where the minute's sweep would have marked the running clock (warned, then overdue)
        row["warned_at"] = row["warn_at"] if row["warn_at"] <= end else None
        row["overdue_at"] = row["due_at"] if row["due_at"] <= end else None
        if row["overdue_at"] is not None and row["warned_at"] is None:
            row["warned_at"] = row["overdue_at"]
        return row

    def _order(self, o: dict, case_id: int, t0: datetime, place: dict) -> dict:
        row = {**_fill(o, place), "case_id": case_id}
        for key in ("due_at", "issued_at", "answered_at"):
            if o[key] is not None:
                row[key] = t0 + o[key]
        row["issued_by"] = None if place["town"] != self.demo_town else self.user_of.get(o["issued_by"])
        row["answered_by"] = None
        end = row["answered_at"] or self.now
        row["overdue_at"] = row["due_at"] if row["due_at"] <= end else None
        return row

    def save_numbers(self, session: Session) -> None:
        """The per county and day counters the generated numbers used, so intake numbers on after them."""
        if not self.touched:
            return
        rows = [{"county_code": c, "day": d, "last": self.counters[(c, d)]} for c, d in sorted(self.touched)]
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        table = CaseNumber.__table__
        for s in range(0, len(rows), 5000):
            stmt = insert(table).values(rows[s:s + 5000])
            session.execute(stmt.on_conflict_do_update(index_elements=[table.c.county_code, table.c.day],
                                                       set_={"last": stmt.excluded.last}))
        self.touched.clear()


def _generated_actor(role: str, grid: str) -> str:
    return {"fulltime": f"网格员{grid[-6:]}", "agency_dispatcher": f"调度员{grid[6:9]}",
            "dept_receiver": f"受理员{grid[4:6]}"}.get(role, role)


TABLES = {"cases": Case.__table__, "case_log": CaseLogEntry.__table__, "case_clocks": CaseClock.__table__,
          "case_departments": CaseDepartment.__table__, "supervision_orders": SupervisionOrder.__table__,
          "case_facts": CaseFact.__table__}
ORDER = ("cases", "supervision_orders", "case_log", "case_clocks", "case_departments", "case_facts")
"""Write order: the cases first, then what points at them."""
