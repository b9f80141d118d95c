"""Starting and submitting quiz attempts."""

import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.content.course_format import Quiz
from app.content.models import Module
from app.database import begin_write_transaction, utcnow
from app.extensions import db
from app.progress.services import complete_module
from app.quizzes.grading import QUESTION_KINDS, grade_quiz
from app.quizzes.models import AttemptState, QuizAttempt


class AttemptNotFound(Exception):
    """No attempt with that token belongs to this learner."""


def _shuffled_option_order(quiz: Quiz) -> dict[str, list[int]]:
    rng = random.SystemRandom()
    order = {}
    for question in quiz.questions:
        indexes = list(range(len(question.options)))
        if QUESTION_KINDS[question.kind].shuffle_options:
            rng.shuffle(indexes)
        order[question.id] = indexes
    return order


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
    attempt = QuizAttempt(
        token=secrets.token_urlsafe(16),
        user_id=user.id,
        module_id=module.id,
        quiz_version_id=version.id,
        option_order=_shuffled_option_order(Quiz.from_dict(version.definition)),
        pass_mark=version.pass_mark,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def attempt_of(user: User, token: str) -> QuizAttempt:
    """The learner's own attempt with this token; anyone else's is "not found"."""
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token[:64]))
    if attempt is None or attempt.user_id != user.id:
        raise AttemptNotFound(token)
    return attempt


@dataclass(frozen=True)
class Submission:
    attempt: QuizAttempt
    completed_course: bool  # this submission completed the course (and issued its certificate)


def submit_attempt(user: User, token: str, answers: dict[str, list[str]]) -> Submission:
    """Grade and record an attempt once; a repeated submission returns the recorded result.

    Runs in a write transaction with the learner's row locked, so concurrent submissions
    (a double click, a retry after a lost response) cannot both count.
    """
    begin_write_transaction()
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    attempt = db.session.scalar(
        sa.select(QuizAttempt).filter_by(token=token[:64]).with_for_update()
    )
    if attempt is None or attempt.user_id != user.id:
        raise AttemptNotFound(token)
    if attempt.is_submitted:
        return Submission(attempt, completed_course=False)
    quiz = Quiz.from_dict(attempt.quiz_version.definition)
    grade = grade_quiz(quiz, answers, attempt.pass_mark)
    attempt.answers = {r.question_id: list(r.chosen) for r in grade.results}
    attempt.points, attempt.max_points = grade.points, grade.max_points
    attempt.score, attempt.passed = grade.percent, grade.passed
    attempt.state, attempt.submitted_at = AttemptState.SUBMITTED, utcnow()
    db.session.flush()
    completion = complete_module(user, attempt.module, grade.percent) if grade.passed else None
    return Submission(attempt, completed_course=completion is not None)


@dataclass(frozen=True)
class PresentedOption:
    index: int
    html: str


@dataclass(frozen=True)
class PresentedQuestion:
    """What the browser may see of a question before submission: no answer key."""

    id: str
    number: int
    html: str
    widget: str
    options: tuple[PresentedOption, ...]


def present_questions(attempt: QuizAttempt) -> list[PresentedQuestion]:
    quiz = Quiz.from_dict(attempt.quiz_version.definition)
    presented = []
    for number, question in enumerate(quiz.questions, start=1):
        order = attempt.option_order.get(question.id, range(len(question.options)))
        options = tuple(PresentedOption(i, question.options[i].html) for i in order)
        widget = QUESTION_KINDS[question.kind].widget
        presented.append(PresentedQuestion(question.id, number, question.html, widget, options))
    return presented


@dataclass(frozen=True)
class OptionFeedback:
    html: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class QuestionFeedback:
    number: int
    html: str
    correct: bool
    explanation_html: str
    options: tuple[OptionFeedback, ...]


def feedback_for(attempt: QuizAttempt) -> list[QuestionFeedback]:
    """Per-question feedback of a submitted attempt, in the order the learner saw it."""
    quiz = Quiz.from_dict(attempt.quiz_version.definition)
    answers = attempt.answers or {}
    feedback = []
    for number, question in enumerate(quiz.questions, start=1):
        chosen = set(answers.get(question.id, []))
        order = attempt.option_order.get(question.id, range(len(question.options)))
        options = tuple(
            OptionFeedback(question.options[i].html, i in chosen, question.options[i].correct)
            for i in order
        )
        correct = QUESTION_KINDS[question.kind].checker(question, frozenset(chosen)) >= 1.0
        feedback.append(
            QuestionFeedback(number, question.html, correct, question.explanation_html, options)
        )
    return feedback


def attempts_for_module(user: User, module: Module) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .filter_by(user_id=user.id, module_id=module.id, state=AttemptState.SUBMITTED)
            .order_by(QuizAttempt.submitted_at.desc())
        )
    )

