"""Quiz attempts: what was asked, what was answered, and the rule it was graded by."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.content.models import Module, QuizVersion
from app.database import status_type, utcnow
from app.extensions import db


class AttemptState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class QuizAttempt(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Random public handle; doubles as the idempotency key of the submission.
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_version.id"))
    state: Mapped[AttemptState] = mapped_column(
        status_type(AttemptState, "state"), default=AttemptState.IN_PROGRESS
    )
    # The questions this attempt drew from the pool, in order (None: every question).
    question_ids: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # question id -> original option indexes in the order shown to this learner
    option_order: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # question id -> the random ids her form sends for those options, in the same order, so a
    # value means nothing outside this attempt (app/quizzes/option_ids.py). None: an attempt
    # started before option ids existed; its form sends the option indexes.
    option_ids: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # An instructor's or admin's try of the quiz: graded and shown, but it completes nothing,
    # issues nothing and is left out of reports and question statistics.
    is_preview: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    answers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    points: Mapped[float | None]
    max_points: Mapped[int | None]
    score: Mapped[int | None]  # percent, 0-100
    pass_mark: Mapped[int]  # copied from the quiz version when the attempt starts
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()
    module: Mapped[Module] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.state == AttemptState.SUBMITTED
