"""staff: a grid leader's post records its basis (任职身份)

The profiles now say who may serve as grid leader (JS§12, QZ§11, JM§10: staff.leader_eligible_from);
a leader post states the basis it was checked against, so the record shows why the person was
eligible.

Revision ID: 0007_profiles
Revises: 0006
Create Date: 2026-12-06 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_profiles'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_basis', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('leader_basis')
