"""Re-sealing encrypted columns under the current field key (``gridgov keys``).

Every ``LargeBinary`` column whose name ends in ``_enc`` holds a blob of :mod:`gridgov.kit.crypto`.
:func:`rotate` walks each such column in primary-key order, ``batch`` rows at a time, each batch in
its own short transaction, and re-seals the values not under the current key. An update only
takes if the row still holds the blob that was read (``WHERE id = :id AND col = :old``), so a value
a user changes meanwhile is never overwritten with an older one (it is already under the current
key). The site keeps running throughout: every configured key still opens what it sealed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from sqlalchemy import Column, Engine, LargeBinary, Table, and_, select, update

from gridgov.db import WRITE_OPTION
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Base


def encrypted_columns() -> Iterator[tuple[Table, Column]]:
    """Every encrypted column of the schema (a ``LargeBinary`` named ``*_enc``), in a fixed order."""
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            if column.name.endswith("_enc") and isinstance(column.type, LargeBinary):
                yield table, column


def _pk(table: Table) -> Column:
    (pk,) = table.primary_key.columns
    return pk


def key_counts(engine: Engine) -> dict[str, Counter]:
    """``table.column`` → how many values each key id sealed."""
    counts: dict[str, Counter] = {}
    with engine.connect() as conn:
        for table, column in encrypted_columns():
            tally: Counter = Counter()
            for (blob,) in conn.execute(select(column).where(column.is_not(None))):
                tally[FieldCipher.key_id(blob)] += 1
            counts[f"{table.name}.{column.name}"] = tally
    return counts


def rotate(engine: Engine, cipher: FieldCipher, *, batch: int = 500,
           progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Re-seals every value not under ``cipher.current``; returns ``table.column`` → values re-sealed."""
    done: dict[str, int] = {}
    writer = engine.execution_options(**{WRITE_OPTION: True})  # SQLite: BEGIN IMMEDIATE, no lost race
    for table, column in encrypted_columns():
        pk, name, last, resealed = _pk(table), f"{table.name}.{column.name}", None, 0
        while True:
            stmt = select(pk, column).where(column.is_not(None)).order_by(pk).limit(batch)
            if last is not None:
                stmt = stmt.where(pk > last)
            with writer.begin() as conn:
                rows = conn.execute(stmt).all()
                for key, blob in rows:
                    new = cipher.reseal(blob)
                    if new is not None:
                        same = and_(pk == key, column == blob)
                        took = conn.execute(update(table).where(same).values({column.name: new}))
                        resealed += took.rowcount
            if not rows:
                break
            last = rows[-1][0]
            if progress:
                progress(name, resealed)
        done[name] = resealed
    return done
