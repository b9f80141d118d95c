"""The figures on the admin home: a handful of counts, each one bounded query."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.certificates.models import Certificate, CertificateStatus
from app.content.models import Course
from app.database import utcnow
from app.extensions import db
from app.intakes.models import Intake
from app.jobs.models import BatchJob, JobState
from app.live_sessions.models import LiveSession
from app.progress.models import CourseCompletion, Enrolment
from app.reports.funnel import StageCounts
from app.reports.report_table import format_count, format_rate
from app.units.models import Unit


@dataclass(frozen=True)
class AdminFigures:
    learners: int
    units: int
    intakes: int
    completion: str  # "375/409 — 91,7%": completed of the learners enrolled in an intake
    valid_certificates: int
    upcoming_sessions: int
    jobs_waiting: int  # queued or running
    jobs_failed: int
    courses: list[Course]

    def count(self, name: str) -> str:
        return format_count(getattr(self, name))


def admin_figures() -> AdminFigures:
    """Today's figures for the admin home (about ten small queries, none over a whole table's rows)."""
    in_intake = Enrolment.intake_id.is_not(None)
    enrolled = _count(sa.select(sa.func.count()).select_from(Enrolment).where(in_intake))
    completed = _count(
        sa.select(sa.func.count()).select_from(Enrolment)
        .join(CourseCompletion, (CourseCompletion.user_id == Enrolment.user_id)
              & (CourseCompletion.course_id == Enrolment.course_id))
        .where(in_intake))
    return AdminFigures(
        learners=_count(sa.select(sa.func.count()).select_from(User).where(User.role == Role.LEARNER)),
        units=_count(sa.select(sa.func.count()).select_from(Unit).where(Unit.valid_until.is_(None))),
        intakes=_count(sa.select(sa.func.count()).select_from(Intake)),
        completion=format_rate(StageCounts(target=enrolled, completed=completed)),
        valid_certificates=_count(sa.select(sa.func.count()).select_from(Certificate)
                                  .where(Certificate.status == CertificateStatus.VALID)),
        upcoming_sessions=_count(sa.select(sa.func.count()).select_from(LiveSession)
                                 .where(LiveSession.starts_at >= utcnow())),
        jobs_waiting=_count(sa.select(sa.func.count()).select_from(BatchJob)
                            .where(BatchJob.state.in_((JobState.QUEUED, JobState.RUNNING)))),
        jobs_failed=_count(sa.select(sa.func.count()).select_from(BatchJob)
                           .where(BatchJob.state == JobState.FAILED)),
        courses=list(db.session.scalars(sa.select(Course).where(~Course.is_archived).order_by(Course.title))),
    )


def _count(query) -> int:
    return int(db.session.scalar(query) or 0)
