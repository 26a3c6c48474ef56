"""hotline intake: hotline_intakes (ticket → case, unique per client) and hotline_categories

The 12345 hotline's tickets and the mapping of its classification to case types (issue 17); see
models/hotline.py.

Revision ID: 0027_hotline
Revises: 0026_webhooks
Create Date: 2026-12-07 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0027_hotline'
down_revision = '0026_webhooks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hotline_intakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('hotline_category', sa.String(length=32), nullable=False),
    sa.Column('hotline_category_name', sa.String(length=100), nullable=False),
    sa.Column('needs_triage', sa.Boolean(), nullable=False),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('triaged_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_hotline_intakes_case_id_cases')),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_hotline_intakes_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_intakes')),
    sa.UniqueConstraint('client_id', 'external_id', name='uq_hotline_intakes_client_ticket')
    )
    with op.batch_alter_table('hotline_intakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_intakes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_intakes_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_intakes_needs_triage'), ['needs_triage'], unique=False)
    op.create_table('hotline_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type_code', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_categories')),
    sa.UniqueConstraint('area_code', 'code', name='uq_hotline_categories_area_code')
    )
    with op.batch_alter_table('hotline_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_categories_area_code'), ['area_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hotline_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_categories_area_code'))
    op.drop_table('hotline_categories')
    with op.batch_alter_table('hotline_intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_intakes_needs_triage'))
        batch_op.drop_index(batch_op.f('ix_hotline_intakes_grid_code'))
        batch_op.drop_index(batch_op.f('ix_hotline_intakes_case_id'))
    op.drop_table('hotline_intakes')
