"""outside: complaint supervision, per-area supervision phones, resources of a matter

Adds to board_complaints the handling deadline (JS§19, from the profile's
``board.complaint_handling_working_days``), the sweep's overdue mark and the result told to the
complainant; a table of the supervision phones county and town agencies publish (JS§19); and to
matters the resources the department sends with a matter (C6: ZJ§8, JS§10, QZ§8).

Revision ID: 0009_outside
Revises: 0008_territory
Create Date: 2026-12-06 16:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009_outside'
down_revision = '0008_territory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('board_complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_board_complaints_due_at'), ['due_at'], unique=False)
    with op.batch_alter_table('board_complaints', schema=None) as batch_op:
        batch_op.alter_column('result', server_default=None)
    op.create_table('supervision_phones',
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_supervision_phones_area_code_areas')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_supervision_phones_updated_by_users')),
    sa.PrimaryKeyConstraint('area_code', name=op.f('pk_supervision_phones'))
    )
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'resources', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_column('resources')
    op.drop_table('supervision_phones')
    with op.batch_alter_table('board_complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_complaints_due_at'))
        batch_op.drop_column('result')
        batch_op.drop_column('overdue_at')
        batch_op.drop_column('due_at')
