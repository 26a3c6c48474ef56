"""The analysis store: the pre-aggregated cells answer exactly what a GROUP BY over case_facts answers.

Random fact rows over the demo city are written, changed and moved through ``cases.rollup.apply``
(as the facts' writer does); then random queries (group, area, period with partial months at the
edges, filters) by an agency, a town and a department principal are answered by ``aggregate`` and
by ``aggregate_plain``, which must agree exactly.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from gridgov.analysis.store import GROUP_BY, aggregate, plan, split_period
from gridgov.analysis.store_plain import aggregate_plain
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.cases import rollup
from gridgov.kit.clock import utc_now
from gridgov.models import Case, CaseFact, FactCell, Grid
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS
from gridgov.models.analysis_store import CELL_VALUES

N_CASES = 240
TYPES = ["t1", "t2", "t3", None]
MATTERS = ["m1", "m2", "m3"]
DEPTS = ["d1", "d2", None]
START = date(2025, 11, 1)


def _fact(rng: random.Random, case_id: int, grid: str) -> dict:
    row = {
        "case_id": case_id, "reported_day": START + timedelta(days=rng.randrange(150)), "grid_code": grid,
        "town_code": grid[:9].ljust(12, "0"), "county_code": grid[:6].ljust(12, "0"),
        "type_code": rng.choice(TYPES), "matter_code": rng.choice(MATTERS), "department_code": rng.choice(DEPTS),
        "worker_id": rng.choice([1, 2, 3, None]), "source": "hotline", "state": "closed",
        "case_version": 1, "log_length": 1, "computed_at": utc_now(),
    }
    row.update({c: rng.randint(0, 1) for c in FACT_COUNTERS})
    row["reported"] = 1
    row.update({d: rng.choice([None, rng.randint(0, 9)]) for d in FACT_DURATIONS})
    return row


def _cells(session) -> set[tuple]:
    rows = session.execute(select(FactCell.dim, FactCell.level, FactCell.area, FactCell.period, FactCell.key,
                                  *(getattr(FactCell, c) for c in CELL_VALUES)).where(FactCell.rows != 0))
    return {tuple(r) for r in rows}


@pytest.fixture
def facts(db):
    """N_CASES fact rows written, a third of them rewritten (moved in grid, day, type, department…),
    all through rollup.apply; returns the grids used."""
    rng = random.Random(16)
    grids = db.scalars(select(Grid.code).order_by(Grid.code)).all()
    # a few towns' grids plus scattered others, so groups have several cases
    grids = grids[:12] + rng.sample(grids[12:], 12)
    now = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    ids = db.execute(insert(Case).returning(Case.id), [
        {"case_no": f"S{i:06d}", "title": "统计", "category": "x", "source": "hotline", "state": "closed",
         "discovered_at": now, "grid_code": g, "town_code": g[:9].ljust(12, "0"), "county_code": g[:6].ljust(12, "0"),
         "handling_area_code": g[:9].ljust(12, "0"), "created_at": now, "updated_at": now}
        for i, g in enumerate(rng.choice(grids) for _ in range(N_CASES))
    ]).scalars().all()
    rows = {}
    for case_id in ids:
        row = _fact(rng, case_id, rng.choice(grids))
        db.execute(insert(CaseFact).values(**row))
        rollup.apply(db, None, row)
        rows[case_id] = row
    for case_id in rng.sample(ids, N_CASES // 3):
        old, new = rows[case_id], _fact(rng, case_id, rng.choice(grids))
        db.execute(update(CaseFact).where(CaseFact.case_id == case_id).values(**new))
        rollup.apply(db, old, new)
        rows[case_id] = new
    return grids


def _principals(grids: list[str]) -> list[Principal]:
    town = grids[0][:9].ljust(12, "0")
    county = grids[0][:6].ljust(12, "0")
    return [
        SYSTEM,
        Principal(user_id=900, username="c", display_name="c", role="agency_admin", scope_code=county),
        Principal(user_id=901, username="t", display_name="t", role="leader", scope_code=town),
        Principal(user_id=902, username="d", display_name="d", role="dept_receiver", scope_code=county,
                  department_code="d1"),
    ]


def _areas(grids: list[str], principal: Principal) -> list[str | None]:
    g = grids[0]
    codes = [None, g[:2].ljust(12, "0"), g[:4].ljust(12, "0"), g[:6].ljust(12, "0"), g[:9].ljust(12, "0"),
             g[:12]]
    return [c for c in codes if c is None or principal.system or c[:len(principal.prefix)] == principal.prefix
            or principal.role == "dept_receiver"]


def _period(rng: random.Random) -> tuple[date | None, date | None]:
    lo = START + timedelta(days=rng.randrange(-10, 160))
    hi = lo + timedelta(days=rng.randrange(0, 130))
    choice = rng.randrange(6)
    if choice == 0:
        return None, None
    if choice == 1:
        return lo.replace(day=1), None
    if choice == 2:
        return None, hi
    if choice == 3:  # whole months
        return lo.replace(day=1), hi.replace(day=1) - timedelta(days=1)
    return lo, hi


@pytest.mark.req("G1")
def test_the_cells_answer_exactly_what_the_fact_rows_answer(db, facts):
    rng = random.Random(7)
    used_cells = 0
    for principal in _principals(facts):
        for area in _areas(facts, principal):
            for group_by in GROUP_BY:
                for _ in range(1):
                    date_from, date_to = _period(rng)
                    filters = rng.choice([None, None, {"type": "t2"}, {"department": "d1"}, {"matter": "m3"},
                                          {"type": "none"}, {"type": ["t1", "t3"]}, {"worker": 2}])
                    got = aggregate(db, principal, group_by=group_by, area=area, date_from=date_from,
                                    date_to=date_to, filters=filters)
                    want = aggregate_plain(db, principal, group_by=group_by, area=area, date_from=date_from,
                                           date_to=date_to, filters=filters)
                    assert got == want, (principal.role, area, group_by, date_from, date_to, filters)
                    used_cells += plan(principal, group_by, area, filters) is not None
    assert used_cells > 25  # a good share of the queries are answered from the cells


def test_the_figures_come_from_the_cells_for_whole_months(db, facts):
    """A cell changed behind the store's back changes the answer: the whole months are read from the
    cells, not recounted from the fact rows (and the fact rows answer the edges)."""
    county = facts[0][:6].ljust(12, "0")
    kw = dict(group_by="month", area=county, date_from=date(2025, 12, 1), date_to=date(2026, 1, 31))
    before, _ = aggregate(db, SYSTEM, **kw)
    db.execute(update(FactCell).where(FactCell.dim == "all", FactCell.area == county[:6],
                                      FactCell.period == date(2025, 12, 1)).values(closed=FactCell.closed + 1000))
    after, _ = aggregate(db, SYSTEM, **kw)
    assert after[0].counts["closed"] == before[0].counts["closed"] + 1000
    assert after[1:] == before[1:]
    edge = dict(kw, date_from=date(2025, 12, 2))  # December cut: counted from the rows
    assert aggregate(db, SYSTEM, **edge) == aggregate_plain(db, SYSTEM, **edge)


def test_a_rebuild_gives_the_cells_the_incremental_upkeep_gave(db, facts):
    kept = _cells(db)
    assert kept
    rollup.rebuild_cells(db)
    assert _cells(db) == kept
    assert db.scalar(select(func.sum(FactCell.rows)).where(FactCell.dim == "all", FactCell.level == 2)) == N_CASES


def test_a_moved_case_leaves_its_old_cells():
    row = {"reported_day": date(2026, 3, 5), "grid_code": "321102001001001", "type_code": "a", "matter_code": "m",
           "department_code": None, "worker_id": 7, **{c: 1 for c in FACT_COUNTERS}, **dict.fromkeys(FACT_DURATIONS, 2)}
    moved = dict(row, grid_code="321102002001001", type_code="b")
    d = rollup.deltas(row, moved)
    assert ("all", 6, "321102", date(2026, 3, 1), "") not in d  # same county: no change there
    assert d[("all", 9, "321102001", date(2026, 3, 1), "")][0] == -1
    assert d[("all", 9, "321102002", date(2026, 3, 1), "")][0] == 1
    assert d[("type", 6, "321102", date(2026, 3, 1), "a")][0] == -1
    assert rollup.deltas(row, row) == {}


def test_the_period_splits_into_whole_months_and_edges():
    jan15, apr10 = date(2026, 1, 15), date(2026, 4, 10)
    assert split_period(jan15, apr10) == (
        (date(2026, 2, 1), date(2026, 3, 1)), [(jan15, date(2026, 1, 31)), (date(2026, 4, 1), apr10)])
    assert split_period(date(2026, 2, 1), date(2026, 2, 28)) == ((date(2026, 2, 1), date(2026, 2, 1)), [])
    assert split_period(date(2026, 2, 3), date(2026, 2, 20)) == (None, [(date(2026, 2, 3), date(2026, 2, 20))])
    assert split_period(None, date(2026, 2, 20)) == ((None, date(2026, 1, 1)), [(date(2026, 2, 1), date(2026, 2, 20))])
