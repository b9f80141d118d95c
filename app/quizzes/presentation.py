"""What a learner is shown of an attempt: questions without the key before, feedback after."""

from dataclasses import dataclass
from typing import Any

from app.content.course_format import Quiz
from app.quizzes.grading import QUESTION_KINDS, grade_question
from app.quizzes.models import QuizAttempt
from app.quizzes.option_ids import shown_values


@dataclass(frozen=True)
class PresentedOption:
    value: str  # what the form sends: this attempt's id of the option, never the author's index
    html: str


@dataclass(frozen=True)
class PresentedQuestion:
    """What the browser may see of a question before submission: no answer key."""

    id: str
    number: int
    html: str
    hint_html: str
    widget: str
    options: tuple[PresentedOption, ...]


@dataclass(frozen=True)
class OptionFeedback:
    html: str
    chosen: bool
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class QuestionFeedback:
    number: int
    html: str
    points: float
    explanation_html: str
    options: tuple[OptionFeedback, ...]
    typed_answer: str  # short and numeric questions
    accepted_answers: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return self.points >= 1.0


def _localized(attempt: QuizAttempt, language: str | None) -> tuple[Quiz, dict[str, Any]]:
    definition = attempt.quiz_version.definition
    translation = (definition.get("translations") or {}).get(language or "", {})
    return Quiz.from_dict(definition), translation


def _drawn(attempt: QuizAttempt, quiz: Quiz):
    asked = attempt.question_ids
    return [q for q in quiz.questions if asked is None or q.id in asked]


def present_questions(attempt: QuizAttempt, language: str | None = None) -> list[PresentedQuestion]:
    quiz, translation = _localized(attempt, language)
    presented = []
    for number, question in enumerate(_drawn(attempt, quiz), start=1):
        words = translation.get(question.id, {})
        option_html = [o["html"] for o in words.get("options", [])] or [o.html for o in question.options]
        order = attempt.option_order.get(question.id, range(len(question.options)))
        values = shown_values(attempt.option_ids, question.id, order)
        presented.append(PresentedQuestion(
            id=question.id,
            number=number,
            html=words.get("html", question.html),
            hint_html=words.get("hint_html", question.hint_html),
            widget=QUESTION_KINDS[question.kind].widget,
            options=tuple(PresentedOption(v, option_html[i]) for v, i in zip(values, order, strict=True)),
        ))
    return presented


def feedback_for(attempt: QuizAttempt, language: str | None = None) -> list[QuestionFeedback]:
    """Per-question feedback of a submitted attempt, in the order the learner saw it."""
    quiz, translation = _localized(attempt, language)
    answers = attempt.answers or {}
    feedback = []
    for number, question in enumerate(_drawn(attempt, quiz), start=1):
        words = translation.get(question.id, {})
        recorded = answers.get(question.id, [])
        raw = [str(value) for value in recorded]
        points = grade_question(question, raw).points
        word_options = words.get("options", [])
        order = attempt.option_order.get(question.id, range(len(question.options)))
        options = tuple(
            OptionFeedback(
                html=word_options[i]["html"] if word_options else question.options[i].html,
                chosen=i in recorded,
                correct=question.options[i].correct,
                feedback_html=(word_options[i].get("feedback_html", "") if word_options
                               else question.options[i].feedback_html),
            )
            for i in order
        )
        typed = str(recorded[0]) if recorded and question.kind in ("short", "numeric") else ""
        feedback.append(QuestionFeedback(
            number=number,
            html=words.get("html", question.html),
            points=points,
            explanation_html=words.get("explanation_html", question.explanation_html),
            options=options,
            typed_answer=typed,
            accepted_answers=_accepted(question),
        ))
    return feedback


def _accepted(question) -> tuple[str, ...]:
    if question.kind == "short":
        return tuple(question.accepted_answers)
    if question.kind == "numeric" and question.numeric_value is not None:
        value = f"{question.numeric_value:g}"
        tolerance = f" ± {question.numeric_tolerance:g}" if question.numeric_tolerance else ""
        return (value + tolerance,)
    return ()
