"""cases: drop four indexes that others already cover

Every intake writes a clock and a file entry; each index on them is one more B-tree written and,
on SQLite, more pages through the WAL. These four duplicate others: the case_id of a clock and of
a file entry leads the unique (case_id, kind) and (case_id, seq) constraints' indexes, and the
sweep reads due and warning times through the partial indexes over running clocks (0003).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:15:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

DROPPED = {
    "ix_case_clocks_case_id": ("case_clocks", "case_id"),
    "ix_case_clocks_due_at": ("case_clocks", "due_at"),
    "ix_case_clocks_warn_at": ("case_clocks", "warn_at"),
    "ix_case_log_case_id": ("case_log", "case_id"),
}


def upgrade() -> None:
    for name, (table, _column) in DROPPED.items():
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, (table, column) in DROPPED.items():
        op.create_index(name, table, [column], unique=False)
