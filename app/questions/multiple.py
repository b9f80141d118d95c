"""Multiple choice: '[ ]' options, several right; partial credit. Pure."""

from collections.abc import Sequence

from app.questions.choice import (
    ChoiceRules,
    check_choice,
    choice_key,
    chosen_indexes,
    gift_options,
    option_lines,
)
from app.questions.gift_text import GiftQuestion, GiftSkip, gift_answer, split_answers
from app.questions.question import Question
from app.questions.registry import GiftCodec, GradedAnswer, QuestionKind, register


def grade_partial(question: Question, raw: Sequence[str]) -> GradedAnswer:
    """(right chosen - wrong chosen) / number of right options, never below zero."""
    chosen = chosen_indexes(question, raw, one_answer=False)
    correct = question.correct_indexes
    earned = (len(chosen & correct) - len(chosen - correct)) / max(len(correct), 1)
    return GradedAnswer(max(0.0, earned), tuple(sorted(chosen)))


def _weights_note(percents: list[float]) -> str | None:
    """How a multiple-select question's GIFT weights differ from Hocso's partial-credit rule."""
    right = [p for p in percents if p > 0]
    wrong = [p for p in percents if p <= 0]
    share = 100 / len(right)
    differences = []
    if any(abs(p - share) > 0.01 for p in right):
        differences.append(
            f"the right answers weigh {_percents(right)} in GIFT, "
            f"but Hocso gives each the same share ({share:.4g}%)"
        )
    if any(abs(p + share) > 0.01 for p in wrong):
        differences.append(
            f"Hocso takes {share:.4g}% off for each wrong answer chosen (GIFT: {_percents(wrong)})"
        )
    return "partial credit differs: " + "; ".join(differences) if differences else None


def _percents(values: list[float]) -> str:
    return ", ".join(f"{value:g}%" for value in values)


def _read(body: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    answers = split_answers(body)
    options = gift_options(answers, text_format, notes)
    right = [a.percent > 0 for a in answers]
    if not any(right):
        raise GiftSkip("a multiple-choice question without a correct answer")
    for option, correct in zip(options, right, strict=True):
        option.correct = correct
    note = _weights_note([a.percent for a in answers])
    if note:
        notes.append(note)
    return {"kind": "multiple", "options": options}


def _write(question: GiftQuestion) -> list[str]:
    share = f"{100 / max(1, sum(o.correct for o in question.options)):.5f}".rstrip("0").rstrip(".")
    return [
        gift_answer("~", share if o.correct else f"-{share}", o.text, o.feedback)
        for o in question.options
    ]


def _markdown(question: GiftQuestion, language: str) -> list[str]:
    return option_lines(question, ("[x]", "[ ]"))


KIND = register(QuestionKind(
    name="multiple",
    description="a several-answers '[ ]' question",
    check=lambda question, report: check_choice(question, ChoiceRules(one_right=False), report),
    answer_key=choice_key,
    grade=grade_partial,
    widget="checkbox",
    shuffle_options=True,
    # Only '~' answers, right ones weighted: GIFT's multiple-select.
    gift=GiftCodec(order=21, claims=lambda body: "~" in body and "=" not in body, read=_read,
                   write=_write, markdown=_markdown),
))
