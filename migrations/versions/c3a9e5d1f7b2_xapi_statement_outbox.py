"""xapi statement outbox: statements for the province's LRS, written with their events

Revision ID: c3a9e5d1f7b2
Revises: c4e8a1f0d2b6
Create Date: 2026-12-09 10:00:00.000000

Empty until XAPI_LRS_URL is set: events before that are not reported afterwards.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9e5d1f7b2'
down_revision = 'c4e8a1f0d2b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_statement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statement'))
    )
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statement_due', ['state', 'next_try_at'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statement_due')

    op.drop_table('xapi_statement')
