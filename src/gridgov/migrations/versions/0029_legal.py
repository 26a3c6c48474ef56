"""legal: legal professionals in the grids, their schedules, visits and case referrals (issue 18)

See models/legal.py.

Revision ID: 0029_legal
Revises: 0028_cogovernance
Create Date: 2026-12-07 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0029_legal'
down_revision = '0028_cogovernance'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('legal_professionals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('institution', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('public_phone', sa.String(length=30), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_legal_professionals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_professionals')),
    sa.UniqueConstraint('user_id', name=op.f('uq_legal_professionals_user_id')),
    )
    op.create_index(op.f('ix_legal_professionals_area_code'), 'legal_professionals', ['area_code'], unique=False)
    op.create_table('legal_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=15), nullable=False),
    sa.Column('rule', sa.String(length=8), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=True),
    sa.Column('nth', sa.SmallInteger(), nullable=True),
    sa.Column('dates', sa.String(length=1000), nullable=False),
    sa.Column('hours', sa.String(length=50), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['legal_professionals.id'],
                            name=op.f('fk_legal_schedules_professional_id_legal_professionals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_schedules')),
    )
    op.create_index(op.f('ix_legal_schedules_professional_id'), 'legal_schedules', ['professional_id'], unique=False)
    op.create_index(op.f('ix_legal_schedules_area_code'), 'legal_schedules', ['area_code'], unique=False)
    op.create_table('legal_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('services', sa.String(length=100), nullable=False),
    sa.Column('people_served', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['legal_professionals.id'],
                            name=op.f('fk_legal_visits_professional_id_legal_professionals')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_legal_visits_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_visits')),
    )
    op.create_index(op.f('ix_legal_visits_professional_id'), 'legal_visits', ['professional_id'], unique=False)
    op.create_index(op.f('ix_legal_visits_grid_code'), 'legal_visits', ['grid_code'], unique=False)
    op.create_table('legal_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('referred_by', sa.Integer(), nullable=True),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['professional_id'], ['legal_professionals.id'],
                            name=op.f('fk_legal_referrals_professional_id_legal_professionals')),
    sa.ForeignKeyConstraint(['referred_by'], ['users.id'], name=op.f('fk_legal_referrals_referred_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_referrals')),
    )
    op.create_index(op.f('ix_legal_referrals_case_id'), 'legal_referrals', ['case_id'], unique=False)
    op.create_index(op.f('ix_legal_referrals_professional_id'), 'legal_referrals', ['professional_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_legal_referrals_professional_id'), table_name='legal_referrals')
    op.drop_index(op.f('ix_legal_referrals_case_id'), table_name='legal_referrals')
    op.drop_table('legal_referrals')
    op.drop_index(op.f('ix_legal_visits_grid_code'), table_name='legal_visits')
    op.drop_index(op.f('ix_legal_visits_professional_id'), table_name='legal_visits')
    op.drop_table('legal_visits')
    op.drop_index(op.f('ix_legal_schedules_area_code'), table_name='legal_schedules')
    op.drop_index(op.f('ix_legal_schedules_professional_id'), table_name='legal_schedules')
    op.drop_table('legal_schedules')
    op.drop_index(op.f('ix_legal_professionals_area_code'), table_name='legal_professionals')
    op.drop_table('legal_professionals')
