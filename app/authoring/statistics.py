"""Question statistics of a course: the submitted attempts of each module, read for the instructor."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.authoring.question_stats import AnsweredQuiz, QuestionStats, question_statistics
from app.content.models import Course, Module, QuizVersion
from app.extensions import db
from app.quizzes.models import AttemptState, QuizAttempt


@dataclass(frozen=True)
class ModuleStatistics:
    module: Module
    current: list[QuestionStats]  # attempts of the current quiz version
    all_versions: list[QuestionStats]  # attempts of every version, by question id
    version_count: int  # versions that have submitted attempts


def _answered(module: Module) -> list[tuple[int, AnsweredQuiz]]:
    definitions = dict(db.session.execute(
        sa.select(QuizVersion.id, QuizVersion.definition).filter_by(module_id=module.id)
    ).all())
    rows = db.session.execute(
        sa.select(QuizAttempt.quiz_version_id, QuizAttempt.question_ids, QuizAttempt.answers)
        .filter_by(module_id=module.id, state=AttemptState.SUBMITTED, is_preview=False)
        .order_by(QuizAttempt.quiz_version_id, QuizAttempt.id)
    )
    return [
        (version_id, AnsweredQuiz(definitions[version_id], question_ids, answers or {}))
        for version_id, question_ids, answers in rows
        if version_id in definitions
    ]


def module_statistics(module: Module) -> ModuleStatistics:
    answered = _answered(module)
    current_id = module.quiz_version_id
    current = module.quiz_version.definition if module.quiz_version else None
    return ModuleStatistics(
        module=module,
        current=question_statistics(current, [a for version, a in answered if version == current_id]),
        all_versions=question_statistics(current, [a for _, a in answered]),
        version_count=len({version for version, _ in answered}),
    )


def course_statistics(course: Course) -> list[ModuleStatistics]:
    """Per module with a quiz, per question: attempts, % fully correct, most common wrong answer."""
    return [module_statistics(module) for module in course.active_modules if module.has_quiz]
