"""quiz attempts: per-attempt option ids, preview attempts

Revision ID: a5e08149f2e5
Revises: f3c9a1d2b7e4
Create Date: 2026-12-01 22:13:20.369264

Attempts already in progress keep option_ids NULL: their open pages send option indexes, and
the grader accepts indexes for exactly those attempts (app/quizzes/option_ids.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5e08149f2e5'
down_revision = 'f3c9a1d2b7e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('option_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('is_preview', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('is_preview')
        batch_op.drop_column('option_ids')

