"""messages: the SMS to residents (outbound_messages), stored in the transaction that causes them

See models/messages.py (issue 17).

Revision ID: 0023_messages
Revises: 0022_clients
Create Date: 2026-12-07 01:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_messages'
down_revision = '0022_clients'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('template', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=False),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbound_messages_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_messages_dedupe_key'))
    )
    op.create_index(op.f('ix_outbound_messages_case_id'), 'outbound_messages', ['case_id'], unique=False)
    op.create_index('ix_outbound_messages_due', 'outbound_messages', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbound_messages_due', table_name='outbound_messages')
    op.drop_index('ix_outbound_messages_case_id', table_name='outbound_messages')
    op.drop_table('outbound_messages')
