"""interop: API clients (the 12345 hotline, departments' systems, Open311 apps)

A client is a service account (a users row that cannot log in) with a key of its own; only the
key's SHA-256 is kept. See models/interop.py.

Revision ID: 0022_clients
Revises: 0021_store
Create Date: 2026-12-07 01:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_clients'
down_revision = '0021_store'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_api_clients_area_code_areas')),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'],
                            name=op.f('fk_api_clients_department_code_departments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_clients_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('name', name=op.f('uq_api_clients_name')),
    sa.UniqueConstraint('user_id', name=op.f('uq_api_clients_user_id')),
    sa.UniqueConstraint('key_prefix', name=op.f('uq_api_clients_key_prefix')),
    )
    op.create_index(op.f('ix_api_clients_area_code'), 'api_clients', ['area_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_api_clients_area_code'), table_name='api_clients')
    op.drop_table('api_clients')
