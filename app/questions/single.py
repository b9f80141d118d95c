"""Single choice: '( )' options, exactly one right; right or wrong. Pure."""

from collections.abc import Sequence

from app.questions.choice import (
    ChoiceRules,
    check_choice,
    choice_key,
    chosen_indexes,
    gift_choice_answers,
    gift_options,
    option_lines,
)
from app.questions.gift_text import GiftQuestion, GiftSkip, split_answers
from app.questions.question import Question
from app.questions.registry import GiftCodec, GradedAnswer, QuestionKind, register


def grade_exact(question: Question, raw: Sequence[str]) -> GradedAnswer:
    """Full marks for exactly the right options, else none."""
    chosen = chosen_indexes(question, raw, one_answer=True)
    return GradedAnswer(1.0 if chosen == question.correct_indexes else 0.0, tuple(sorted(chosen)))


def _read(body: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    answers = split_answers(body)
    options = gift_options(answers, text_format, notes)
    right = [i for i, a in enumerate(answers) if a.percent >= 100]
    if not right:
        raise GiftSkip("a multiple-choice question without a correct answer")
    if len(right) > 1:
        raise GiftSkip(
            "several answers are marked '=' (each fully right), which Hocso cannot hold; keep one "
            "'=' answer, or weight the right answers (~%50%) to make a multiple-select question"
        )
    options[right[0]].correct = True
    partial = [options[i].text for i, a in enumerate(answers) if 0 < a.percent < 100]
    if partial:
        notes.append(
            "partial credit is not kept: a single-choice question is right or wrong, so "
            + ", ".join(f"'{text}'" for text in partial)
            + " now count as wrong"
        )
    return {"kind": "single", "options": options}


def _markdown(question: GiftQuestion, language: str) -> list[str]:
    return option_lines(question, ("(x)", "( )"))


KIND = register(QuestionKind(
    name="single",
    description="a one-answer '( )' question",
    check=lambda question, report: check_choice(question, ChoiceRules(one_right=True), report),
    answer_key=choice_key,
    grade=grade_exact,
    widget="radio",
    shuffle_options=True,
    # '~' answers with an '=' among them (an '=' answer is a choice only beside '~' ones).
    gift=GiftCodec(order=20, claims=lambda body: "~" in body and "=" in body, read=_read,
                   write=gift_choice_answers, markdown=_markdown),
))
