"""open311: what an Open311 client sent with a request that a case has no column for (open311_requests);
indexes for Open311's public GETs (cases by source and date, the file's entries by date)

Revision ID: 0025_open311
Revises: 0024_resident
Create Date: 2026-12-07 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025_open311'
down_revision = '0024_resident'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('open311_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('media_url', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_open311_requests_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_requests')),
    sa.UniqueConstraint('case_id', name=op.f('uq_open311_requests_case_id')),
    )
    op.create_index(op.f('ix_open311_requests_client_id'), 'open311_requests', ['client_id'], unique=False)
    # Open311's public GETs: requests by source and date, updates by date (no scan of every case or entry)
    op.create_index('ix_cases_source_created_at', 'cases', ['source', 'created_at'], unique=False)
    op.create_index('ix_case_log_at', 'case_log', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_log_at', table_name='case_log')
    op.drop_index('ix_cases_source_created_at', table_name='cases')
    op.drop_index(op.f('ix_open311_requests_client_id'), table_name='open311_requests')
    op.drop_table('open311_requests')
