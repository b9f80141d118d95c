"""The live sessions a learner must attend to complete a course, read by the completion rule.

Kept apart from services.py so that app/progress can import it without importing the code that
itself calls app/progress when attendance is recorded.
"""

import sqlalchemy as sa

from app.accounts.models import User
from app.content.models import Course
from app.extensions import db
from app.live_sessions.models import Attendance, LiveSession
from app.progress.models import Enrolment


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
