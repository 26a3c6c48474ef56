"""mediation: mediation bodies, their mediators, mediations of dispute cases (issue 18, ZJ§17)

See models/mediation.py.

Revision ID: 0031_mediation
Revises: 0030_deliberation
Create Date: 2026-12-07 05:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0031_mediation'
down_revision = '0030_deliberation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mediation_bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_bodies')),
    )
    op.create_index(op.f('ix_mediation_bodies_area_code'), 'mediation_bodies', ['area_code'], unique=False)
    op.create_table('mediation_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['mediation_bodies.id'],
                            name=op.f('fk_mediation_members_body_id_mediation_bodies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mediation_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_members')),
    sa.UniqueConstraint('body_id', 'user_id', name='uq_mediation_members_body_user'),
    )
    op.create_index(op.f('ix_mediation_members_body_id'), 'mediation_members', ['body_id'], unique=False)
    op.create_index(op.f('ix_mediation_members_user_id'), 'mediation_members', ['user_id'], unique=False)
    op.create_table('mediations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=17), nullable=False),
    sa.Column('passed_by', sa.Integer(), nullable=True),
    sa.Column('passed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('agreement', sa.Text(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('next_route', sa.String(length=16), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_mediations_case_id_cases')),
    sa.ForeignKeyConstraint(['body_id'], ['mediation_bodies.id'], name=op.f('fk_mediations_body_id_mediation_bodies')),
    sa.ForeignKeyConstraint(['passed_by'], ['users.id'], name=op.f('fk_mediations_passed_by_users')),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], name=op.f('fk_mediations_ended_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediations')),
    )
    op.create_index(op.f('ix_mediations_case_id'), 'mediations', ['case_id'], unique=False)
    op.create_index(op.f('ix_mediations_body_id'), 'mediations', ['body_id'], unique=False)
    op.create_index(op.f('ix_mediations_grid_code'), 'mediations', ['grid_code'], unique=False)
    op.create_index('ix_mediations_body_status', 'mediations', ['body_id', 'status'], unique=False)
    op.create_table('mediation_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name_enc', sa.LargeBinary(), nullable=False),
    sa.Column('name_mask', sa.String(length=40), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_mask', sa.String(length=24), nullable=False),
    sa.Column('id_number_enc', sa.LargeBinary(), nullable=True),
    sa.Column('id_number_mask', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['mediation_id'], ['mediations.id'],
                            name=op.f('fk_mediation_parties_mediation_id_mediations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_parties')),
    )
    op.create_index(op.f('ix_mediation_parties_mediation_id'), 'mediation_parties', ['mediation_id'], unique=False)
    op.create_table('mediation_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediation_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mediation_id'], ['mediations.id'],
                            name=op.f('fk_mediation_sessions_mediation_id_mediations')),
    sa.ForeignKeyConstraint(['mediator_id'], ['users.id'], name=op.f('fk_mediation_sessions_mediator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_sessions')),
    )
    op.create_index(op.f('ix_mediation_sessions_mediation_id'), 'mediation_sessions', ['mediation_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mediation_sessions_mediation_id'), table_name='mediation_sessions')
    op.drop_table('mediation_sessions')
    op.drop_index(op.f('ix_mediation_parties_mediation_id'), table_name='mediation_parties')
    op.drop_table('mediation_parties')
    op.drop_index('ix_mediations_body_status', table_name='mediations')
    op.drop_index(op.f('ix_mediations_grid_code'), table_name='mediations')
    op.drop_index(op.f('ix_mediations_body_id'), table_name='mediations')
    op.drop_index(op.f('ix_mediations_case_id'), table_name='mediations')
    op.drop_table('mediations')
    op.drop_index(op.f('ix_mediation_members_user_id'), table_name='mediation_members')
    op.drop_index(op.f('ix_mediation_members_body_id'), table_name='mediation_members')
    op.drop_table('mediation_members')
    op.drop_index(op.f('ix_mediation_bodies_area_code'), table_name='mediation_bodies')
    op.drop_table('mediation_bodies')
