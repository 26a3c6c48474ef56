"""teams: special service teams, people's organisations, social organisations and their service projects (issue 18)

See models/teams.py.

Revision ID: 0033_teams
Revises: 0032_volunteers
Create Date: 2026-12-07 06:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0033_teams'
down_revision = '0032_volunteers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cogov_social_orgs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_social_orgs')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_cogov_social_orgs_credit_code'))
    )
    with op.batch_alter_table('cogov_social_orgs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_social_orgs_area_code'), ['area_code'], unique=False)

    op.create_table('cogov_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_teams'))
    )
    with op.batch_alter_table('cogov_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_teams_area_code'), ['area_code'], unique=False)

    op.create_table('cogov_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('purchaser', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['cogov_social_orgs.id'], name=op.f('fk_cogov_projects_org_id_cogov_social_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_projects'))
    )
    with op.batch_alter_table('cogov_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_projects_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_projects_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_projects_status'), ['status'], unique=False)

    op.create_table('cogov_project_grids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_cogov_project_grids_grid_code_grids')),
    sa.ForeignKeyConstraint(['project_id'], ['cogov_projects.id'], name=op.f('fk_cogov_project_grids_project_id_cogov_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_project_grids')),
    sa.UniqueConstraint('project_id', 'grid_code', name='uq_cogov_project_grids')
    )
    with op.batch_alter_table('cogov_project_grids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_project_grids_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_project_grids_project_id'), ['project_id'], unique=False)

    op.create_table('cogov_project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['cogov_projects.id'], name=op.f('fk_cogov_project_milestones_project_id_cogov_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_project_milestones'))
    )
    with op.batch_alter_table('cogov_project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_project_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('cogov_team_grids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_cogov_team_grids_grid_code_grids')),
    sa.ForeignKeyConstraint(['team_id'], ['cogov_teams.id'], name=op.f('fk_cogov_team_grids_team_id_cogov_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_team_grids')),
    sa.UniqueConstraint('team_id', 'grid_code', name='uq_cogov_team_grids')
    )
    with op.batch_alter_table('cogov_team_grids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_team_grids_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_team_grids_team_id'), ['team_id'], unique=False)

    op.create_table('cogov_project_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['cogov_projects.id'], name=op.f('fk_cogov_project_reports_project_id_cogov_projects')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_cogov_project_reports_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_project_reports'))
    )
    with op.batch_alter_table('cogov_project_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_project_reports_project_id'), ['project_id'], unique=False)

    op.create_table('cogov_social_org_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['cogov_social_orgs.id'], name=op.f('fk_cogov_social_org_accounts_org_id_cogov_social_orgs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cogov_social_org_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_social_org_accounts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cogov_social_org_accounts_user_id'))
    )
    with op.batch_alter_table('cogov_social_org_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_social_org_accounts_org_id'), ['org_id'], unique=False)

    op.create_table('cogov_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('duty', sa.String(length=50), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['cogov_teams.id'], name=op.f('fk_cogov_team_members_team_id_cogov_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cogov_team_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_team_members')),
    sa.UniqueConstraint('team_id', 'user_id', name='uq_cogov_team_members_user')
    )
    with op.batch_alter_table('cogov_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_team_members_user_id'), ['user_id'], unique=False)

    op.create_table('cogov_team_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], name=op.f('fk_cogov_team_tasks_assigned_by_users')),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_cogov_team_tasks_grid_code_grids')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_cogov_team_tasks_recorded_by_users')),
    sa.ForeignKeyConstraint(['team_id'], ['cogov_teams.id'], name=op.f('fk_cogov_team_tasks_team_id_cogov_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cogov_team_tasks'))
    )
    with op.batch_alter_table('cogov_team_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cogov_team_tasks_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_team_tasks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cogov_team_tasks_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cogov_team_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_team_tasks_team_id'))
        batch_op.drop_index(batch_op.f('ix_cogov_team_tasks_status'))
        batch_op.drop_index(batch_op.f('ix_cogov_team_tasks_grid_code'))

    op.drop_table('cogov_team_tasks')
    with op.batch_alter_table('cogov_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_team_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_cogov_team_members_team_id'))

    op.drop_table('cogov_team_members')
    with op.batch_alter_table('cogov_social_org_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_social_org_accounts_org_id'))

    op.drop_table('cogov_social_org_accounts')
    with op.batch_alter_table('cogov_project_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_project_reports_project_id'))

    op.drop_table('cogov_project_reports')
    with op.batch_alter_table('cogov_team_grids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_team_grids_team_id'))
        batch_op.drop_index(batch_op.f('ix_cogov_team_grids_grid_code'))

    op.drop_table('cogov_team_grids')
    with op.batch_alter_table('cogov_project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_project_milestones_project_id'))

    op.drop_table('cogov_project_milestones')
    with op.batch_alter_table('cogov_project_grids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_project_grids_project_id'))
        batch_op.drop_index(batch_op.f('ix_cogov_project_grids_grid_code'))

    op.drop_table('cogov_project_grids')
    with op.batch_alter_table('cogov_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_projects_status'))
        batch_op.drop_index(batch_op.f('ix_cogov_projects_org_id'))
        batch_op.drop_index(batch_op.f('ix_cogov_projects_area_code'))

    op.drop_table('cogov_projects')
    with op.batch_alter_table('cogov_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_teams_area_code'))

    op.drop_table('cogov_teams')
    with op.batch_alter_table('cogov_social_orgs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cogov_social_orgs_area_code'))

    op.drop_table('cogov_social_orgs')
