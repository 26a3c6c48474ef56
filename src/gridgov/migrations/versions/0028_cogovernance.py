"""cogovernance: the activity ledger (issue 18)

One row per thing done with others (a legal visit, a deliberation, a mediation, an informant's
report, a team's task, a project's report), counted per grid and month. See models/cogovernance.py.

Revision ID: 0028_cogovernance
Revises: 0027_hotline
Create Date: 2026-12-07 05:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0028_cogovernance'
down_revision = '0027_hotline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cogov_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('ref_type', sa.String(length=32), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_activities')),
    sa.UniqueConstraint('ref_type', 'ref_id', 'kind', name='uq_cogov_activities_ref'),
    )
    op.create_index(op.f('ix_cogov_activities_area_code'), 'cogov_activities', ['area_code'], unique=False)
    op.create_index('ix_cogov_activities_kind_on', 'cogov_activities', ['kind', 'occurred_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cogov_activities_kind_on', table_name='cogov_activities')
    op.drop_index(op.f('ix_cogov_activities_area_code'), table_name='cogov_activities')
    op.drop_table('cogov_activities')
