"""course audience: who a course is for, shown in the course list

Revision ID: b7d41c2e9f10
Revises: b7d41c2e9a60
Create Date: 2026-12-08 10:00:00.000000

Courses synced before this step have no audience until `flask courses sync` reads course.yml
again; the course list then shows only their description and length.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9f10'
down_revision = 'b7d41c2e9a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('audience')
