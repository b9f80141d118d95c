"""Starting and submitting quiz attempts."""

import random
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User
from app.content.format.course_format import Quiz
from app.content.models import Module
from app.database import begin_write_transaction, utcnow
from app.extensions import db
from app.progress.services import deadline_passed, record_quiz_result
from app.questions.registry import KINDS
from app.quizzes.grading import grade_quiz
from app.quizzes.models import AttemptState, QuizAttempt
from app.quizzes.option_ids import new_option_ids, to_indexes
from app.quizzes.signals import attempt_submitted


class AttemptNotFound(Exception):
    """No attempt with that token belongs to this learner."""


class AttemptLimitReached(Exception):
    """The learner has used every attempt this quiz allows."""


class DeadlinePassed(Exception):
    """The learner's deadline for this course has passed."""


class NothingAnswered(Exception):
    """The submission answers no question; it is not counted and the attempt stays open."""


def _check_deadline(user: User, module: Module) -> None:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if deadline_passed(user, module.course, utcnow(), zone):
        raise DeadlinePassed(module.course.slug)


def _draw_questions(quiz: Quiz, rng: random.Random) -> list[str]:
    ids = [question.id for question in quiz.questions]
    if quiz.draw is None or quiz.draw >= len(ids):
        return ids
    drawn = set(rng.sample(ids, quiz.draw))
    return [qid for qid in ids if qid in drawn]  # keep the author's order


def _option_order(quiz: Quiz, question_ids: list[str], rng: random.Random) -> dict[str, list[int]]:
    order = {}
    for question in quiz.questions:
        if question.id not in question_ids:
            continue
        indexes = list(range(len(question.options)))
        if KINDS[question.kind].shuffle_options:
            rng.shuffle(indexes)
        order[question.id] = indexes
    return order


def is_preview_for(user: User) -> bool:
    """Only learners take quizzes for real; an instructor's or admin's attempt is a preview."""
    return user.role != Role.LEARNER


