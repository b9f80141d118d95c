"""intake target: how many learners the intake is meant to reach (chỉ tiêu)

Revision ID: c3e8f1a2d4b6
Revises: c4e8a7d2f915
Create Date: 2026-12-09 09:00:00.000000

Empty for existing intakes: reports then count the enrolled learners as the target, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8f1a2d4b6'
down_revision = 'c4e8a7d2f915'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_column('target')
