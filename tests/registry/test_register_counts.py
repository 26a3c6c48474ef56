"""Counts of the register by place (registry/counts.py, for the governance index): residents in the
register who live there now, houses, houses with a resident; grouped by the scope's leading digits,
through the scope door."""

from __future__ import annotations

from gridgov.registry.counts import register_counts

from .care_fixtures import grids, household, principal


def test_residents_houses_and_occupied_houses_by_place_within_the_jurisdiction(db, app):
    grid, grid2 = grids(db)
    cipher = app.state.cipher
    here = household(db, cipher, grid, "计数路", ["甲", "乙", "丙"])
    household(db, cipher, grid, "计数路", [])
    household(db, cipher, grid2, "远方路", ["丁"])
    here.people[2].status = "moved_out"  # archived: no longer a resident
    db.flush()
    admin = principal(db, "city_admin")
    by_grid = register_counts(db, admin, prefix=grid[:12], key_len=15)
    assert (by_grid[grid].residents, by_grid[grid].houses, by_grid[grid].occupied_houses) == (2, 2, 1)
    assert by_grid[""].residents == 2 and grid2 not in by_grid
    city = register_counts(db, admin, prefix=grid[:4], key_len=6)
    assert city[grid[:6]].residents == 2 and city[grid2[:6]].residents == 1 and city[""].houses == 3
    # a grid worker of the other county counts nothing here; a department none of the register
    assert register_counts(db, principal(db, "worker2"), prefix=grid[:12], key_len=15)[""].residents == 0
    assert register_counts(db, principal(db, "dept_cg"), prefix=grid[:6], key_len=9)[""].houses == 0
