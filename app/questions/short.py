"""Short answer: a '.short' heading and '- =' accepted answers, '.any-tone' to ignore marks. Pure."""

import re
from collections.abc import Callable, Sequence
from typing import Any

from app.problems import FileReport
from app.questions.answer_matching import text_answer_matches
from app.questions.gift_text import (
    GiftQuestion,
    GiftSkip,
    excerpt,
    gift_answer,
    moved_feedback,
    plain,
    restore,
    split_answers,
)
from app.questions.question import Question, QuestionLines
from app.questions.registry import GiftCodec, GradedAnswer, QuestionKind, register
from app.questions.typed import no_options, typed_text

_ANY_TONE_COMMENT = re.compile(r"hocso:\s*any-tone", re.IGNORECASE)


def _check(question: QuestionLines, report: FileReport) -> None:
    if not no_options(question, "a short-answer question", report):
        return
    if not question.answers:
        report.error(
            question.line,
            "a short-answer question needs at least one accepted answer; "
            "add a line like '- = Hà Nội' under the question",
        )
    for answer in question.answers:
        if not answer.text:
            report.error(answer.line, "this answer is empty; write the accepted text after '- = '")


def _key(question: QuestionLines, render_inline: Callable[[str], str]) -> dict[str, Any]:
    return {
        "accepted_answers": [answer.text for answer in question.answers if answer.text],
        "any_tone": "any-tone" in question.classes,
    }


def _grade(question: Question, raw: Sequence[str]) -> GradedAnswer:
    typed = typed_text(raw)
    right = bool(typed.strip()) and text_answer_matches(
        typed, question.accepted_answers, question.any_tone
    )
    return GradedAnswer(1.0 if right else 0.0, (typed,) if typed else ())


# ---- GIFT: '=' answers without '~'; the last reader, which refuses what is no answer ----------


def _read(body: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    if "=" not in body:
        raise GiftSkip(
            f"'{excerpt(restore(body))}' is no answer: start right answers with '=' and wrong ones "
            "with '~', or write {T} or {F}"
        )
    answers = split_answers(body)
    full = [a for a in answers if a.percent >= 100]
    partial = [plain(a.text) for a in answers if a.percent < 100]
    if not full:
        raise GiftSkip("a short-answer question without a fully right (100%) answer")
    if partial:
        notes.append(
            "answers worth less than 100% are left out (a short answer is right or wrong): "
            + ", ".join(f"'{text}'" for text in partial)
        )
    accepted = [plain(a.text) for a in full]
    if not all(accepted):
        raise GiftSkip("an accepted answer of this short-answer question is empty")
    any_tone = any(_ANY_TONE_COMMENT.fullmatch(c) for c in comments)
    return {"kind": "short", "accepted_answers": accepted, "any_tone": any_tone,
            **moved_feedback(full, text_format, notes)}


def _write(question: GiftQuestion) -> list[str]:
    return [gift_answer("=", None, answer, "") for answer in question.accepted_answers]


def _markdown(question: GiftQuestion, language: str) -> list[str]:
    return [f"- = {answer}" for answer in question.accepted_answers]


KIND = register(QuestionKind(
    name="short",
    description="a .short question",
    heading_class="short",
    modifiers={
        "any-tone": "'.any-tone' only applies to short-answer questions; add .short or remove .any-tone"
    },
    check=_check,
    answer_key=_key,
    grade=_grade,
    widget="text",
    shuffle_options=False,
    typed=True,
    accepted=lambda question: tuple(question.accepted_answers),
    accepts_translated_answers=True,
    gift=GiftCodec(
        order=50, claims=lambda body: True, read=_read, write=_write, markdown=_markdown,
        comments=lambda question: ["hocso: any-tone"] if question.any_tone else [],
        classes=lambda question: ["any-tone"] if question.any_tone else [],
    ),
))
