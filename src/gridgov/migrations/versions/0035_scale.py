"""scale: the case lists' order (newest first) and date filters served by an index (issue 19)

``GET /api/v1/cases`` and every case page list ``ORDER BY created_at DESC, id DESC`` with a limit; with
millions of cases in the jurisdiction only an index on that order lets PostgreSQL read the first page
without sorting them all (bench/scale.py). A plain CREATE INDEX: it locks the table against writes while
it builds (minutes at ten million cases), so a running province runs it in a quiet hour, or creates the
index first by hand with ``CREATE INDEX CONCURRENTLY ix_cases_created_at_id ON cases (created_at, id)``
(which cannot run inside the migration's transaction); see the deployment guide.

Revision ID: 0035_scale
Revises: 0034_procs
Create Date: 2026-12-07 10:00:00
"""
from alembic import op

revision = '0035_scale'
down_revision = '0034_procs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_created_at_id', 'cases', ['created_at', 'id'], unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index('ix_cases_created_at_id', table_name='cases')
