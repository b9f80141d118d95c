"""What the typed-answer kinds (short, numeric) share. Pure."""

from collections.abc import Sequence

from app.problems import FileReport
from app.questions.question import QuestionLines

MAX_TEXT_ANSWER = 200


def no_options(question: QuestionLines, what: str, report: FileReport) -> bool:
    """Report choice options in a typed-answer question; True when there are none."""
    if not question.options:
        return True
    report.error(
        question.options[0].line,
        f"{what} has no '( )' or '[ ]' options; write the answer as '- = ...' lines, "
        "or remove the class from the heading to make it a choice question",
    )
    return False


def typed_text(raw: Sequence[str]) -> str:
    """What she typed, cut to MAX_TEXT_ANSWER characters."""
    return raw[0][:MAX_TEXT_ANSWER] if raw else ""
