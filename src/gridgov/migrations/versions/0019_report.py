"""report: the monthly analysis reports, each kept with its version (monthly_reports)

Issue 16; see models/analysis_reports.py and docs/analysis.md (月度分析报告).

Revision ID: 0019_report
Revises: 0018_warnings
Create Date: 2026-12-06 22:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0019_report'
down_revision = '0018_warnings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('generated_by', sa.String(length=64), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['generated_by_user_id'], ['users.id'],
                            name=op.f('fk_monthly_reports_generated_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reports')),
    sa.UniqueConstraint('area_code', 'month', 'version', name='uq_monthly_reports_version')
    )
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_reports_area_code'), ['area_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_reports_area_code'))

    op.drop_table('monthly_reports')
