"""Bulk writes for the scale demo: COPY on PostgreSQL (psycopg 3 ``cursor.copy``), multi-row
``executemany`` inside one transaction per chunk on SQLite. Rows are dicts of Python values keyed by
column name, exactly what an ORM insert would bind; every chunk is committed, so a build that stops
leaves whole cases behind and a second run goes on from there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.engine import Engine


class Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"

    def write(self, batches: Sequence[tuple[Table, list[dict[str, Any]]]]) -> None:
        """Writes each table's rows, in the order given, in one transaction."""
        if self.pg:
            self._copy(batches)
            return
        with self.engine.begin() as conn:
            for table, rows in batches:
                if rows:
                    conn.execute(insert(table), rows)

    def _copy(self, batches) -> None:
        from psycopg.types.json import Jsonb

        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            with conn.cursor() as cur:
                for table, rows in batches:
                    if not rows:
                        continue
                    names = list(rows[0])
                    json_cols = {i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)}
                    cols = ", ".join(f'"{n}"' for n in names)
                    with cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
                        if json_cols:
                            for row in rows:
                                values = list(row.values())
                                for i in json_cols:
                                    if values[i] is not None:
                                        values[i] = Jsonb(values[i])
                                copy.write_row(values)
                        else:
                            for row in rows:
                                copy.write_row(tuple(row.values()))
            conn.commit()
        finally:
            raw.close()

    def fix_sequences(self, tables: Sequence[str]) -> None:
        """After explicit ids: each table's id sequence continues after its highest id (PostgreSQL)."""
        if not self.pg:
            return
        with self.engine.begin() as conn:
            for name in tables:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT COALESCE(max(id), 0) + 1 FROM {name}), false)"))

