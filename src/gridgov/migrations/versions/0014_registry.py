"""registry: 一标三实 (standard addresses, houses, people, units), special-group tags, visits, access log

Tables for the register of issue 15 (see ``gridgov.models.registry``), and ``cases.address_id`` /
``cases.person_id`` linking a case to the address and, where needed, the person it names.

Revision ID: 0014_registry
Revises: 0013_search
Create Date: 2026-12-06 18:34:46.929180
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0014_registry'
down_revision = '0013_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('road', sa.String(length=60), nullable=False),
    sa.Column('house_no', sa.String(length=20), nullable=False),
    sa.Column('building', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('room', sa.String(length=20), nullable=False),
    sa.Column('canonical', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('grid_code', sa.String(length=15), nullable=True),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_registry_addresses_area_code_areas')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_registry_addresses_created_by_users')),
    sa.ForeignKeyConstraint(['grid_code'], ['grids.code'], name=op.f('fk_registry_addresses_grid_code_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_addresses')),
    sa.UniqueConstraint('canonical', name=op.f('uq_registry_addresses_canonical')),
    sa.UniqueConstraint('code', name=op.f('uq_registry_addresses_code'))
    )
    with op.batch_alter_table('registry_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_addresses_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_addresses_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_addresses_scope_code'), ['scope_code'], unique=False)

    op.create_table('registry_houses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=False),
    sa.Column('usage', sa.String(length=12), nullable=False),
    sa.Column('owner_person_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sa.String(length=100), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['registry_addresses.id'], name=op.f('fk_registry_houses_address_id_registry_addresses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_houses')),
    sa.UniqueConstraint('address_id', name=op.f('uq_registry_houses_address_id'))
    )
    with op.batch_alter_table('registry_houses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_houses_scope_code'), ['scope_code'], unique=False)

    op.create_table('registry_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('contact_phone_mask', sa.String(length=20), nullable=False),
    sa.Column('dedicated_grid_code', sa.String(length=15), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['registry_addresses.id'], name=op.f('fk_registry_units_address_id_registry_addresses')),
    sa.ForeignKeyConstraint(['dedicated_grid_code'], ['grids.code'], name=op.f('fk_registry_units_dedicated_grid_code_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_units')),
    sa.UniqueConstraint('uscc', name=op.f('uq_registry_units_uscc'))
    )
    with op.batch_alter_table('registry_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_units_address_id'), ['address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_units_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_units_scope_code'), ['scope_code'], unique=False)

    op.create_table('registry_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_kind', sa.String(length=12), nullable=False),
    sa.Column('id_number_enc', sa.LargeBinary(), nullable=False),
    sa.Column('id_number_index', sa.String(length=64), nullable=False),
    sa.Column('id_number_mask', sa.String(length=24), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('ethnicity', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_mask', sa.String(length=20), nullable=False),
    sa.Column('residence_kind', sa.String(length=12), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['registry_houses.id'], name=op.f('fk_registry_people_house_id_registry_houses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_people')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_registry_people_id_number_index'))
    )
    with op.batch_alter_table('registry_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_people_house_id'), ['house_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_people_name'), ['name'], unique=False)
        batch_op.create_index('ix_registry_people_scope_name', ['scope_code', 'name'], unique=False)
    with op.batch_alter_table('registry_houses', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_registry_houses_owner_person_id_registry_people'),
                                    'registry_people', ['owner_person_id'], ['id'])

    op.create_table('registry_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['registry_houses.id'], name=op.f('fk_registry_moves_house_id_registry_houses')),
    sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'], name=op.f('fk_registry_moves_person_id_registry_people')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_registry_moves_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_moves'))
    )
    with op.batch_alter_table('registry_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_moves_person_id'), ['person_id'], unique=False)

    op.create_table('registry_person_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('fields', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('reason_text', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'], name=op.f('fk_registry_person_access_person_id_registry_people')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registry_person_access_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_person_access'))
    )
    with op.batch_alter_table('registry_person_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_person_access_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_person_access_person_id'), ['person_id'], unique=False)

    op.create_table('registry_person_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tag_enc', sa.LargeBinary(), nullable=False),
    sa.Column('tag_index', sa.String(length=64), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('visit_due_on', sa.Date(), nullable=True),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'], name=op.f('fk_registry_person_tags_person_id_registry_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_person_tags'))
    )
    with op.batch_alter_table('registry_person_tags', schema=None) as batch_op:
        batch_op.create_index('ix_registry_person_tags_due', ['scope_code', 'visit_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_person_tags_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_registry_person_tags_scope_tag', ['scope_code', 'tag_index'], unique=False)

    op.create_table('registry_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relative_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'], name=op.f('fk_registry_relations_person_id_registry_people')),
    sa.ForeignKeyConstraint(['relative_id'], ['registry_people.id'], name=op.f('fk_registry_relations_relative_id_registry_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_relations')),
    sa.UniqueConstraint('person_id', 'relative_id', name='uq_registry_relations_pair')
    )
    with op.batch_alter_table('registry_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_relations_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_relations_relative_id'), ['relative_id'], unique=False)

    op.create_table('registry_rentals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('tenant_person_id', sa.Integer(), nullable=True),
    sa.Column('tenant_unit_id', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['registry_houses.id'], name=op.f('fk_registry_rentals_house_id_registry_houses')),
    sa.ForeignKeyConstraint(['tenant_person_id'], ['registry_people.id'], name=op.f('fk_registry_rentals_tenant_person_id_registry_people')),
    sa.ForeignKeyConstraint(['tenant_unit_id'], ['registry_units.id'], name=op.f('fk_registry_rentals_tenant_unit_id_registry_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_rentals'))
    )
    with op.batch_alter_table('registry_rentals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_rentals_house_id'), ['house_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_rentals_tenant_person_id'), ['tenant_person_id'], unique=False)

    op.create_table('registry_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('services', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('scope_code', sa.String(length=17), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_registry_visits_case_id_cases')),
    sa.ForeignKeyConstraint(['house_id'], ['registry_houses.id'], name=op.f('fk_registry_visits_house_id_registry_houses')),
    sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'], name=op.f('fk_registry_visits_person_id_registry_people')),
    sa.ForeignKeyConstraint(['unit_id'], ['registry_units.id'], name=op.f('fk_registry_visits_unit_id_registry_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registry_visits_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_visits'))
    )
    with op.batch_alter_table('registry_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_visits_house_id'), ['house_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_visits_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_visits_scope_code'), ['scope_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_visits_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_visits_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_address_id'), ['address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_person_id_registry_people'), 'registry_people', ['person_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_cases_address_id_registry_addresses'), 'registry_addresses', ['address_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_address_id_registry_addresses'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_cases_person_id_registry_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_person_id'))
        batch_op.drop_index(batch_op.f('ix_cases_address_id'))
        batch_op.drop_column('person_id')
        batch_op.drop_column('address_id')

    with op.batch_alter_table('registry_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_visits_user_id'))
        batch_op.drop_index(batch_op.f('ix_registry_visits_unit_id'))
        batch_op.drop_index(batch_op.f('ix_registry_visits_scope_code'))
        batch_op.drop_index(batch_op.f('ix_registry_visits_person_id'))
        batch_op.drop_index(batch_op.f('ix_registry_visits_house_id'))

    op.drop_table('registry_visits')
    with op.batch_alter_table('registry_rentals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_rentals_tenant_person_id'))
        batch_op.drop_index(batch_op.f('ix_registry_rentals_house_id'))

    op.drop_table('registry_rentals')
    with op.batch_alter_table('registry_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_relations_relative_id'))
        batch_op.drop_index(batch_op.f('ix_registry_relations_person_id'))

    op.drop_table('registry_relations')
    with op.batch_alter_table('registry_person_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_person_tags_scope_tag')
        batch_op.drop_index(batch_op.f('ix_registry_person_tags_person_id'))
        batch_op.drop_index('ix_registry_person_tags_due')

    op.drop_table('registry_person_tags')
    with op.batch_alter_table('registry_person_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_person_access_person_id'))
        batch_op.drop_index(batch_op.f('ix_registry_person_access_at'))

    op.drop_table('registry_person_access')
    with op.batch_alter_table('registry_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_moves_person_id'))

    op.drop_table('registry_moves')
    with op.batch_alter_table('registry_people', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_people_scope_name')
        batch_op.drop_index(batch_op.f('ix_registry_people_name'))
        batch_op.drop_index(batch_op.f('ix_registry_people_house_id'))

    with op.batch_alter_table('registry_houses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registry_houses_owner_person_id_registry_people'), type_='foreignkey')
    op.drop_table('registry_people')
    with op.batch_alter_table('registry_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_units_scope_code'))
        batch_op.drop_index(batch_op.f('ix_registry_units_name'))
        batch_op.drop_index(batch_op.f('ix_registry_units_address_id'))

    op.drop_table('registry_units')
    with op.batch_alter_table('registry_houses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_houses_scope_code'))

    op.drop_table('registry_houses')
    with op.batch_alter_table('registry_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_addresses_scope_code'))
        batch_op.drop_index(batch_op.f('ix_registry_addresses_grid_code'))
        batch_op.drop_index(batch_op.f('ix_registry_addresses_area_code'))

    op.drop_table('registry_addresses')
