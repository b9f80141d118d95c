"""Statuses as enums: a CHECK constraint on each status column

Revision ID: 9e4b2c7a1d53
Revises: 4c1e7a9d2b30
Create Date: 2026-12-02 12:40:00.000000

The columns stay VARCHAR(16) with the same values (app.database.status_type), so no row changes;
each gains a named CHECK listing its enum's values. Batch mode: SQLite adds a CHECK only by
rebuilding the table.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e4b2c7a1d53'
down_revision = '4c1e7a9d2b30'
branch_labels = None
depends_on = None

# (table, column, values) as the models' enums hold them on this date; a later change of an
# enum needs a migration of its own, so the values are written out here, not imported.
STATUSES = [
    ('unit', 'level', ('province', 'district', 'commune')),
    ('user', 'role', ('learner', 'instructor', 'admin')),
    ('audit_event', 'outcome', ('success', 'failure', 'denied')),
    ('module_revision', 'state', ('draft', 'published', 'superseded')),
    ('certificate', 'status', ('valid', 'revoked', 'superseded')),
    ('batch_job', 'state', ('queued', 'running', 'done', 'failed')),
    ('attendance', 'method', ('checkin', 'import', 'roster')),
    ('lti_score', 'state', ('pending', 'sent', 'failed')),
    ('quiz_attempt', 'state', ('in_progress', 'submitted')),
    ('xapi_statement', 'state', ('pending', 'sent', 'failed')),
]


def upgrade():
    for table, column, values in STATUSES:
        listed = ', '.join(f"'{value}'" for value in values)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), f'{column} IN ({listed})')


def downgrade():
    for table, column, _ in reversed(STATUSES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
