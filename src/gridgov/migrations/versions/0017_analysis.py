"""analysis: one fact row per case (case_facts), the flat record every figure is counted from

Rewritten with every change of the case (issue 16); see models/analysis.py and docs/kpi.md.

Revision ID: 0017_analysis
Revises: 0016_import_runs
Create Date: 2026-12-06 22:02:18.251314
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_analysis'
down_revision = '0016_import_runs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_facts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reported_day', sa.Date(), nullable=False),
    sa.Column('grid_code', sa.String(length=17), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('type_code', sa.String(length=16), nullable=True),
    sa.Column('matter_code', sa.String(length=32), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reported', sa.SmallInteger(), nullable=False),
    sa.Column('valid', sa.SmallInteger(), nullable=False),
    sa.Column('verified', sa.SmallInteger(), nullable=False),
    sa.Column('verified_on_time', sa.SmallInteger(), nullable=False),
    sa.Column('dispatched', sa.SmallInteger(), nullable=False),
    sa.Column('returned', sa.SmallInteger(), nullable=False),
    sa.Column('handled', sa.SmallInteger(), nullable=False),
    sa.Column('handled_on_time', sa.SmallInteger(), nullable=False),
    sa.Column('closed', sa.SmallInteger(), nullable=False),
    sa.Column('closed_on_time', sa.SmallInteger(), nullable=False),
    sa.Column('reworked', sa.SmallInteger(), nullable=False),
    sa.Column('reopened', sa.SmallInteger(), nullable=False),
    sa.Column('extended', sa.SmallInteger(), nullable=False),
    sa.Column('overdue', sa.SmallInteger(), nullable=False),
    sa.Column('evaluated', sa.SmallInteger(), nullable=False),
    sa.Column('satisfied', sa.SmallInteger(), nullable=False),
    sa.Column('supervised', sa.SmallInteger(), nullable=False),
    sa.Column('verify_days', sa.Integer(), nullable=True),
    sa.Column('dispatch_days', sa.Integer(), nullable=True),
    sa.Column('handle_days', sa.Integer(), nullable=True),
    sa.Column('close_days', sa.Integer(), nullable=True),
    sa.Column('case_version', sa.Integer(), nullable=False),
    sa.Column('log_length', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_facts_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_facts'))
    )
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.create_index('ix_case_facts_day', ['reported_day'], unique=False)
        batch_op.create_index('ix_case_facts_grid_day', ['grid_code', 'reported_day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_facts_grid_day')
        batch_op.drop_index('ix_case_facts_day')

    op.drop_table('case_facts')
