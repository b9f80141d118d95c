"""One learner's record for admins: per course, modules, quiz attempts, live sessions, completion,
certificates."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.certificates.models import Certificate
from app.content.models import Course, Module
from app.database import utcnow
from app.extensions import db
from app.live_sessions.services import LearnerSession, sessions_for
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
from app.quizzes.models import AttemptState, QuizAttempt


@dataclass(frozen=True)
class ModuleLine:
    module: Module
    progress: ModuleProgress | None
    attempts: tuple[QuizAttempt, ...]


@dataclass(frozen=True)
class CourseRecord:
    course: Course
    enrolment: Enrolment
    modules: tuple[ModuleLine, ...]
    completion: CourseCompletion | None
    certificates: tuple[Certificate, ...]  # newest first, revoked and superseded included
    sessions: tuple[LearnerSession, ...] = ()  # the live sessions she was expected at


def find_learner(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()[:64]))


def learner_record(user: User) -> list[CourseRecord]:
    """Every course the user is enrolled in, with what she did in it."""
    enrolments = db.session.scalars(
        sa.select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.enrolled_at)
    )
    return [_course_record(user, enrolment) for enrolment in enrolments]


def _course_record(user: User, enrolment: Enrolment) -> CourseRecord:
    course = enrolment.course
    progress = {
        row.module_id: row for row in db.session.scalars(
            sa.select(ModuleProgress).join(Module)
            .where(ModuleProgress.user_id == user.id, Module.course_id == course.id)
        )
    }
    attempts: dict[int, list[QuizAttempt]] = {}
    for attempt in db.session.scalars(
        sa.select(QuizAttempt).join(Module)
        .where(QuizAttempt.user_id == user.id, Module.course_id == course.id,
               QuizAttempt.state == AttemptState.SUBMITTED, QuizAttempt.is_preview.is_(False))
        .order_by(QuizAttempt.submitted_at)
    ):
        attempts.setdefault(attempt.module_id, []).append(attempt)
    modules = [m for m in course.modules if not m.is_archived or m.id in progress or m.id in attempts]
    lines = tuple(ModuleLine(m, progress.get(m.id), tuple(attempts.get(m.id, ()))) for m in modules)
    completion = db.session.scalar(
        sa.select(CourseCompletion).filter_by(user_id=user.id, course_id=course.id)
    )
    certificates = tuple(db.session.scalars(
        sa.select(Certificate).filter_by(user_id=user.id, course_id=course.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))
    sessions = tuple(sessions_for(user, course, utcnow()))
    return CourseRecord(course, enrolment, lines, completion, certificates, sessions)
