"""report: a duplicate case names the case it was merged into

Adds ``cases.merged_into_id`` (and an index on ``cases.reporter_user_id``, which the scope rule reads) (issue 14 item 10: a dispatcher merges a duplicate into another case;
the duplicate closes and links to it, the other case lists its duplicates).

Revision ID: 0011_report
Revises: 0010_types
Create Date: 2026-12-06 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_report'
down_revision = '0010_types'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_merged_into_id_cases'), 'cases', ['merged_into_id'], ['id'])
        # The scope rule finds the cases a user's merged reports joined (authz.scope, Case).
        batch_op.create_index(batch_op.f('ix_cases_reporter_user_id'), ['reporter_user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_reporter_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_cases_merged_into_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_merged_into_id'))
        batch_op.drop_column('merged_into_id')
