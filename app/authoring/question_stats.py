"""Which questions learners get wrong, from submitted attempts. Pure: no Flask, no database.

An attempt's answers map each asked question id to the chosen option indexes, or to the typed
text for short and numeric questions; they are read against the quiz version the attempt was
graded with, so attempts of every version count together by question id.
"""

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from app.content.format.course_format import Quiz
from app.questions.question import Question
from app.questions.registry import KINDS
from app.quizzes.grading import grade_question


@dataclass(frozen=True)
class AnsweredQuiz:
    """One submitted attempt: its version's definition, the questions drawn, the answers."""

    definition: dict[str, Any]
    question_ids: list[str] | None  # None: every question of the version was asked
    answers: dict[str, list[Any]]


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    prompt: str  # plain text
    attempts: int
    fully_correct: int
    common_wrong_answer: str | None  # the most chosen wrong option's text, or typed wrong answer
    common_wrong_count: int = 0

    @property
    def percent_correct(self) -> int | None:
        return round(100 * self.fully_correct / self.attempts) if self.attempts else None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of a sanitised HTML fragment, on one line."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


@dataclass
class _Tally:
    prompt: str
    attempts: int = 0
    fully_correct: int = 0
    wrong: Counter = field(default_factory=Counter)


def _wrong_answers(question: Question, recorded: list[Any]) -> list[str]:
    if KINDS[question.kind].typed:
        typed = " ".join(str(recorded[0]).split()) if recorded else ""
        return [unicodedata.normalize("NFC", typed)] if typed else []
    return [
        plain_text(question.options[index].html)
        for index in recorded
        if isinstance(index, int) and 0 <= index < len(question.options)
        and not question.options[index].correct
    ]


def _count(tally: _Tally, question: Question, recorded: list[Any]) -> None:
    tally.attempts += 1
    if grade_question(question, [str(value) for value in recorded]).correct:
        tally.fully_correct += 1
        return
    tally.wrong.update(_wrong_answers(question, recorded))


def _questions(definition: dict[str, Any], cache: dict[int, list[Question]]) -> list[Question]:
    key = id(definition)
    if key not in cache:
        cache[key] = Quiz.from_dict(definition).questions
    return cache[key]


def question_statistics(
    current: dict[str, Any] | None, answered: Iterable[AnsweredQuiz]
) -> list[QuestionStats]:
    """Per question: attempts, fully correct, most common wrong answer.

    The current version's questions come first, in its order (with no attempts yet if none);
    questions only older versions asked follow, in the order first met."""
    cache: dict[int, list[Question]] = {}
    tallies: dict[str, _Tally] = {}
    for question in _questions(current, cache) if current else []:
        tallies[question.id] = _Tally(plain_text(question.html))
    for attempt in answered:
        asked = set(attempt.question_ids) if attempt.question_ids is not None else None
        for question in _questions(attempt.definition, cache):
            if asked is not None and question.id not in asked:
                continue
            tally = tallies.setdefault(question.id, _Tally(plain_text(question.html)))
            _count(tally, question, list(attempt.answers.get(question.id) or []))
    return [_stats(question_id, tally) for question_id, tally in tallies.items()]


def _stats(question_id: str, tally: _Tally) -> QuestionStats:
    common = tally.wrong.most_common(1)
    return QuestionStats(
        question_id=question_id,
        prompt=tally.prompt,
        attempts=tally.attempts,
        fully_correct=tally.fully_correct,
        common_wrong_answer=common[0][0] if common else None,
        common_wrong_count=common[0][1] if common else 0,
    )
