"""The live sessions a learner must attend to complete a course: a course completion waits for them.

The completion rule asks through `course_completion_pending` (app/progress/signals.py), connected
in `init_app`; progress imports nothing of live sessions.
"""

import sqlalchemy as sa
from flask import Flask

from app.accounts.models import User
from app.content.models import Course
from app.extensions import db
from app.live_sessions.models import Attendance, LiveSession
from app.progress.models import Enrolment
from app.progress.signals import course_completion_pending


def init_app(app: Flask) -> None:
    """In this app a course is complete only once its required sessions are attended too."""
    course_completion_pending.connect(_required_sessions_attended, sender=app)


def _required_sessions_attended(_app: Flask, *, user: User, course: Course) -> bool:
    """False while she has a required session still to attend (attendance is read only if any)."""
    required = required_session_ids(user, course)
    return not required or required <= attended_session_ids(user, course)


def sessions_for_learner(course_id: int, user_id: int) -> sa.Select:
    """Sessions of the course for everyone, or for the intake she is enrolled in."""
    her_intake = (sa.select(Enrolment.intake_id)
                  .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
                  .scalar_subquery())
    return sa.select(LiveSession).where(
        LiveSession.course_id == course_id,
        sa.or_(LiveSession.intake_id.is_(None), LiveSession.intake_id == her_intake),
    )


def required_session_ids(user: User, course: Course) -> frozenset[int]:
    query = sessions_for_learner(course.id, user.id).where(LiveSession.attendance_required.is_(True))
    return frozenset(db.session.scalars(query.with_only_columns(LiveSession.id)))


def attended_session_ids(user: User, course: Course) -> frozenset[int]:
    return frozenset(db.session.scalars(
        sa.select(Attendance.session_id).join(LiveSession)
        .where(Attendance.user_id == user.id, LiveSession.course_id == course.id)
    ))
