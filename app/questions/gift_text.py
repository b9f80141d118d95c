"""The words of Moodle GIFT that every kind's codec shares: escapes, answers, formats. Pure.

While a question's structure is read, escaped characters hide behind private-use placeholders;
`restore` brings them back."""

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
           "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in ESCAPES.items()})
_GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")
FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"\s*%\s*(-?\d+(?:[.,]\d+)?)\s*%")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class GiftOption:
    text: str  # Markdown; empty for true/false, whose labels depend on the course language
    correct: bool
    feedback: str = ""  # Markdown shown when this option was chosen


@dataclass
class GiftQuestion:
    """One importable question, already in Hocso's terms (a kind of app.questions.KINDS)."""

    line: int
    title: str
    kind: str
    text: str  # Markdown of the prompt
    options: list[GiftOption] = field(default_factory=list)  # choice kinds; true/false: true first
    explanation: str = ""
    accepted_answers: list[str] = field(default_factory=list)
    any_tone: bool = False
    numeric_value: float | None = None
    numeric_tolerance: float = 0.0
    category: str = ""


class GiftSkip(Exception):
    """This question cannot be imported; `reason` tells the author why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class GiftAnswer:
    marker: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str

    @property
    def percent(self) -> float:
        if self.weight is not None:
            return self.weight
        return 100.0 if self.marker == "=" else 0.0


def split_answers(body: str) -> list[GiftAnswer]:
    """'=right#feedback ~%50%half' as answers; text before the first marker is refused."""
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise GiftSkip(
            f"'{excerpt(restore(parts[0]))}' comes before the first answer; "
            "start each answer with '=' (right) or '~' (wrong)"
        )
    answers = []
    for marker, text in zip(parts[1::2], parts[2::2], strict=True):
        weight = _WEIGHT.match(text)
        if weight:
            text = text[weight.end() :]
        answer, _, feedback = text.partition("#")
        percent = float(weight.group(1).replace(",", ".")) if weight else None
        answers.append(GiftAnswer(marker, percent, answer, feedback))
    return answers


def moved_feedback(answers: list[GiftAnswer], text_format: str, notes: list[str]) -> dict:
    """Hocso shows no feedback per typed answer: it joins the explanation."""
    feedback = list(dict.fromkeys(f for a in answers if (f := markdown(a.feedback, text_format, notes))))
    if feedback:
        notes.append("the feedback on accepted answers is shown in the explanation")
    return {"moved_feedback": feedback}


# ---- GIFT text to Markdown --------------------------------------------------------------------


def restore(text: str) -> str:
    return text.translate(_RESTORE)


def markdown(raw: str, text_format: str, notes: list[str]) -> str:
    """GIFT text (escapes hidden, maybe with its own [format]) as tidy Markdown."""
    own_format = FORMAT.match(raw)
    if own_format:
        text_format, raw = own_format.group(1).lower(), raw[own_format.end() :]
    text = restore(raw).strip()
    if text_format == "plain":
        text = re.sub(r"([\\`*_\[\]<])", r"\\\1", text)
    elif text_format == "html" or (text_format == "moodle" and _HTML_TAG.search(text)):
        text = _html_to_markdown(text, collapse_lines=text_format == "html")
        note = "HTML was turned into Markdown; check the formatting"
        if note not in notes:
            notes.append(note)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def inline(raw: str, text_format: str, notes: list[str]) -> str:
    """One-line Markdown, for an option."""
    return " ".join(markdown(raw, text_format, notes).split())


def plain(raw: str) -> str:
    text = FORMAT.sub("", raw, count=1) if FORMAT.match(raw) else raw
    return " ".join(restore(text).split())


def _html_to_markdown(text: str, collapse_lines: bool) -> str:
    flags = re.IGNORECASE | re.DOTALL
    if collapse_lines:
        text = re.sub(r"\s*\n\s*", " ", text)
    text = re.sub(r"<br\s*/?>\s*", "\n", text, flags=flags)
    text = re.sub(r"</p>\s*<p\b[^>]*>", "\n\n", text, flags=flags)
    text = re.sub(r"<(strong|b)>(.*?)</\1>", r"**\2**", text, flags=flags)
    text = re.sub(r"<(em|i)>(.*?)</\1>", r"*\2*", text, flags=flags)
    text = re.sub(r"<code>(.*?)</code>", r"`\1`", text, flags=flags)
    text = re.sub(r"""<a\s[^>]*href=["']([^"']*)["'][^>]*>(.*?)</a>""", r"[\2](\1)", text, flags=flags)
    text = re.sub(r"""<img\s[^>]*src=["']([^"']*)["'][^>]*>""", r"![](\1)", text, flags=flags)
    return html.unescape(_HTML_TAG.sub("", text))


def excerpt(text: str, width: int = 50) -> str:
    flat = " ".join(restore(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# ---- writing ----------------------------------------------------------------------------------


def number(value: float) -> str:
    """A float as our quiz format writes it: no exponent, no needless '.0'."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


def gift_answer(marker: str, weight: str | None, text: str, feedback: str) -> str:
    if weight is None and text.lstrip().startswith("%"):
        weight = "100" if marker == "=" else "0"  # else the text's own '%' would read as a weight
    line = marker + (f"%{weight}%" if weight is not None else "") + escape(text)
    return line + (f" #{escape(feedback)}" if feedback else "")


def escape(text: str) -> str:
    return _GIFT_SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")
