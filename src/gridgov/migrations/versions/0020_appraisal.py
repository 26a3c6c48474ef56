"""appraisal: stored appraisal runs and scores with their derivation, inputs' digest and run hash

Issue 16 (G1, G2, B5); see models/analysis_appraisal.py and docs/analysis.md (考核评价).

Revision ID: 0020_appraisal
Revises: 0019_report
Create Date: 2026-12-06 22:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020_appraisal'
down_revision = '0019_report'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('appraisal_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('settings', JSON, nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('run_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_appraisal_runs_period_area', 'appraisal_runs', ['period', 'area_code'], unique=False)
    op.create_table('appraisal_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('unit_key', sa.String(length=40), nullable=False),
    sa.Column('unit_name', sa.String(length=100), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('lagging', sa.Boolean(), nullable=False),
    sa.Column('derivation', JSON, nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['appraisal_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_appraisal_scores_run_id'), 'appraisal_scores', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_appraisal_scores_run_id'), table_name='appraisal_scores')
    op.drop_table('appraisal_scores')
    op.drop_index('ix_appraisal_runs_period_area', table_name='appraisal_runs')
    op.drop_table('appraisal_runs')
