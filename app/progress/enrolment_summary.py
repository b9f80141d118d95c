"""Each enrolment's summary for reports: started, completed (with the score), certified.

A national funnel counts a million learners; joined with 20 million progress rows, the
completions and the certificates it took seconds. These four columns on the enrolment carry the
same facts, written on the transitions in the transaction that makes them, so the funnel reads
one row per learner. `rebuild` recomputes them from the raw tables (after a bulk load, or as a
repair: `flask reports rebuild-summary`); a test checks both ways agree. `certified` is kept by
app/certificates, which registers how to recompute it (`register_column`): progress does not
import the packages built on it.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from app.content.models import Module
from app.extensions import db
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress

_MARK_STARTED = (
    sa.update(Enrolment)
    .where(
        Enrolment.user_id == sa.bindparam("learner"),
        Enrolment.course_id == sa.bindparam("course"),
        Enrolment.started_at.is_(None),
    )
    .values(started_at=sa.bindparam("at"))
    .execution_options(synchronize_session=False)
)


def mark_started(user_id: int, course_id: int, at: datetime) -> None:
    """Her first progress row in the course (writes only the first time)."""
    db.session.execute(_MARK_STARTED, {"learner": user_id, "course": course_id, "at": at})


def mark_completed(completion: CourseCompletion) -> None:
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.user_id == completion.user_id, Enrolment.course_id == completion.course_id)
        .values(completed_at=completion.completed_at, score=completion.score)
        .execution_options(synchronize_session=False)
    )


# The summary's columns that a package above keeps, with the SQL expression (correlated with the
# enrolment row) that `rebuild` recomputes each from; per app, registered by that package's init_app.
_COLUMNS_KEPT_ABOVE = "hocso.enrolment_summary_columns"


def register_column(app: Flask, name: str, recomputed_as: sa.ColumnElement) -> None:
    """Let `rebuild` recompute this column (certificates: `certified`), in its one statement."""
    app.extensions.setdefault(_COLUMNS_KEPT_ABOVE, {})[name] = recomputed_as


def rebuild(course_id: int | None = None, user_ids: list[int] | None = None) -> int:
    """Recompute the enrolments' summaries (of one course and these learners, if given) from the
    raw tables; the number of enrolments written. New enrolments of learners who already have
    progress (staff who tried a course, then joined) need it too."""
    started = (
        sa.select(sa.func.min(ModuleProgress.opened_at))
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(ModuleProgress.user_id == Enrolment.user_id, Module.course_id == Enrolment.course_id)
        .scalar_subquery()
    )
    completion = (CourseCompletion.user_id == Enrolment.user_id) & (
        CourseCompletion.course_id == Enrolment.course_id
    )
    statement = (
        sa.update(Enrolment)
        .values(
            started_at=started,
            completed_at=sa.select(CourseCompletion.completed_at).where(completion).scalar_subquery(),
            score=sa.select(CourseCompletion.score).where(completion).scalar_subquery(),
            **current_app.extensions.get(_COLUMNS_KEPT_ABOVE, {}),
        )
        .execution_options(synchronize_session=False)
    )
    if course_id is not None:
        statement = statement.where(Enrolment.course_id == course_id)
    if user_ids is not None:
        statement = statement.where(Enrolment.user_id.in_(user_ids))
    return db.session.execute(statement).rowcount
