"""Field keys with ids and their rotation (issue 15): ``gridgov keys rotate`` re-seals every
encrypted column under the current key, in batches, leaving every value readable and the same."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from gridgov.db import make_engine
from gridgov.fieldkeys import encrypted_columns, key_counts, rotate
from gridgov.kit.crypto import FieldCipher

from ..conftest import TEST_SECRET_KEY, build_demo_into

NEW_KEY = "rotation-" + "n" * 40


def _plain(engine, cipher) -> dict[tuple[str, object], str]:
    """Every encrypted value of the database, decrypted: (table.column, primary key) → text."""
    found = {}
    with engine.connect() as conn:
        for table, column in encrypted_columns():
            (pk,) = table.primary_key.columns
            for key, blob in conn.execute(select(pk, column).where(column.is_not(None))):
                found[(f"{table.name}.{column.name}", key)] = cipher.decrypt(blob)
    return found


@pytest.mark.req("E5")
def test_rotation_reseals_every_encrypted_value_under_the_new_key_and_keeps_it_readable(fresh_url):
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    old = FieldCipher(TEST_SECRET_KEY)
    before = _plain(engine, old)
    assert len(before) > 20  # the demo's staff ID numbers and phones at least
    assert set().union(*key_counts(engine).values()) == {0}

    new = FieldCipher(TEST_SECRET_KEY, {1: NEW_KEY})
    seen: list[str] = []
    done = rotate(engine, new, batch=7, progress=lambda name, n: seen.append(name))
    assert sum(done.values()) == len(before)
    assert len(seen) > len({name for name, _ in before})  # more than one batch per column
    counts = key_counts(engine)
    assert all(set(tally) <= {1} for tally in counts.values())
    assert _plain(engine, new) == before
    assert sum(rotate(engine, new, batch=7).values()) == 0  # nothing left to do

    # the old cipher no longer opens them: key 1 really sealed them
    with pytest.raises(ValueError, match="编号 1 的密钥"):
        _plain(engine, old)
    engine.dispose()


def test_a_value_changed_during_rotation_is_not_overwritten(fresh_url, backend):
    """PostgreSQL: a user's write lands between the batch's read and its update, and the update
    (conditional on the old blob) leaves it. SQLite: the batch holds the write lock from its first
    read (BEGIN IMMEDIATE), so no write can land in between: the other writer is told so at once."""
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    new = FieldCipher(TEST_SECRET_KEY, {1: NEW_KEY})
    table, column = next((t, c) for t, c in encrypted_columns() if t.name == "staff_members" and c.name == "phone_enc")
    (pk,) = table.primary_key.columns
    with engine.connect() as conn:
        first = conn.execute(select(pk).where(column.is_not(None)).order_by(pk).limit(1)).scalar_one()

    class Racing(FieldCipher):
        raced = False

        def reseal(self, blob):
            fresh = super().reseal(blob)
            if not self.raced:  # a user saves a new phone between the read and the write
                Racing.raced = True
                change = update(table).where(pk == first).values({column.name: new.encrypt("13900000000")})
                if backend == "sqlite":
                    impatient = make_engine(fresh_url)
                    with pytest.raises(OperationalError, match="locked"), impatient.begin() as other:
                        other.exec_driver_sql("PRAGMA busy_timeout=0")
                        other.execute(change)
                    impatient.dispose()
                else:
                    with engine.begin() as other:
                        other.execute(change)
            return fresh

    racing = Racing(TEST_SECRET_KEY, {1: NEW_KEY})
    rotate(engine, racing, batch=1000)
    with engine.connect() as conn:
        blob = conn.execute(select(column).where(pk == first)).scalar_one()
    assert Racing.raced
    if backend == "sqlite":
        assert FieldCipher.key_id(blob) == 1  # re-sealed; the other write never landed
    else:
        assert new.decrypt(blob) == "13900000000"
    engine.dispose()


def test_the_cli_reports_keys_and_rotates(fresh_url, tmp_path, monkeypatch):
    from gridgov.cli import app
    from gridgov.config import get_settings

    engine = make_engine(fresh_url)
    build_demo_into(engine)
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", fresh_url)
    monkeypatch.setenv("GRIDGOV_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("GRIDGOV_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGOV_FIELD_KEYS", f"1:{NEW_KEY}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        shown = runner.invoke(app, ["keys", "status"])
        assert shown.exit_code == 0, shown.output
        assert "当前加密密钥编号：1" in shown.output and "staff_members.id_number_enc：密钥 0：" in shown.output
        done = runner.invoke(app, ["keys", "rotate", "--batch", "50"])
        assert done.exit_code == 0, done.output
        assert "全部由密钥 1 加密" in done.output
        assert NEW_KEY not in done.output and TEST_SECRET_KEY not in done.output
        tallies = key_counts(engine)
        assert sum(tallies.values(), Counter())[0] == 0
        monkeypatch.setenv("GRIDGOV_FIELD_KEYS", "1:short")
        get_settings.cache_clear()
        bad = runner.invoke(app, ["keys", "status"])
        assert bad.exit_code != 0
    finally:
        get_settings.cache_clear()
        engine.dispose()
