"""A live session of a course, and one attendance row per learner who was there."""

import enum
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.content.models import Course
from app.database import status_type, utcnow
from app.extensions import db
from app.intakes.models import Intake


class AttendanceMethod(enum.StrEnum):
    CHECKIN = "checkin"  # the learner typed the code, or scanned the QR code, during the window
    IMPORT = "import"  # matched in the meeting platform's participant report
    ROSTER = "roster"  # ticked by the instructor on the roster page


class LiveSession(db.Model):
    """A scheduled session: online through any meeting link, or in a hall (location)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    # None: the session is for every intake of the course
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intake.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)  # UTC
    duration_minutes: Mapped[int]
    meeting_url: Mapped[str] = mapped_column(sa.String(500), default="")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    attendance_required: Mapped[bool] = mapped_column(default=False)
    # An imported participant counts only after this many minutes in the meeting.
    minimum_minutes: Mapped[int] = mapped_column(default=0)
    checkin_code: Mapped[str] = mapped_column(sa.String(12))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship()
    intake: Mapped[Intake | None] = relationship()

    @property
    def starts_at_utc(self) -> datetime:
        """SQLite hands back naive datetimes; every stored time is UTC."""
        moment = self.starts_at
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @property
    def ends_at_utc(self) -> datetime:
        return self.starts_at_utc + timedelta(minutes=self.duration_minutes)


class Attendance(db.Model):
    """She was there: once per session, however many ways it was recorded."""

    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    method: Mapped[AttendanceMethod] = mapped_column(status_type(AttendanceMethod, "method"))
    minutes: Mapped[int | None]  # from the participant report; None for a check-in or a tick
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    session: Mapped[LiveSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
