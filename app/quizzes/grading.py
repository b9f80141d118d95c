"""Grading of quiz answers. Pure: no Flask, no database.

Question kinds plug in through QUESTION_KINDS: a new kind adds a grader and a widget name
here, and no view changes.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.content.course_format import Question, Quiz
from app.quizzes.answer_matching import number_matches, text_answer_matches

MAX_TEXT_ANSWER = 200


@dataclass(frozen=True)
class GradedAnswer:
    points: float  # 0.0 to 1.0
    recorded: tuple  # what is stored: option indexes, or the typed text


def clean_choices(question: Question, raw_values: Sequence[str]) -> frozenset[int]:
    """Keep only well-formed option indexes of this question; tampered values are dropped."""
    chosen = {
        int(value) for value in raw_values
        if value.isascii() and value.isdigit() and len(value) <= 3 and int(value) < len(question.options)
    }
    if question.kind in ("single", "truefalse") and len(chosen) > 1:
        return frozenset()  # two answers to a one-answer question count as none
    return frozenset(chosen)


def _exact_choice(question: Question, raw: Sequence[str]) -> GradedAnswer:
    chosen = clean_choices(question, raw)
    return GradedAnswer(1.0 if chosen == question.correct_indexes else 0.0, tuple(sorted(chosen)))


def _partial_choice(question: Question, raw: Sequence[str]) -> GradedAnswer:
    """(right chosen - wrong chosen) / number of right options, never below zero."""
    chosen = clean_choices(question, raw)
    correct = question.correct_indexes
    earned = (len(chosen & correct) - len(chosen - correct)) / max(len(correct), 1)
    return GradedAnswer(max(0.0, earned), tuple(sorted(chosen)))


def _typed(raw: Sequence[str]) -> str:
    return raw[0][:MAX_TEXT_ANSWER] if raw else ""


def _short_text(question: Question, raw: Sequence[str]) -> GradedAnswer:
    typed = _typed(raw)
    right = bool(typed.strip()) and text_answer_matches(
        typed, question.accepted_answers, question.any_tone
    )
    return GradedAnswer(1.0 if right else 0.0, (typed,) if typed else ())


def _numeric(question: Question, raw: Sequence[str]) -> GradedAnswer:
    typed = _typed(raw)
    value = question.numeric_value if question.numeric_value is not None else float("nan")
    right = number_matches(typed, value, question.numeric_tolerance)
    return GradedAnswer(1.0 if right else 0.0, (typed,) if typed else ())


Grader = Callable[[Question, Sequence[str]], GradedAnswer]


@dataclass(frozen=True)
class QuestionKind:
    grade: Grader
    widget: str  # "radio", "checkbox", "text" or "number"
    shuffle_options: bool


QUESTION_KINDS: dict[str, QuestionKind] = {
    "single": QuestionKind(_exact_choice, "radio", shuffle_options=True),
    "multiple": QuestionKind(_partial_choice, "checkbox", shuffle_options=True),
    "truefalse": QuestionKind(_exact_choice, "radio", shuffle_options=False),
    "short": QuestionKind(_short_text, "text", shuffle_options=False),
    "numeric": QuestionKind(_numeric, "number", shuffle_options=False),
}


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
    graded = QUESTION_KINDS[question.kind].grade(question, raw_values)
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
