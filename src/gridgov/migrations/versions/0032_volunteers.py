"""volunteers: the register of volunteer organisations and people, and informants' reports (issue 18)

See models/volunteers.py. A micro-grid has one active liaison at most (partial unique index).

Revision ID: 0032_volunteers
Revises: 0031_mediation
Create Date: 2026-12-07 05:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0032_volunteers'
down_revision = '0031_mediation'
branch_labels = None
depends_on = None

ONE_LIAISON = sa.text("kind = 'liaison' AND active")


def upgrade() -> None:
    op.create_table('volunteer_orgs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('contact', sa.String(length=50), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_orgs')),
    )
    op.create_index(op.f('ix_volunteer_orgs_area_code'), 'volunteer_orgs', ['area_code'], unique=False)
    op.create_table('volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('place_code', sa.String(length=17), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('micro_grid_code', sa.String(length=17), nullable=True),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['volunteer_orgs.id'], name=op.f('fk_volunteers_org_id_volunteer_orgs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteers')),
    )
    op.create_index(op.f('ix_volunteers_org_id'), 'volunteers', ['org_id'], unique=False)
    op.create_index(op.f('ix_volunteers_place_code'), 'volunteers', ['place_code'], unique=False)
    op.create_index(op.f('ix_volunteers_grid_code'), 'volunteers', ['grid_code'], unique=False)
    op.create_index(op.f('ix_volunteers_phone_index'), 'volunteers', ['phone_index'], unique=False)
    op.create_index('uq_volunteers_one_liaison', 'volunteers', ['micro_grid_code'], unique=True,
                    sqlite_where=ONE_LIAISON, postgresql_where=ONE_LIAISON)
    op.create_table('informant_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_informant_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'],
                            name=op.f('fk_informant_reports_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_informant_reports')),
    sa.UniqueConstraint('case_id', name=op.f('uq_informant_reports_case_id')),
    )
    op.create_index(op.f('ix_informant_reports_volunteer_id'), 'informant_reports', ['volunteer_id'], unique=False)
    op.create_index(op.f('ix_informant_reports_grid_code'), 'informant_reports', ['grid_code'], unique=False)


def downgrade() -> None:
    op.drop_table('informant_reports')
    op.drop_index('uq_volunteers_one_liaison', table_name='volunteers')
    op.drop_table('volunteers')
    op.drop_table('volunteer_orgs')
