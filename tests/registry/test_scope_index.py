"""Jurisdiction is a range on the indexed code column, so a grid's list searches the index instead of
reading the whole register (the scope door's ``within``; ``bench/registry.py`` measures it)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from gridgov.authz.principal import Principal
from gridgov.authz.scope import _next_prefix, scoped, starts_with
from gridgov.models.registry import Person


@pytest.fixture(scope="session")
def demo_engine(register_engine):
    """These tests work on the demo town's synthetic register (tests/registry/conftest.py)."""
    return register_engine

def test_next_prefix():
    assert _next_prefix("3211") == "3212"
    assert _next_prefix("32119") == "3212"
    assert _next_prefix("321102001001009") == "32110200100101"
    assert _next_prefix("999") is None


def test_range_selects_what_startswith_selects(db):
    codes = sorted(set(db.scalars(select(Person.scope_code)).all()))
    assert codes
    prefixes = {codes[0][:n] for n in (2, 4, 6, 9, 12, 15)} | {codes[-1][:14], codes[0][:11] + "9"}
    for prefix in prefixes:
        ranged = db.scalar(select(func.count()).select_from(Person).where(starts_with(Person.scope_code, prefix)))
        liked = db.scalar(select(func.count()).select_from(Person).where(Person.scope_code.like(prefix + "%")))
        assert ranged == liked, prefix


def test_a_grid_list_searches_the_index(db, backend):
    grid = db.scalar(select(Person.scope_code).where(func.length(Person.scope_code) == 15).limit(1))
    worker = Principal(user_id=0, username="w", display_name="w", role="fulltime", scope_code=grid)
    stmt = scoped(select(Person.id, Person.name).order_by(Person.name).limit(50), worker, Person)
    sql = str(stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
    if backend == "sqlite":
        plan = " ".join(str(r[-1]) for r in db.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "SEARCH registry_people USING" in plan and "scope_code>" in plan, plan
    else:
        # PostgreSQL may well read the first page in name order and filter (LIMIT 50); the grid's
        # count, which every list page asks too, must find its rows by the range on scope_code
        count = scoped(select(func.count(Person.id)), worker, Person)
        sql = str(count.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
        db.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in db.execute(text("EXPLAIN " + sql)))
        assert "Index Cond" in plan and "(scope_code)::text >=" in plan, plan
