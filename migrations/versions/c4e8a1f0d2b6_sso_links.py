"""sso links: a provider's subject linked to one account (sign-in through OpenID Connect)

Revision ID: c4e8a1f0d2b6
Revises: c3e8f1a2d4b6
Create Date: 2026-12-10 10:00:00.000000

Issue 16: the table starts empty; each person's first sign-in through a provider fills her row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f0d2b6'
down_revision = 'c3e8f1a2d4b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sso_link_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_link')),
        sa.UniqueConstraint('provider', 'subject', name='uq_sso_link_provider_subject'),
        sa.UniqueConstraint('provider', 'user_id', name='uq_sso_link_provider_user_id'),
    )
    with op.batch_alter_table('sso_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_link_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sso_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_link_user_id'))
    op.drop_table('sso_link')
