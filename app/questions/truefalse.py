"""True/false: a '.truefalse' heading and two '( )' options; GIFT's {T} and {F}. Pure."""

from app.questions.choice import ChoiceRules, check_choice, choice_key, option_lines
from app.questions.gift_text import GiftOption, GiftQuestion, escape, markdown
from app.questions.registry import GiftCodec, QuestionKind, register
from app.questions.single import grade_exact

LABELS = {"vi": ("Đúng", "Sai"), "en": ("True", "False")}
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_FALSE_WORDS = {"sai", "false", "f", "s", "no", "không", "wrong"}
_RULES = ChoiceRules(
    one_right=True,
    pair="a true/false question needs exactly 2 options ('- (x) Đúng' and '- ( ) Sai')",
)


def _claims(body: str) -> bool:
    return body.split("#", 1)[0].strip().upper() in _TRUE_FALSE


def _read(body: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    value, *feedback = body.split("#")
    answer = _TRUE_FALSE[value.strip().upper()]
    wrong = markdown(feedback[0], text_format, notes) if feedback else ""
    right = markdown(feedback[1], text_format, notes) if len(feedback) > 1 else ""
    options = [
        GiftOption("", answer, right if answer else wrong),
        GiftOption("", not answer, wrong if answer else right),
    ]
    return {"kind": "truefalse", "options": options}


def _write(question: GiftQuestion) -> list[str]:
    """TRUE or FALSE, then the feedback for a wrong choice, then for the right one."""
    options = question.options
    answer = options[0].correct
    right, wrong = (options[0], options[1]) if answer else (options[1], options[0])
    text = "TRUE" if answer else "FALSE"
    if right.feedback:
        return [f"{text}#{escape(wrong.feedback)}#{escape(right.feedback)}"]
    return [f"{text}#{escape(wrong.feedback)}" if wrong.feedback else text]


def _markdown(question: GiftQuestion, language: str) -> list[str]:
    return option_lines(question, ("(x)", "( )"), LABELS.get(language, LABELS["vi"]))


def _options(options: list[GiftOption]) -> list[GiftOption]:
    """The true option first, without its label (labels follow the course language)."""
    if len(options) != 2:
        return options
    if options[0].text.strip().casefold() in _FALSE_WORDS:
        options = list(reversed(options))
    return [GiftOption("", o.correct, o.feedback) for o in options]


KIND = register(QuestionKind(
    name="truefalse",
    description="a .truefalse question",
    heading_class="truefalse",
    check=lambda question, report: check_choice(question, _RULES, report),
    answer_key=choice_key,
    grade=grade_exact,
    widget="radio",
    shuffle_options=False,
    gift=GiftCodec(order=40, claims=_claims, read=_read, write=_write, markdown=_markdown,
                   options=_options),
))
