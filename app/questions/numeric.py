"""Numeric: a '.numeric' heading and one '- = 3.14 ± 0.01' answer; GIFT's {#3.14:0.01}. Pure."""

import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from app.problems import FileReport
from app.questions.answer_matching import number_matches
from app.questions.gift_text import (
    GiftAnswer,
    GiftQuestion,
    GiftSkip,
    moved_feedback,
    number,
    restore,
    split_answers,
)
from app.questions.question import Question, QuestionLines
from app.questions.registry import GiftCodec, GradedAnswer, QuestionKind, register
from app.questions.typed import no_options, typed_text

_DECIMAL = r"[-+\u2212]?\d+(?:[.,]\d+)?"
_NUMERIC_ANSWER = re.compile(rf"({_DECIMAL})(?:\s*(?:±|\+/?-)\s*(\d+(?:[.,]\d+)?))?")
# '1.500' is 1500 to a Vietnamese reader and 1.5 to Python; a trailing zero gives it away.
_THOUSANDS_LOOKALIKE = re.compile(r"[-+\u2212]?[1-9]\d{0,2}\.\d\d0")
_NUMERIC_EXAMPLE = "write '- = 128' or '- = 3.14 ± 0.01'"
_GIFT_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_GIFT_RANGE = re.compile(rf"({_GIFT_NUMBER})\s*\.\.\s*({_GIFT_NUMBER})")
_GIFT_TOLERANCE = re.compile(rf"({_GIFT_NUMBER})(?:\s*:\s*({_GIFT_NUMBER}))?")


def parse_decimal(text: str) -> float | None:
    """'3.14', '3,14' (decimal comma) or '−2' as a float; None when it is not such a number."""
    if not re.fullmatch(_DECIMAL, text.strip()):
        return None
    return float(text.strip().replace("\u2212", "-").replace(",", "."))


def parse_numeric_answer(text: str) -> tuple[float, float] | None:
    """(value, tolerance) of '128', '3.14 ± 0.01' or '3,14 +- 0,01'; None when unreadable."""
    match = _NUMERIC_ANSWER.fullmatch(text.strip())
    if not match:
        return None
    value = parse_decimal(match.group(1))
    tolerance = parse_decimal(match.group(2)) if match.group(2) else 0.0
    return None if value is None or tolerance is None else (value, tolerance)


def _check(question: QuestionLines, report: FileReport) -> None:
    if not no_options(question, "a numeric question", report):
        return
    if not question.answers:
        report.error(
            question.line,
            f"a numeric question needs its answer; add a line under the question: {_NUMERIC_EXAMPLE}",
        )
        return
    if len(question.answers) > 1:
        report.error(
            question.answers[1].line,
            "a numeric question has exactly one '- =' answer; "
            "accept a range with a tolerance instead: '- = 3.14 ± 0.01'",
        )
    answer = question.answers[0]
    parsed = parse_numeric_answer(answer.text)
    if parsed is None:
        report.error(
            answer.line,
            f"'{answer.text}' is not a number with an optional tolerance; {_NUMERIC_EXAMPLE} "
            "(a decimal point or comma, no thousands separator)",
        )
    elif _THOUSANDS_LOOKALIKE.fullmatch(answer.text.strip().split("±")[0].split("+")[0].strip()):
        report.warning(
            answer.line,
            f"'{answer.text}' is read as {parsed[0]:g}; if you mean thousands, write the number "
            "without a separator (1500, not 1.500)",
        )


def _key(question: QuestionLines, render_inline: Callable[[str], str]) -> dict[str, Any]:
    parsed = parse_numeric_answer(question.answers[0].text) if question.answers else None
    value, tolerance = parsed if parsed else (None, 0.0)
    return {"numeric_value": value, "numeric_tolerance": tolerance}


def _grade(question: Question, raw: Sequence[str]) -> GradedAnswer:
    typed = typed_text(raw)
    value = question.numeric_value if question.numeric_value is not None else float("nan")
    right = number_matches(typed, value, question.numeric_tolerance)
    return GradedAnswer(1.0 if right else 0.0, (typed,) if typed else ())


def _accepted(question: Question) -> tuple[str, ...]:
    if question.numeric_value is None:
        return ()
    tolerance = f" ± {question.numeric_tolerance:g}" if question.numeric_tolerance else ""
    return (f"{question.numeric_value:g}{tolerance}",)


def _answer_text(question: Question) -> str:
    tolerance = f" ± {question.numeric_tolerance:g}" if question.numeric_tolerance else ""
    return f"{question.numeric_value:g}{tolerance}"


def _translation_differences(original: Question, translated: Question, where: str) -> Iterator[str]:
    same_number = (translated.numeric_value, translated.numeric_tolerance) == (
        original.numeric_value,
        original.numeric_tolerance,
    )
    readable = None not in (translated.numeric_value, original.numeric_value)  # else reported
    if readable and not same_number:
        yield (
            f"the answer of question '{original.id}' is {_answer_text(translated)} here but "
            f"{_answer_text(original)} in {where}; numbers stay the same in a translation"
        )


# ---- GIFT -------------------------------------------------------------------------------------


def _range(text: str) -> tuple[float, float]:
    if match := _GIFT_RANGE.fullmatch(text):
        low, high = sorted(Decimal(match.group(i)) for i in (1, 2))
        return float((low + high) / 2), float((high - low) / 2)
    if match := _GIFT_TOLERANCE.fullmatch(text):
        return float(Decimal(match.group(1))), float(abs(Decimal(match.group(2) or "0")))
    raise GiftSkip(f"'{text}' is not a number; write {{#3.14:0.01}}, {{#1..5}} or {{#42}}")


def _read(body: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    body = body[1:]  # the '#' that makes it numeric
    if "=" in body or "~" in body:
        answers = split_answers(body)
        right = [a for a in answers if a.marker == "="]
        if len(right) > 1:
            raise GiftSkip("numeric ranges with several weighted answers are not supported")
        if not right or right[0].percent < 100:
            raise GiftSkip("a numeric question without a fully right (100%) answer")
        if len(answers) > 1:
            notes.append("wrong numeric answers ('~') and their feedback are left out")
        answer = right[0]
    else:
        text, _, feedback = body.partition("#")
        answer = GiftAnswer("=", None, text, feedback)
    value, tolerance = _range(restore(answer.text).strip())
    return {
        "kind": "numeric",
        "numeric_value": value,
        "numeric_tolerance": tolerance,
        **moved_feedback([answer], text_format, notes),
    }


def _write(question: GiftQuestion) -> list[str]:
    value = number(question.numeric_value or 0.0)
    tolerance = f":{number(question.numeric_tolerance)}" if question.numeric_tolerance else ""
    return [f"#{value}{tolerance}"]


def _markdown(question: GiftQuestion, language: str) -> list[str]:
    value = number(question.numeric_value or 0.0)
    tolerance = f" ± {number(question.numeric_tolerance)}" if question.numeric_tolerance else ""
    return [f"- = {value}{tolerance}"]


KIND = register(QuestionKind(
    name="numeric",
    description="a .numeric question",
    heading_class="numeric",
    check=_check,
    answer_key=_key,
    grade=_grade,
    widget="number",
    shuffle_options=False,
    typed=True,
    accepted=_accepted,
    translation_differences=_translation_differences,
    gift=GiftCodec(order=10, claims=lambda body: body.startswith("#"), read=_read, write=_write,
                   markdown=_markdown),
))
