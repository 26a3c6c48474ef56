"""accounts, departments, audit, staff, adjustments, board

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:54:02.285687
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('area_code', sa.String(length=17), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('departments',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_departments_area_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_departments')),
    sa.UniqueConstraint('area_code', 'kind', name='uq_departments_area_kind')
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_area_code'), ['area_code'], unique=False)

    op.create_table('staff_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_number_enc', sa.LargeBinary(), nullable=True),
    sa.Column('id_number_index', sa.String(length=64), nullable=True),
    sa.Column('id_number_mask', sa.String(length=18), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('work_phone', sa.String(length=20), nullable=False),
    sa.Column('photo_hash', sa.String(length=64), nullable=True),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_staff_members_area_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_members')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_staff_members_id_number_index'))
    )
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_members_area_code'), ['area_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_users_department_code_departments')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_users_staff_id_staff_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_scope_code'), ['scope_code'], unique=False)

    op.create_table('board_complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('complainant', sa.String(length=50), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('action_taken', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_board_complaints_grid_code_grids')),
    sa.ForeignKeyConstraint(['handled_by'], ['users.id'], name=op.f('fk_board_complaints_handled_by_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_board_complaints_staff_id_staff_members')),
    sa.ForeignKeyConstraint(['town_code'], ['areas.code'], name=op.f('fk_board_complaints_town_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_complaints'))
    )
    with op.batch_alter_table('board_complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_complaints_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_complaints_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_complaints_town_code'), ['town_code'], unique=False)

    op.create_table('grid_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('committee_opinion', sa.Text(), nullable=False),
    sa.Column('plan', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('filed_by', sa.Integer(), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filing_note', sa.Text(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['county_code'], ['areas.code'], name=op.f('fk_grid_adjustments_county_code_areas')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_grid_adjustments_decided_by_users')),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_grid_adjustments_filed_by_users')),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_grid_adjustments_proposed_by_users')),
    sa.ForeignKeyConstraint(['town_code'], ['areas.code'], name=op.f('fk_grid_adjustments_town_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_adjustments'))
    )
    with op.batch_alter_table('grid_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_adjustments_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_adjustments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_adjustments_town_code'), ['town_code'], unique=False)

    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=True),
    sa.Column('micro_grid_code', sa.String(length=17), nullable=True),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_posts_department_code_departments')),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_posts_grid_code_grids')),
    sa.ForeignKeyConstraint(['micro_grid_code'], ['micro_grids.code'], name=op.f('fk_posts_micro_grid_code_micro_grids')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_posts_staff_id_staff_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_scope_code'), ['scope_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_status'), ['status'], unique=False)

    op.create_table('staff_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_staff_exclusions_recorded_by_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_staff_exclusions_staff_id_staff_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_exclusions'))
    )
    with op.batch_alter_table('staff_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_exclusions_staff_id'), ['staff_id'], unique=False)

    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_trainings_recorded_by_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_trainings_staff_id_staff_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_staff_id'), ['staff_id'], unique=False)

    op.create_table('grid_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=15), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('geom_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('adjustment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adjustment_id'], ['grid_adjustments.id'], name=op.f('fk_grid_versions_adjustment_id_grid_adjustments')),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_grid_versions_grid_code_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_versions'))
    )
    with op.batch_alter_table('grid_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_versions_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_versions_valid_from'), ['valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_versions_valid_to'), ['valid_to'], unique=False)



    _audit_append_only()


APPEND_ONLY_MESSAGE = "审计日志只能追加，不能修改或删除"


def _audit_append_only() -> None:
    """The audit log refuses UPDATE and DELETE at the database itself, on both backends."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$ LANGUAGE plpgsql"""
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def downgrade() -> None:
    _drop_audit_append_only()
    with op.batch_alter_table('grid_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_versions_valid_to'))
        batch_op.drop_index(batch_op.f('ix_grid_versions_valid_from'))
        batch_op.drop_index(batch_op.f('ix_grid_versions_grid_code'))

    op.drop_table('grid_versions')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainings_staff_id'))

    op.drop_table('trainings')
    with op.batch_alter_table('staff_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_exclusions_staff_id'))

    op.drop_table('staff_exclusions')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_status'))
        batch_op.drop_index(batch_op.f('ix_posts_staff_id'))
        batch_op.drop_index(batch_op.f('ix_posts_scope_code'))
        batch_op.drop_index(batch_op.f('ix_posts_grid_code'))

    op.drop_table('posts')
    with op.batch_alter_table('grid_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_adjustments_town_code'))
        batch_op.drop_index(batch_op.f('ix_grid_adjustments_status'))
        batch_op.drop_index(batch_op.f('ix_grid_adjustments_county_code'))

    op.drop_table('grid_adjustments')
    with op.batch_alter_table('board_complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_complaints_town_code'))
        batch_op.drop_index(batch_op.f('ix_board_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_board_complaints_grid_code'))

    op.drop_table('board_complaints')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_scope_code'))

    op.drop_table('users')
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_members_area_code'))

    op.drop_table('staff_members')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_area_code'))

    op.drop_table('departments')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_area_code'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
