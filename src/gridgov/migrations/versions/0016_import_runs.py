"""registry import runs: a large import runs in the background and reports its progress

``registry_import_runs``: one row per background import (kind, who started it and where, state
queued/running/done/failed, done/total, rows created, and each bad row's line, column and reason).

Revision ID: 0016_import_runs
Revises: 0015_care
Create Date: 2026-12-06 20:05:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016_import_runs'
down_revision = '0015_care'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('errors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registry_import_runs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_import_runs'))
    )
    with op.batch_alter_table('registry_import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_import_runs_scope_code'), ['scope_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_import_runs_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('registry_import_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_import_runs_user_id'))
        batch_op.drop_index(batch_op.f('ix_registry_import_runs_scope_code'))
    op.drop_table('registry_import_runs')
