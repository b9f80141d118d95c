"""What a learner is shown of an attempt: questions without the key before, feedback after."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.content.format.course_format import Quiz
from app.content.format.review_options import review_items
from app.questions.registry import KINDS
from app.quizzes.grading import grade_question
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

    @property
    def needs_choose_all_hint(self) -> bool:
        """A several-answer question gets "Choose all answers that apply." under its prompt,
        unless its author already wrote such a line (as courses/README.md once showed)."""
        return self.widget == "checkbox" and not prompt_asks_for_all(self.html)


# How authors say "several answers" in a prompt, in the languages courses are written in;
# compared with the prompt's text lower-cased, so one sentence is never shown twice.
CHOOSE_ALL_PHRASES = (
    "chọn tất cả", "chọn các đáp án", "chọn những đáp án", "chọn nhiều", "nhiều đáp án đúng",
    "choose all", "select all", "tick all", "all that apply", "all answers that apply",
    "more than one answer",
)
_TAG = re.compile(r"<[^>]*>")


def prompt_asks_for_all(prompt_html: str) -> bool:
    """True when the prompt itself tells the learner to choose every right answer."""
    text = unicodedata.normalize("NFC", _TAG.sub(" ", prompt_html)).casefold()
    return any(phrase in " ".join(text.split()) for phrase in CHOOSE_ALL_PHRASES)


@dataclass(frozen=True)
class OptionFeedback:
    html: str
    chosen: bool
    correct: bool  # False whenever the quiz's review options hide the answers
    feedback_html: str  # "" whenever they hide the explanations


@dataclass(frozen=True)
class QuestionFeedback:
    """One question after submission, holding only what the quiz's review options show."""

    number: int
    html: str
    points: float | None  # None: whether it was right is not shown
    explanation_html: str
    options: tuple[OptionFeedback, ...]
    typed_answer: str  # short and numeric questions
    accepted_answers: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return self.points is not None and self.points >= 1.0


def attempt_review(attempt: QuizAttempt) -> frozenset[str]:
    """What this submitted attempt may show besides its score (review_options.ITEMS)."""
    return review_items(attempt.quiz_version.definition.get("review"), bool(attempt.passed))


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
            widget=KINDS[question.kind].widget,
            options=tuple(PresentedOption(v, option_html[i]) for v, i in zip(values, order, strict=True)),
        ))
    return presented


def feedback_for(attempt: QuizAttempt, language: str | None = None) -> list[QuestionFeedback]:
    """Per-question feedback of a submitted attempt, in the order the learner saw it.

    Only what the quiz's review options allow is put in: what is hidden never reaches the
    template, so it cannot reach the page. With the score only, there is no list at all."""
    shows = attempt_review(attempt)
    if not shows:
        return []
    quiz, translation = _localized(attempt, language)
    answers = attempt.answers or {}
    return [
        _question_feedback(question, number, translation.get(question.id, {}),
                           answers.get(question.id, []), attempt, shows)
        for number, question in enumerate(_drawn(attempt, quiz), start=1)
    ]


def _question_feedback(question, number: int, words: dict, recorded: list, attempt: QuizAttempt,
                       shows: frozenset[str]) -> QuestionFeedback:
    keys, explained = "answers" in shows, "explanations" in shows
    word_options = words.get("options", [])
    order = attempt.option_order.get(question.id, range(len(question.options)))
    options = tuple(
        OptionFeedback(
            html=word_options[i]["html"] if word_options else question.options[i].html,
            chosen=i in recorded,
            correct=keys and question.options[i].correct,
            feedback_html=(word_options[i].get("feedback_html", "") if word_options
                           else question.options[i].feedback_html) if explained else "",
        )
        for i in order
    )
    points = grade_question(question, [str(value) for value in recorded]).points
    typed = str(recorded[0]) if recorded and KINDS[question.kind].typed else ""
    return QuestionFeedback(
        number=number,
        html=words.get("html", question.html),
        points=points if "wrong" in shows else None,
        explanation_html=words.get("explanation_html", question.explanation_html) if explained else "",
        options=options,
        typed_answer=typed,
        accepted_answers=KINDS[question.kind].accepted(question) if keys else (),
    )

