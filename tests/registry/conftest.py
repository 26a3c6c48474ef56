"""Fixtures of the register's tests: a demo database WITH the demo town's synthetic register (the
shared demo database has none: most tests register and count their own rows)."""

from __future__ import annotations

import pytest

from gridgov.db import make_engine
from gridgov.registry.demo import DEMO_PEOPLE

from ..conftest import build_demo_into


@pytest.fixture(scope="session")
def register_engine(db_factory, template_url):
    """The demo city with the demo town's register of 20,000 fictional people, committed once per
    database. A module that works on it overrides ``demo_engine`` with it (test_io.py)."""
    engine = make_engine(db_factory.create(f"gridgov_register_{db_factory.backend}", template=template_url))
    build_demo_into(engine, people=DEMO_PEOPLE)
    yield engine
    engine.dispose()
