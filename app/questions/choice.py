"""What the choice kinds (single, multiple, true/false) share: option checks, the answer key,
option cleaning and GIFT option lines. Pure."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.problems import FileReport
from app.questions.gift_text import (
    GiftAnswer,
    GiftOption,
    GiftQuestion,
    GiftSkip,
    gift_answer,
    inline,
    markdown,
)
from app.questions.question import Option, Question, QuestionLines
from app.questions.registry import KINDS


@dataclass(frozen=True)
class ChoiceRules:
    """What a choice kind asks of its options."""

    one_right: bool  # exactly one option is right ('(x)'); else at least one ('[x]')
    # Exactly two '( )' options, with this message when there are not (true/false); None: 2 or more.
    pair: str | None = None


def _check_option_styles(question: QuestionLines, rules: ChoiceRules, report: FileReport) -> bool:
    """True when all options share one style that suits the question kind."""
    first = question.options[0].style
    for option in question.options:
        if rules.pair and option.style == "[":
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


def _check_correct(question: QuestionLines, rules: ChoiceRules, report: FileReport) -> None:
    correct = [option for option in question.options if option.correct]
    if not rules.one_right:
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


def _check_option_count(question: QuestionLines, rules: ChoiceRules, report: FileReport) -> None:
    count = len(question.options)
    if rules.pair and count != 2:
        report.error(question.line, f"{rules.pair}; this one has {count}")
    elif count < 2:
        report.error(
            question.line,
            f"question has {count} option(s); add at least 2 as '- ( ) text' or '- [ ] text' lines",
        )


def check_choice(question: QuestionLines, rules: ChoiceRules, report: FileReport) -> None:
    """Report what is wrong with a choice question held to these rules."""
    if question.answers:
        report.error(
            question.answers[0].line,
            "'- =' answers belong to short-answer and numeric questions; add .short or .numeric "
            "to the heading's {#...}, or write options as '- ( ) text'",
        )
        if not question.options:
            return  # one mistake, one message: the options were written as answers
    _check_option_count(question, rules, report)
    seen: set[str] = set()
    for option in question.options:
        if not option.text:
            report.error(option.line, "this option has no text")
        elif option.text in seen:
            report.warning(option.line, f"option '{option.text}' appears twice")
        seen.add(option.text)
    if question.options and _check_option_styles(question, rules, report):
        _check_correct(question, rules, report)


def choice_key(question: QuestionLines, render_inline: Callable[[str], str]) -> dict[str, Any]:
    """The options, rendered, with which are right and their feedback."""
    options = []
    for line in question.options:
        feedback = "\n".join(line.feedback).strip()
        options.append(
            Option(
                text=line.text,
                correct=line.correct,
                html=render_inline(line.text),
                feedback=feedback,
                feedback_html=render_inline(feedback) if feedback else "",
            )
        )
    return {"options": options}


def chosen_indexes(question: Question, raw_values: Sequence[str], one_answer: bool) -> frozenset[int]:
    """Keep only well-formed option indexes of this question; tampered values are dropped."""
    chosen = {
        int(value) for value in raw_values
        if value.isascii() and value.isdigit() and len(value) <= 3 and int(value) < len(question.options)
    }
    if one_answer and len(chosen) > 1:
        return frozenset()  # two answers to a one-answer question count as none
    return frozenset(chosen)


def clean_choices(question: Question, raw_values: Sequence[str]) -> frozenset[int]:
    """The well-formed option indexes, by the question's kind (a radio allows one)."""
    return chosen_indexes(question, raw_values, KINDS[question.kind].widget == "radio")


# ---- GIFT -------------------------------------------------------------------------------------


def gift_options(answers: list[GiftAnswer], text_format: str, notes: list[str]) -> list[GiftOption]:
    """The '=' and '~' answers as options, none marked right yet; refused when unusable."""
    options = [
        GiftOption(inline(a.text, text_format, notes), False, markdown(a.feedback, text_format, notes))
        for a in answers
    ]
    if len(options) < 2:
        raise GiftSkip("a multiple-choice question needs at least 2 answers")
    if any(not option.text for option in options):
        raise GiftSkip("an answer of this multiple-choice question has no text")
    return options


def option_lines(question: GiftQuestion, marks: tuple[str, str], labels: Sequence[str] = ()) -> list[str]:
    """'- (x) text' lines (marks: right, wrong), each with its feedback; labels replace texts."""
    lines = []
    for index, option in enumerate(question.options):
        text = labels[index] if labels else option.text
        lines.append(f"- {marks[0] if option.correct else marks[1]} {text}")
        lines += [f"  > {line}".rstrip() for line in option.feedback.split("\n") if option.feedback]
    return lines


def gift_choice_answers(question: GiftQuestion) -> list[str]:
    """'=right' and '~wrong' lines."""
    return [gift_answer("=" if o.correct else "~", None, o.text, o.feedback) for o in question.options]
