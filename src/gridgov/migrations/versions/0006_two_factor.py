"""accounts: two-factor login (TOTP) and an index for login throttling

Adds to users the TOTP secret (sealed with the app's FieldCipher), when it was enabled, the time
step of the last accepted code (no code is accepted twice) and the hashed recovery codes. Adds an
index on the audit log's (ip, at): a login counts its address's recent failures there, so the
limit holds across several server processes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 13:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            'recovery_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    op.create_index('ix_audit_log_ip_at', 'audit_log', ['ip', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_log_ip_at', table_name='audit_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('recovery_codes')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
