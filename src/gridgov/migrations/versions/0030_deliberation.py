"""deliberation: topics, participants, meetings and follow-ups (议事协商, issue 18)

See models/deliberation.py.

Revision ID: 0030_deliberation
Revises: 0029_legal
Create Date: 2026-12-07 06:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0030_deliberation'
down_revision = '0029_legal'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliberations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_by', sa.String(length=100), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_method', sa.String(length=100), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('publish', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_deliberations_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberations')),
    )
    op.create_index(op.f('ix_deliberations_area_code'), 'deliberations', ['area_code'], unique=False)
    op.create_index(op.f('ix_deliberations_status'), 'deliberations', ['status'], unique=False)
    op.create_table('deliberation_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliberation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deliberation_id'], ['deliberations.id'],
                            name=op.f('fk_deliberation_participants_deliberation_id_deliberations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_participants')),
    )
    op.create_index(op.f('ix_deliberation_participants_deliberation_id'), 'deliberation_participants',
                    ['deliberation_id'], unique=False)
    op.create_table('deliberation_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliberation_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_deliberation_meetings_created_by_users')),
    sa.ForeignKeyConstraint(['deliberation_id'], ['deliberations.id'],
                            name=op.f('fk_deliberation_meetings_deliberation_id_deliberations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_meetings')),
    )
    op.create_index(op.f('ix_deliberation_meetings_deliberation_id'), 'deliberation_meetings', ['deliberation_id'],
                    unique=False)
    op.create_table('deliberation_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliberation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('instruction_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deliberation_follow_ups_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_deliberation_follow_ups_created_by_users')),
    sa.ForeignKeyConstraint(['deliberation_id'], ['deliberations.id'],
                            name=op.f('fk_deliberation_follow_ups_deliberation_id_deliberations')),
    sa.ForeignKeyConstraint(['instruction_id'], ['instructions.id'],
                            name=op.f('fk_deliberation_follow_ups_instruction_id_instructions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_follow_ups')),
    )
    op.create_index(op.f('ix_deliberation_follow_ups_case_id'), 'deliberation_follow_ups', ['case_id'], unique=False)
    op.create_index(op.f('ix_deliberation_follow_ups_deliberation_id'), 'deliberation_follow_ups',
                    ['deliberation_id'], unique=False)
    op.create_index(op.f('ix_deliberation_follow_ups_instruction_id'), 'deliberation_follow_ups',
                    ['instruction_id'], unique=False)


def downgrade() -> None:
    for table, columns in (('deliberation_follow_ups', ('instruction_id', 'deliberation_id', 'case_id')),
                           ('deliberation_meetings', ('deliberation_id',)),
                           ('deliberation_participants', ('deliberation_id',)),
                           ('deliberations', ('status', 'area_code'))):
        for column in columns:
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        op.drop_table(table)
