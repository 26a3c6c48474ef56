"""resident channel: the reports residents make without an account and the SMS codes of their phones

See models/resident.py (issue 17).

Revision ID: 0024_resident
Revises: 0023_messages
Create Date: 2026-12-07 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024_resident'
down_revision = '0023_messages'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=32), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluation', sa.String(length=24), nullable=True),
    sa.Column('evaluation_comment', sa.Text(), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_resident_reports_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_reports')),
    sa.UniqueConstraint('case_id', name=op.f('uq_resident_reports_case_id')),
    sa.UniqueConstraint('case_no', name=op.f('uq_resident_reports_case_no'))
    )
    with op.batch_alter_table('resident_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_reports_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_reports_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_reports_created_at'), ['created_at'], unique=False)
    op.create_table('resident_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=8), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_codes'))
    )
    with op.batch_alter_table('resident_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_codes_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_codes_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('resident_codes')
    op.drop_table('resident_reports')
