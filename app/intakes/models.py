"""An intake of a course: whom a completion rate counts."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content.models import Course
from app.database import utcnow
from app.extensions import db


class Intake(db.Model):
    """An intake (đợt) of a course: its roster is the denominator of every completion rate."""

    __table_args__ = (sa.UniqueConstraint("course_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32))  # e.g. "2025-dot-1"
    name: Mapped[str] = mapped_column(sa.String(200))
    deadline: Mapped[date | None]
    target: Mapped[int | None]  # chỉ tiêu: learners the intake should reach; None: its roster
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship()
