"""warnings: the runs of the early-warnings job (analysis_warning_runs), one row per hour claimed

See models/analysis_warnings.py (issue 16).

Revision ID: 0018_warnings
Revises: 0017_analysis
Create Date: 2026-12-06 22:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_warnings'
down_revision = '0017_analysis'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analysis_warning_runs',
    sa.Column('slot', sa.String(length=16), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slot')
    )


def downgrade() -> None:
    op.drop_table('analysis_warning_runs')
