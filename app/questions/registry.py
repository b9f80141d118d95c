"""The registry of question kinds: everything Hocso knows about one kind, in one record. Pure.

The quiz parser, the grader, the quiz form and GIFT import and export look a kind up here by
name; none of them branches on kind names, so a new kind is one module that calls register()."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the kinds import these modules, not the other way round
    from app.problems import FileReport
    from app.questions.gift_text import GiftOption, GiftQuestion
    from app.questions.question import Question, QuestionLines


@dataclass(frozen=True)
class GradedAnswer:
    points: float  # 0.0 to 1.0
    recorded: tuple  # what is stored: option indexes, or the typed text


@dataclass(frozen=True)
class GiftCodec:
    """How a kind reads and writes Moodle GIFT. Readers are tried by ascending `order`; the
    first whose `claims` is true for the text between '{' and '}' reads the question."""

    order: int
    claims: Callable[[str], bool]
    # (answers text, text format, notes, the block's '//' comments) -> GiftQuestion fields
    read: Callable[[str, str, list[str], list[str]], dict[str, Any]]
    write: Callable[["GiftQuestion"], list[str]]  # the lines between '{' and '}'
    markdown: Callable[["GiftQuestion", str], list[str]]  # the option or answer lines, by language
    comments: Callable[["GiftQuestion"], list[str]] = lambda question: []  # '//' lines written
    classes: Callable[["GiftQuestion"], list[str]] = lambda question: []  # modifier classes written
    # A Hocso question's options as GIFT holds them (true/false: the true one first, no labels).
    options: Callable[[list["GiftOption"]], list["GiftOption"]] = lambda options: options


def _no_differences(original: "Question", translated: "Question", where: str) -> Iterator[str]:
    return iter(())


@dataclass(frozen=True)
class QuestionKind:
    name: str
    description: str  # how an author's error message names it: "a .short question"
    check: Callable[["QuestionLines", "FileReport"], None]  # report what is wrong
    # Question fields; rendering inline Markdown (an option) to sanitised HTML is the caller's.
    answer_key: Callable[["QuestionLines", Callable[[str], str]], dict[str, Any]]
    grade: Callable[["Question", Sequence[str]], GradedAnswer]
    widget: str  # the form control: "radio", "checkbox", "text" or "number"
    shuffle_options: bool
    gift: GiftCodec | None = None  # None: neither imported from nor exported to GIFT
    heading_class: str | None = None  # the '{#id .class}' that sets the kind; None: by options
    # Further heading classes that only this kind reads -> the warning when used on another.
    modifiers: dict[str, str] = field(default_factory=dict)
    typed: bool = False  # the learner types her answer; what she typed is shown back
    accepted: Callable[["Question"], tuple[str, ...]] = lambda question: ()  # shown after
    # A translation's accepted answers are right too ("Hanoi" as well as "Hà Nội").
    accepts_translated_answers: bool = False
    # Ways a translated question's key may differ from its original beyond options and answers.
    translation_differences: Callable[["Question", "Question", str], Iterator[str]] = _no_differences


KINDS: dict[str, QuestionKind] = {}


def register(kind: QuestionKind) -> QuestionKind:
    """Add a kind (or replace one of the same name); returns it."""
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind; for tests that register a throwaway one."""
    KINDS.pop(name, None)


def kind_named(name: str) -> QuestionKind:
    return KINDS[name]


def heading_classes() -> dict[str, str]:
    """The heading classes that set a kind -> that kind's name."""
    return {kind.heading_class: name for name, kind in KINDS.items() if kind.heading_class}


def modifier_classes() -> dict[str, str]:
    """The heading classes that modify a kind -> that kind's name."""
    return {modifier: name for name, kind in KINDS.items() for modifier in kind.modifiers}


def gift_readers() -> list[QuestionKind]:
    """The kinds GIFT import can produce, in the order their readers are tried."""
    return sorted((kind for kind in KINDS.values() if kind.gift), key=lambda kind: kind.gift.order)


def kind_of(question: "QuestionLines") -> str:
    """The kind named by the heading's class, else single or multiple by the options' style."""
    by_class = heading_classes()
    for name in question.classes:
        if name in by_class:
            return by_class[name]
    first_style = question.options[0].style if question.options else "("
    return "single" if first_style == "(" else "multiple"
