"""live sessions and attendance

Revision ID: b7d41c2e9a60
Revises: a5e08149f2e5
Create Date: 2026-12-08 09:00:00.000000

A live session of a course (optionally of one intake) and one attendance row per learner and
session, however it was recorded (check-in, imported participant report, roster tick).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a60'
down_revision = 'a5e08149f2e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('meeting_url', sa.String(length=500), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('attendance_required', sa.Boolean(), nullable=False),
    sa.Column('minimum_minutes', sa.Integer(), nullable=False),
    sa.Column('checkin_code', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_live_session_course_id_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_live_session_created_by_id_user')),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], name=op.f('fk_live_session_intake_id_intake')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_starts_at'), ['starts_at'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_attendance_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_attendance_session_id_live_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attendance_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_attendance_session_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))
    op.drop_table('attendance')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_live_session_intake_id'))
        batch_op.drop_index(batch_op.f('ix_live_session_course_id'))
    op.drop_table('live_session')
