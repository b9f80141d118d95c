"""Grading of quiz answers. Pure: no Flask, no database.

Question kinds plug in through QUESTION_KINDS: a new kind adds a checker here and a
form widget name, and no view changes.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.content.course_format import Question, Quiz

Checker = Callable[[Question, frozenset[int]], float]


def _exact_choice(question: Question, chosen: frozenset[int]) -> float:
    """Single choice, true/false and (for now) multiple choice: all or nothing."""
    return 1.0 if chosen == question.correct_indexes else 0.0


@dataclass(frozen=True)
class QuestionKind:
    checker: Checker
    widget: str  # "radio" or "checkbox"
    shuffle_options: bool


QUESTION_KINDS: dict[str, QuestionKind] = {
    "single": QuestionKind(_exact_choice, "radio", shuffle_options=True),
    "multiple": QuestionKind(_exact_choice, "checkbox", shuffle_options=True),
    "truefalse": QuestionKind(_exact_choice, "radio", shuffle_options=False),
}


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    chosen: tuple[int, ...]
    points: float

    @property
    def correct(self) -> bool:
        return self.points >= 1.0


@dataclass(frozen=True)
class QuizGrade:
    results: tuple[QuestionResult, ...]
    points: float
    max_points: int
    percent: int
    passed: bool


def clean_choices(question: Question, raw_values: Sequence[str]) -> frozenset[int]:
    """Keep only well-formed option indexes of this question; tampered values are dropped."""
    chosen: set[int] = set()
    for value in raw_values:
        if value.isdigit() and len(value) <= 3 and int(value) < len(question.options):
            chosen.add(int(value))
    if QUESTION_KINDS[question.kind].widget == "radio" and len(chosen) > 1:
        return frozenset()  # two answers to a one-answer question count as none
    return frozenset(chosen)


def grade_quiz(quiz: Quiz, answers: Mapping[str, Sequence[str]], pass_mark: int) -> QuizGrade:
    """Grade raw submitted answers (question id -> option index strings) against the key."""
    results = []
    for question in quiz.questions:
        chosen = clean_choices(question, answers.get(question.id, ()))
        points = QUESTION_KINDS[question.kind].checker(question, chosen)
        results.append(QuestionResult(question.id, tuple(sorted(chosen)), points))
    total = sum(r.points for r in results)
    max_points = len(quiz.questions)
    percent = int(100 * total // max_points) if max_points else 100
    return QuizGrade(tuple(results), total, max_points, percent, percent >= pass_mark)
