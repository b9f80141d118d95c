"""Statements for what progress and quizzes report through their signals (connected in `init_app`).

Each adds a statement to the outbox in the caller's transaction: it is sent only if that
transaction commits, and it is not lost if the LRS is down then. Without XAPI_LRS_URL nothing
is written at all. Only learners' own learning is reported: staff previews are not.
"""

import logging
import uuid
from typing import Any

from flask import Flask, current_app

from app.accounts.models import Role, User
from app.content.models import Course, Module
from app.database import utcnow
from app.extensions import db
from app.progress.models import CourseCompletion
from app.progress.signals import course_completed, module_first_opened
from app.quizzes.models import QuizAttempt
from app.quizzes.signals import attempt_submitted
from app.xapi import statements
from app.xapi.models import StatementState, XapiStatement

log = logging.getLogger(__name__)
LANGUAGES = ("vi", "en")


def init_app(app: Flask) -> None:
    """Follow this app's learning records: a statement for each event worth reporting."""
    module_first_opened.connect(_on_module_first_opened, sender=app)
    attempt_submitted.connect(_on_attempt_submitted, sender=app)
    course_completed.connect(_on_course_completed, sender=app)


def _on_module_first_opened(_app: Flask, *, user: User, module: Module) -> None:
    record_module_experienced(user, module)


def _on_attempt_submitted(_app: Flask, *, user: User, attempt: QuizAttempt) -> None:
    record_quiz_attempt(user, attempt)


def _on_course_completed(_app: Flask, *, user: User, course: Course, completion: CourseCompletion) -> None:
    record_course_completed(user, course, completion)


def lrs_configured() -> bool:
    return bool(current_app.config.get("XAPI_LRS_URL"))


def _reporting(user: User) -> bool:
    return lrs_configured() and user.role == Role.LEARNER


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _learner(user: User) -> statements.Learner:
    return statements.Learner(user.username, user.full_name)


def _course(course: Course) -> statements.Activity:
    names = {language: course.title_in(language) for language in LANGUAGES}
    return statements.course_activity(_base_url(), course.slug, names)


def _module_names(module: Module) -> dict[str, str]:
    return {language: module.title_in(language) for language in LANGUAGES}


def record_module_experienced(user: User, module: Module) -> None:
    """She opened this module for the first time (caller commits)."""
    if not _reporting(user):
        return
    course = module.course
    activity = statements.module_activity(_base_url(), course.slug, module.slug, _module_names(module))
    _add(statements.module_experienced(_base_url(), _learner(user), course.slug, _course(course),
                                       activity, utcnow()))


def record_quiz_attempt(user: User, attempt: QuizAttempt) -> None:
    """A graded attempt that counts (not a preview): passed or failed, with its score."""
    if not _reporting(user) or attempt.is_preview:
        return
    module = attempt.module
    course = module.course
    quiz = statements.quiz_activity(_base_url(), course.slug, module.slug, _module_names(module))
    outcome = statements.QuizOutcome(
        attempt_token=attempt.token, percent=attempt.score or 0, points=attempt.points or 0,
        max_points=attempt.max_points or 0, passed=bool(attempt.passed),
        started_at=attempt.started_at, submitted_at=attempt.submitted_at or utcnow())
    _add(statements.quiz_finished(_base_url(), _learner(user), course.slug, _course(course), quiz, outcome))


def record_course_completed(user: User, course: Course, completion: CourseCompletion) -> None:
    """She completed the course, at the completion's own time (caller commits)."""
    if not _reporting(user):
        return
    _add(statements.course_completed(_base_url(), _learner(user), course.slug, _course(course),
                                     completion.score, completion.completed_at or utcnow()))


def _add(statement: dict[str, Any]) -> None:
    """Stage the statement in the current session; an event reported twice is stored once."""
    statement_id = uuid.UUID(statement["id"])
    if db.session.get(XapiStatement, statement_id) is not None:
        return
    row = XapiStatement(id=statement_id, body=statement)
    problems = statements.problems(statement)
    if problems:  # a bug of ours: kept for the admin page, never sent
        log.error("xAPI statement %s is invalid: %s", statement_id, "; ".join(problems))
        row.state, row.last_error = StatementState.FAILED, "; ".join(problems)[:500]
    db.session.add(row)
    db.session.flush()
