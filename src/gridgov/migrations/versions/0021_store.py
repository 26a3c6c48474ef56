"""analysis store: additive counters per month, area and dimension (fact_cells)

Kept by cases/rollup.py in the transaction that rewrites a case's fact row, so the figures of a
whole month are read from a few cells instead of every case; and an index on case_facts
(department_code, reported_day) for a department's own figures. See models/analysis_store.py.

Revision ID: 0021_store
Revises: 0020_appraisal
Create Date: 2026-12-06 22:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_store'
down_revision = '0020_appraisal'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fact_cells',
    sa.Column('dim', sa.String(length=12), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('area', sa.String(length=15), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.Column('verified_on_time', sa.Integer(), nullable=False),
    sa.Column('dispatched', sa.Integer(), nullable=False),
    sa.Column('returned', sa.Integer(), nullable=False),
    sa.Column('handled', sa.Integer(), nullable=False),
    sa.Column('handled_on_time', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('closed_on_time', sa.Integer(), nullable=False),
    sa.Column('reworked', sa.Integer(), nullable=False),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('extended', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('evaluated', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('supervised', sa.Integer(), nullable=False),
    sa.Column('verify_days_sum', sa.Integer(), nullable=False),
    sa.Column('verify_days_n', sa.Integer(), nullable=False),
    sa.Column('dispatch_days_sum', sa.Integer(), nullable=False),
    sa.Column('dispatch_days_n', sa.Integer(), nullable=False),
    sa.Column('handle_days_sum', sa.Integer(), nullable=False),
    sa.Column('handle_days_n', sa.Integer(), nullable=False),
    sa.Column('close_days_sum', sa.Integer(), nullable=False),
    sa.Column('close_days_n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('dim', 'level', 'area', 'period', 'key', name=op.f('pk_fact_cells'))
    )
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.create_index('ix_case_facts_department_day', ['department_code', 'reported_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_facts_department_day')
    op.drop_table('fact_cells')
