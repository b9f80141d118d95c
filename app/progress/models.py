"""Who is enrolled where, and one summary row per learner and module."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.content.models import Course, Module
from app.database import utcnow
from app.extensions import db
from app.intakes.models import Intake


class Enrolment(db.Model):
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intake.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    deadline: Mapped[date | None]
    # Where she stands, for reports over a whole country: written on each transition, in its
    # transaction (app/progress/summary.py), so a funnel reads one row per learner.
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    score: Mapped[int | None]
    certified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    intake: Mapped[Intake | None] = relationship()


class ModuleProgress(db.Model):
    __table_args__ = (sa.UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    best_score: Mapped[int | None]  # the score that counts: highest or last, as the quiz says

    module: Mapped[Module] = relationship()

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class CourseCompletion(db.Model):
    """Set once, on the transition to complete; the certificate is issued in the same transaction."""

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    score: Mapped[int | None]
