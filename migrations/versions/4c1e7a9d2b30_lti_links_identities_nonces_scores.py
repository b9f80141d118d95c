"""LTI 1.3: login nonces, platform identities, resource links and the score outbox

Revision ID: 4c1e7a9d2b30
Revises: c3a9e5d1f7b2
Create Date: 2026-12-02 06:42:20.166489

New tables only (app/lti/models.py); nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1e7a9d2b30'
down_revision = 'c3a9e5d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_nonce',
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_lti_nonce'))
    )
    with op.batch_alter_table('lti_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_nonce_expires_at'), ['expires_at'], unique=False)

    op.create_table('lti_resource_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('lineitem_url', sa.String(length=2000), nullable=True),
    sa.Column('ags_scopes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_lti_resource_link_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_resource_link')),
    sa.UniqueConstraint('issuer', 'client_id', 'deployment_id', 'resource_link_id', name=op.f('uq_lti_resource_link_issuer'))
    )
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_resource_link_course_id'), ['course_id'], unique=False)

    op.create_table('lti_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_launch_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lti_identity_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_lti_identity_issuer'))
    )
    with op.batch_alter_table('lti_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identity_user_id'), ['user_id'], unique=False)

    op.create_table('lti_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('lineitem_url', sa.String(length=2000), nullable=False),
    sa.Column('ags_scopes', sa.JSON(), nullable=False),
    sa.Column('platform_user_id', sa.String(length=255), nullable=False),
    sa.Column('score_given', sa.Integer(), nullable=False),
    sa.Column('score_maximum', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['lti_resource_link.id'], name=op.f('fk_lti_score_link_id_lti_resource_link')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lti_score_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_score')),
    sa.UniqueConstraint('user_id', 'link_id', name=op.f('uq_lti_score_user_id'))
    )
    with op.batch_alter_table('lti_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_score_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_score_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_score_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_score_user_id'), ['user_id'], unique=False)

    op.create_table('lti_link_learner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('first_launch_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['lti_identity.id'], name=op.f('fk_lti_link_learner_identity_id_lti_identity')),
    sa.ForeignKeyConstraint(['link_id'], ['lti_resource_link.id'], name=op.f('fk_lti_link_learner_link_id_lti_resource_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_link_learner')),
    sa.UniqueConstraint('identity_id', 'link_id', name=op.f('uq_lti_link_learner_identity_id'))
    )
    with op.batch_alter_table('lti_link_learner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_link_learner_identity_id'), ['identity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_link_learner_link_id'), ['link_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lti_link_learner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_link_learner_link_id'))
        batch_op.drop_index(batch_op.f('ix_lti_link_learner_identity_id'))

    op.drop_table('lti_link_learner')
    with op.batch_alter_table('lti_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_score_user_id'))
        batch_op.drop_index(batch_op.f('ix_lti_score_state'))
        batch_op.drop_index(batch_op.f('ix_lti_score_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_lti_score_link_id'))

    op.drop_table('lti_score')
    with op.batch_alter_table('lti_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identity_user_id'))

    op.drop_table('lti_identity')
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_resource_link_course_id'))

    op.drop_table('lti_resource_link')
    with op.batch_alter_table('lti_nonce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_nonce_expires_at'))

    op.drop_table('lti_nonce')
