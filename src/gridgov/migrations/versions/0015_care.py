"""registry care: the due date a special-group tag's overdue visit was last warned about

``registry_person_tags.visit_warned_on``: the periodic sweep claims an overdue tag with a
conditional UPDATE (``visit_due_on < today AND visit_warned_on IS DISTINCT FROM visit_due_on``), so
the grid's workers are told once per overdue period; a visit moves ``visit_due_on`` and the next
period is warned about again.

Revision ID: 0015_care
Revises: 0014_registry
Create Date: 2026-12-06 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_care'
down_revision = '0014_registry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_person_tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_warned_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registry_person_tags', schema=None) as batch_op:
        batch_op.drop_column('visit_warned_on')
