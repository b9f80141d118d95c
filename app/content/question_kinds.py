"""The question kinds a quiz may hold: how each is checked and what its answer key is. Pure.

A new kind plugs in by adding a QuestionKind to KINDS (and its class to KIND_CLASSES)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.content.course_format import Option
from app.content.quiz_syntax import QuestionLines
from app.content.rendering import render_inline
from app.content.source_text import FileReport

KIND_CLASSES = ("truefalse", "short", "numeric")  # a heading class that sets the kind
_DECIMAL = r"[-+\u2212]?\d+(?:[.,]\d+)?"
_NUMERIC_ANSWER = re.compile(rf"({_DECIMAL})(?:\s*(?:±|\+/?-)\s*(\d+(?:[.,]\d+)?))?")
# '1.500' is 1500 to a Vietnamese reader and 1.5 to Python; a trailing zero gives it away.
_THOUSANDS_LOOKALIKE = re.compile(r"[-+\u2212]?[1-9]\d{0,2}\.\d\d0")
_NUMERIC_EXAMPLE = "write '- = 128' or '- = 3.14 ± 0.01'"


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


# ---- choice questions: single, multiple, true/false -----------------------------------------


def _check_option_styles(question: QuestionLines, kind: str, report: FileReport) -> bool:
    """True when all options share one style that suits the question kind."""
    first = question.options[0].style
    for option in question.options:
        if kind == "truefalse" and option.style == "[":
            report.error(
                option.line,
                "a true/false question uses '( )' options, not '[ ]'; write '- (x) Đúng' and '- ( ) Sai'",
            )
            return False
        if option.style != first:
            report.error(
                option.line,
                "this question mixes '( )' and '[ ]' options; "
                "use '( )' when exactly one answer is right, '[ ]' when several are",
            )
            return False
    return True


def _check_correct(question: QuestionLines, kind: str, report: FileReport) -> None:
    correct = [option for option in question.options if option.correct]
    if kind == "multiple":
        if not correct:
            report.error(
                question.line, "no option is marked correct; mark every right answer with '[x]'"
            )
        return
    if not correct:
        report.error(question.line, "no option is marked correct; mark the right answer with '(x)'")
    elif len(correct) > 1:
        report.error(
            correct[1].line,
            "more than one option is marked '(x)'; this question needs exactly one right "
            "answer (use '[x]' and '[ ]' options if several answers are right)",
        )


def _check_option_count(question: QuestionLines, kind: str, report: FileReport) -> None:
    count = len(question.options)
    if kind == "truefalse" and count != 2:
        report.error(
            question.line,
            f"a true/false question needs exactly 2 options "
            f"('- (x) Đúng' and '- ( ) Sai'); this one has {count}",
        )
    elif count < 2:
        report.error(
            question.line,
            f"question has {count} option(s); add at least 2 as '- ( ) text' or '- [ ] text' lines",
        )


def _check_choice(question: QuestionLines, kind: str, report: FileReport) -> None:
    if question.answers:
        report.error(
            question.answers[0].line,
            "'- =' answers belong to short-answer and numeric questions; add .short or .numeric "
            "to the heading's {#...}, or write options as '- ( ) text'",
        )
        if not question.options:
            return  # one mistake, one message: the options were written as answers
    _check_option_count(question, kind, report)
    seen: set[str] = set()
    for option in question.options:
        if not option.text:
            report.error(option.line, "this option has no text")
        elif option.text in seen:
            report.warning(option.line, f"option '{option.text}' appears twice")
        seen.add(option.text)
    if question.options and _check_option_styles(question, kind, report):
        _check_correct(question, kind, report)


def _choice_key(question: QuestionLines, files_url: str) -> dict[str, Any]:
    options = []
    for line in question.options:
        feedback = "\n".join(line.feedback).strip()
        options.append(
            Option(
                text=line.text,
                correct=line.correct,
                html=render_inline(line.text, files_url),
                feedback=feedback,
                feedback_html=render_inline(feedback, files_url) if feedback else "",
            )
        )
    return {"options": options}


# ---- typed answers: short text and numbers ---------------------------------------------------


def _no_options(question: QuestionLines, what: str, report: FileReport) -> bool:
    """Report choice options in a typed-answer question; True when there are none."""
    if not question.options:
        return True
    report.error(
        question.options[0].line,
        f"{what} has no '( )' or '[ ]' options; write the answer as '- = ...' lines, "
        "or remove the class from the heading to make it a choice question",
    )
    return False


def _check_short(question: QuestionLines, kind: str, report: FileReport) -> None:
    if not _no_options(question, "a short-answer question", report):
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


def _short_key(question: QuestionLines, files_url: str) -> dict[str, Any]:
    return {
        "accepted_answers": [answer.text for answer in question.answers if answer.text],
        "any_tone": "any-tone" in question.classes,
    }


def _check_numeric(question: QuestionLines, kind: str, report: FileReport) -> None:
    if not _no_options(question, "a numeric question", report):
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


def _numeric_key(question: QuestionLines, files_url: str) -> dict[str, Any]:
    parsed = parse_numeric_answer(question.answers[0].text) if question.answers else None
    value, tolerance = parsed if parsed else (None, 0.0)
    return {"numeric_value": value, "numeric_tolerance": tolerance}


@dataclass(frozen=True)
class QuestionKind:
    check: Callable[[QuestionLines, str, FileReport], None]  # report what is wrong
    answer_key: Callable[[QuestionLines, str], dict[str, Any]]  # Question fields of this kind


KINDS: dict[str, QuestionKind] = {
    "single": QuestionKind(_check_choice, _choice_key),
    "multiple": QuestionKind(_check_choice, _choice_key),
    "truefalse": QuestionKind(_check_choice, _choice_key),
    "short": QuestionKind(_check_short, _short_key),
    "numeric": QuestionKind(_check_numeric, _numeric_key),
}


def question_kind(question: QuestionLines) -> str:
    """The kind named by the heading's class, else single or multiple by the options' style."""
    for name in question.classes:
        if name in KIND_CLASSES:
            return name
    first_style = question.options[0].style if question.options else "("
    return "single" if first_style == "(" else "multiple"
