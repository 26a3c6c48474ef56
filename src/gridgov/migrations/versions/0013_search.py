"""search: notices that are to-dos are done when their step is taken

Adds ``notifications.done_at`` (when the step a to-do asked for was taken, by anyone) and an index on
``notifications.case_id`` (a case's open to-dos are settled on each of its steps). To-dos of cases
already closed or rejected are settled at the case's last change.

Revision ID: 0013_search
Revises: 0012_posts
Create Date: 2026-12-06 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_search'
down_revision = '0012_posts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_case_id'), ['case_id'], unique=False)
    op.execute(
        "UPDATE notifications SET done_at = (SELECT cases.updated_at FROM cases WHERE cases.id = notifications.case_id) "
        "WHERE case_id IN (SELECT id FROM cases WHERE state IN ('closed', 'rejected')) "
        "AND kind NOT IN ('clock_warning', 'clock_overdue', 'supervision_answered', 'supervision_overdue', "
        "'dedicated_grid_case')"
    )


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_case_id'))
        batch_op.drop_column('done_at')
