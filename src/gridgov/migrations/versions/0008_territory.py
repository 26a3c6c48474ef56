"""territory: the particulars of a dedicated grid (QZ§5, QZ§13)

Adds to grids the host unit a dedicated grid is drawn round, the unit's head (its grid leader where
the profile says so) and the kind of its competent department (业务主管部门).

Revision ID: 0008_territory
Revises: 0007_profiles
Create Date: 2026-12-06 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_territory'
down_revision = '0007_profiles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('grids', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_unit', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_head', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('competent_department', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('grids', schema=None) as batch_op:
        batch_op.drop_column('competent_department')
        batch_op.drop_column('unit_head')
        batch_op.drop_column('host_unit')
