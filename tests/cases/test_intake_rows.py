"""The statements intake writes a new case with (cases/intake_rows.py), without a database."""

from datetime import UTC, datetime

import psycopg._queries as psycopg_queries
import pytest
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from gridgov.cases import intake_rows
from gridgov.cases.intake_rows import FIXED, Row


@pytest.mark.parametrize("tell", [False, True])
def test_the_postgresql_statement_stays_within_what_psycopg_caches(tell):
    """Over 50 parameters or 4 KB, psycopg parses the statement again on every intake (it did,
    at 72 parameters, before the constants became SQL text): a new column must not slip past."""
    compiled = intake_rows._one_statement(tell).compile(dialect=pg_psycopg.dialect())
    assert len(compiled.params) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS
    assert len(compiled.string.encode()) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH


def _rows(**case_changes):
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    case = Row(**{c.key: None for c in intake_rows._TABLES["case"].columns})
    case.__dict__.update(FIXED["case"], case_no="321102000000-20261124-00001", created_at=now, updated_at=now,
                         discovered_at=now, urgency="normal", created_by=7, grid_code="321102001001001")
    case.__dict__.update(case_changes)
    entry = Row(**{c.key: None for c in intake_rows._TABLES["entry"].columns})
    entry.__dict__.update(FIXED["entry"], at=now, actor_id=7)
    clock = Row(**{c.key: None for c in intake_rows._TABLES["clock"].columns})
    clock.__dict__.update(FIXED["clock"], started_at=now, urgency="normal")
    return case, entry, clock


@pytest.mark.parametrize("change", [{"version": 2}, {"lead_department_code": "dept"}, {"updated_at": None}])
def test_rows_that_break_what_the_statements_assume_are_refused_before_anything_is_written(change):
    case, entry, clock = _rows(**change)
    with pytest.raises(ValueError, match="新事件"):
        intake_rows.write(None, case, entry, clock, tell_grid=None, notice={})