def submitted_count(user: User, module: Module) -> int:
    """Her submitted attempts that count towards the quiz's limit (previews do not)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt).filter_by(
            user_id=user.id, module_id=module.id, state=AttemptState.SUBMITTED, is_preview=False
        )
    )


def attempts_left(user: User, module: Module) -> int | None:
    """How many more attempts she may submit; None when the quiz has no limit."""
    limit = module.quiz_version.definition.get("max_attempts") if module.quiz_version else None
    return None if limit is None else max(0, limit - submitted_count(user, module))


def start_attempt(user: User, module: Module) -> QuizAttempt:
    """Open an attempt on the module's current quiz, or return the one already open."""
    version = module.quiz_version
    if version is None:
        raise ValueError(f"module {module.slug} has no quiz")
    open_attempt = db.session.scalar(
        sa.select(QuizAttempt).filter_by(
            user_id=user.id, quiz_version_id=version.id, state=AttemptState.IN_PROGRESS
        )
    )
    if open_attempt is not None:
        return open_attempt
    preview = is_preview_for(user)
    if not preview:
        _check_deadline(user, module)
        if attempts_left(user, module) == 0:
            raise AttemptLimitReached(module.slug)
    quiz = Quiz.from_dict(version.definition)
    rng = random.SystemRandom()
    question_ids = _draw_questions(quiz, rng)
    option_order = _option_order(quiz, question_ids, rng)
    attempt = QuizAttempt(
        token=secrets.token_urlsafe(16),
        user_id=user.id,
        module_id=module.id,
        quiz_version_id=version.id,
        question_ids=question_ids,
        option_order=option_order,
        option_ids=new_option_ids(option_order),
        pass_mark=version.pass_mark,
        is_preview=preview,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


# The attempt and result pages show the attempt with its quiz, module and course: one statement.
_ATTEMPT_WITH_ITS_QUIZ = (
    sa.select(QuizAttempt)
    .where(QuizAttempt.token == sa.bindparam("token"))
    .options(joinedload(QuizAttempt.quiz_version),
             joinedload(QuizAttempt.module).joinedload(Module.course))
)


def attempt_of(user: User, token: str) -> QuizAttempt:
    """The learner's own attempt with this token; anyone else's is "not found"."""
    attempt = db.session.scalar(_ATTEMPT_WITH_ITS_QUIZ, {"token": token[:64]})
    if attempt is None or attempt.user_id != user.id:
        raise AttemptNotFound(token)
    return attempt


# A submit grades the attempt against its quiz version and records progress in its module and
# course: all four in one statement, the attempt's row locked (PostgreSQL; SQLite's transaction
# already holds the write lock).
_ATTEMPT_TO_SUBMIT = (
    sa.select(QuizAttempt)
    .where(QuizAttempt.token == sa.bindparam("token"))
    .options(joinedload(QuizAttempt.quiz_version, innerjoin=True),
             joinedload(QuizAttempt.module, innerjoin=True).joinedload(Module.course, innerjoin=True))
    .with_for_update(of=QuizAttempt)
)


@dataclass(frozen=True)
class Submission:
    attempt: QuizAttempt
    completed_course: bool  # this submission completed the course (and issued its certificate)
    completion_id: int | None = None


def submit_attempt(user: User, token: str, answers: dict[str, list[str]]) -> Submission:
    """Grade and record an attempt once; a repeated submission returns the recorded result.

    Runs in a write transaction with the learner's row locked, so concurrent submissions
    (a double click, a retry after a lost response) cannot both count, and the attempt
    limit holds. Only the server's clock is used. A submission that answers nothing raises
    NothingAnswered before anything is written: it costs no attempt.
    """
    begin_write_transaction()
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    attempt = db.session.scalar(_ATTEMPT_TO_SUBMIT, {"token": token[:64]})
    if attempt is None or attempt.user_id != user.id:
        raise AttemptNotFound(token)
    if attempt.is_submitted:
        return Submission(attempt, completed_course=False)
    quiz = Quiz.from_dict(attempt.quiz_version.definition)
    if not attempt.is_preview:
        _check_deadline(user, attempt.module)
        if quiz.max_attempts is not None and submitted_count(user, attempt.module) >= quiz.max_attempts:
            raise AttemptLimitReached(attempt.module.slug)
    chosen = to_indexes(attempt.option_ids, attempt.option_order, answers)
    grade = grade_quiz(quiz, chosen, attempt.pass_mark, attempt.question_ids)
    if grade.answered_none:
        raise NothingAnswered(token)
    attempt.answers = {r.question_id: list(r.recorded) for r in grade.results}
    attempt.points, attempt.max_points = grade.points, grade.max_points
    attempt.score, attempt.passed = grade.percent, grade.passed
    attempt.state, attempt.submitted_at = AttemptState.SUBMITTED, utcnow()
    db.session.flush()
    if attempt.is_preview:
        return Submission(attempt, completed_course=False)  # a preview records no progress
    attempt_submitted.send(current_app._get_current_object(), user=user, attempt=attempt)
    completion = record_quiz_result(user, attempt.module, grade.percent, grade.passed, quiz.grading)
    return Submission(attempt, completed_course=completion is not None,
                      completion_id=completion.id if completion is not None else None)


# Read on every module page: built once, so SQLAlchemy reuses its cache key and compiled form.
_SUBMITTED_ATTEMPTS = (
    sa.select(QuizAttempt)
    .where(QuizAttempt.user_id == sa.bindparam("user_id"),
           QuizAttempt.module_id == sa.bindparam("module_id"),
           QuizAttempt.state == AttemptState.SUBMITTED)
    .order_by(QuizAttempt.submitted_at.desc())
)


def attempts_for_module(user: User, module: Module) -> list[QuizAttempt]:
    return list(db.session.scalars(_SUBMITTED_ATTEMPTS, {"user_id": user.id, "module_id": module.id}))
