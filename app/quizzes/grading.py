"""Grading of quiz answers. Pure: no Flask, no database.

Each question is graded by its kind's grader (app.questions.registry.KINDS); a new kind brings
its own and nothing here changes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.content.format.course_format import Quiz
from app.questions.question import Question
from app.questions.registry import KINDS


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    recorded: tuple
    points: float

    @property
    def correct(self) -> bool:
        return self.points >= 1.0

    @property
    def answered(self) -> bool:
        """An option was chosen or something other than spaces was typed."""
        return any(str(value).strip() for value in self.recorded)


@dataclass(frozen=True)
class QuizGrade:
    results: tuple[QuestionResult, ...]
    points: float
    max_points: int
    percent: int
    passed: bool

    @property
    def answered_none(self) -> bool:
        """Not one question answered: a slip of the thumb, not an attempt."""
        return not any(result.answered for result in self.results)


def grade_question(question: Question, raw_values: Sequence[str]) -> QuestionResult:
    graded = KINDS[question.kind].grade(question, raw_values)
    return QuestionResult(question.id, graded.recorded, graded.points)


def grade_quiz(
    quiz: Quiz,
    answers: Mapping[str, Sequence[str]],
    pass_mark: int,
    question_ids: Sequence[str] | None = None,
) -> QuizGrade:
    """Grade raw answers (question id -> submitted values) on the questions this attempt drew."""
    asked = set(question_ids) if question_ids is not None else None
    results = tuple(
        grade_question(question, answers.get(question.id, ()))
        for question in quiz.questions
        if asked is None or question.id in asked
    )
    total = round(sum(r.points for r in results), 4)
    max_points = len(results)
    percent = int(100 * total // max_points) if max_points else 100
    return QuizGrade(results, total, max_points, percent, percent >= pass_mark)
