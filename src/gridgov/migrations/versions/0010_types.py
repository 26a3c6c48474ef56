"""types: a case names its type (事件类型, a 小类 of the shipped or replaced classification)

Adds ``cases.type_code`` (nullable: cases registered before have none), indexed for statistics and
the list's type filter.

Revision ID: 0010_types
Revises: 0009_outside
Create Date: 2026-12-06 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_types'
down_revision = '0009_outside'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type_code', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_type_code'), ['type_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_type_code'))
        batch_op.drop_column('type_code')
