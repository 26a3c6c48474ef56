"""territory, calendar overrides and counters

Revision ID: 0001
Revises:
Create Date: 2026-11-24 02:31:49.208625
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('areas',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('boundary_wkb', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(code) = 12', name=op.f('ck_areas_code_length')),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], name=op.f('fk_areas_parent_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_areas'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_parent_code'), ['parent_code'], unique=False)

    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('grids',
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dedicated_type', sa.String(length=32), nullable=True),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('geom_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('households >= 0 AND population >= 0', name=op.f('ck_grids_counts_not_negative')),
    sa.CheckConstraint('length(code) = 15', name=op.f('ck_grids_code_length')),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_grids_area_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_grids'))
    )
    with op.batch_alter_table('grids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grids_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_grids_status'), ['status'], unique=False)

    op.create_table('micro_grids',
    sa.Column('code', sa.String(length=17), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(code) = 17', name=op.f('ck_micro_grids_code_length')),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_micro_grids_grid_code_grids')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_micro_grids'))
    )
    with op.batch_alter_table('micro_grids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_micro_grids_grid_code'), ['grid_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('micro_grids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_micro_grids_grid_code'))

    op.drop_table('micro_grids')
    with op.batch_alter_table('grids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grids_status'))
        batch_op.drop_index(batch_op.f('ix_grids_area_code'))

    op.drop_table('grids')
    op.drop_table('counters')
    op.drop_table('calendar_overrides')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_parent_code'))
        batch_op.drop_index(batch_op.f('ix_areas_level'))

    op.drop_table('areas')
