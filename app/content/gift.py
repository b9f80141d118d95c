"""Moodle GIFT question banks to and from Hocso's Markdown quiz format. Pure: no Flask, no db.

Imported: single and multiple choice (weights), true/false, short answer and numeric questions,
with titles, categories, format markers, per-answer and general feedback. Matching, essay,
description and missing-word questions are reported as GiftProblems and never imported.

Hocso questions have neither a name nor a category: an imported question keeps its GIFT name
(::Title::) and $CATEGORY as two comment lines under its heading, which pages never show (the
sanitiser drops comments) and the export reads back."""

import html
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.content.course_format import Question, Quiz
from app.content.rendering import slugify_heading

# Escaped characters are hidden behind private-use placeholders while the structure is read.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
            "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")
_CATEGORY = re.compile(r"\s*\$CATEGORY:\s*(.*)")
_TITLE = re.compile(r"::(.*?)::", re.DOTALL)
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"\s*%\s*(-?\d+(?:[.,]\d+)?)\s*%")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})")
_TOLERANCE = re.compile(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ANY_TONE_COMMENT = re.compile(r"hocso:\s*any-tone", re.IGNORECASE)
# Lines of a prompt paragraph that our quiz syntax would read as an option, answer or heading.
_QUIZ_LOOKALIKE = re.compile(r"\s{0,3}(?:#{1,6}|[-*+]\s+(?:\(\s*[xX]?\s*\)|\[\s*[xX]?\s*\]|=))(?:\s|$)")
_KEPT_LINE = re.compile(r"\s*<!-- GIFT (title|category): (.*?) -->\s*")
LABELS = {"vi": ("Đúng", "Sai"), "en": ("True", "False")}
HINT_WORDS = {"vi": "Gợi ý:", "en": "Hint:"}
_FALSE_WORDS = {"sai", "false", "f", "s", "no", "không", "wrong"}


@dataclass
class GiftOption:
    text: str  # Markdown; empty for true/false, whose labels depend on the course language
    correct: bool
    feedback: str = ""  # Markdown shown when this option was chosen


@dataclass
class GiftQuestion:
    """One importable question, already in Hocso's terms (kinds of course_format.QUESTION_KINDS)."""

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


@dataclass(frozen=True)
class GiftProblem:
    """A question that was not imported (skipped) or one imported with a change (a note)."""

    line: int
    title: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.line}: {'skipped' if self.skipped else 'note'}: '{self.title}': {self.reason}"


class _Skip(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Block:
    line: int = 0
    lines: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    category: str | None = None


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str

    @property
    def percent(self) -> float:
        if self.weight is not None:
            return self.weight
        return 100.0 if self.marker == "=" else 0.0


# ---- reading GIFT -----------------------------------------------------------------------------


def parse_gift(text: str) -> tuple[list[GiftQuestion], list[GiftProblem]]:
    """Every question Hocso can hold, and a GiftProblem for each skipped question or change."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], unicodedata.normalize("NFC", text))
    questions: list[GiftQuestion] = []
    problems: list[GiftProblem] = []
    category = ""
    for block in _blocks(text):
        category = block.category if block.category is not None else category
        if not block.lines:
            continue
        notes: list[str] = []
        title, body = _title(block)
        try:
            question = _question(block, title, body, notes)
        except _Skip as skip:
            problems.append(GiftProblem(block.line, title or _excerpt(body), skip.reason))
            continue
        question.category = category
        questions.append(question)
        problems += [GiftProblem(block.line, title or _excerpt(question.text), n, False) for n in notes]
    return questions, problems


def _blocks(text: str) -> Iterator[_Block]:
    """Questions are separated by blank lines; '//' lines are comments."""
    block = _Block()
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            if block.lines or block.comments or block.category is not None:
                yield block
            block = _Block()
        elif stripped.startswith("//"):
            block.comments.append(_restore(stripped[2:]).strip())
        elif category := _CATEGORY.fullmatch(line):
            block.category = _restore(category.group(1)).strip()
        else:
            block.line = block.line or number
            block.lines.append(line)
    if block.lines or block.category is not None:
        yield block


def _title(block: _Block) -> tuple[str, str]:
    text = "\n".join(block.lines).strip()
    match = _TITLE.match(text)
    if not match:
        return "", text
    return " ".join(_restore(match.group(1)).split()), text[match.end() :]


def _question(block: _Block, title: str, text: str, notes: list[str]) -> GiftQuestion:
    format_match = _FORMAT.match(text)
    text_format = format_match.group(1).lower() if format_match else "moodle"
    text = text[format_match.end() :] if format_match else text
    open_at = text.find("{")
    if open_at < 0:
        raise _Skip("descriptions (text without answers) are not supported; put the text in the reading part")
    close_at = text.find("}", open_at)
    if close_at < 0:
        raise _Skip("the '{' that opens the answers is never closed with '}'")
    after = text[close_at + 1 :].strip()
    if after:
        several = "{" in after
        raise _Skip(
            "questions with several answer blocks are not supported (separate questions with a blank line)"
            if several
            else "missing-word questions (text after the answers) are not supported"
        )
    prompt = _markdown(text[:open_at], text_format, notes)
    if not prompt:
        raise _Skip("the question has no text before its answers")
    answers, general = _split_general(text[open_at + 1 : close_at])
    key = _answer_key(answers, text_format, notes)
    moved = key.pop("moved_feedback", [])
    explanation = "\n\n".join(p for p in [_markdown(general, text_format, notes), *moved] if p)
    any_tone = key["kind"] == "short" and any(_ANY_TONE_COMMENT.fullmatch(c) for c in block.comments)
    return GiftQuestion(block.line, title, text=prompt, explanation=explanation, any_tone=any_tone, **key)


def _split_general(answers: str) -> tuple[str, str]:
    """The answers and the general feedback written after '####' (as Moodle, the last one)."""
    at = answers.rfind("####")
    return (answers, "") if at < 0 else (answers[:at], answers[at + 4 :])


def _answer_key(raw: str, text_format: str, notes: list[str]) -> dict:
    body = raw.strip()
    if not body:
        raise _Skip("essay questions are not supported")
    if body.startswith("#"):
        return _numeric(body[1:], text_format, notes)
    if "~" in body:
        return _choice(_split_answers(body), text_format, notes)
    if "=" in body and "->" in body:
        raise _Skip("matching questions are not supported")
    if body.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return _true_false(body, text_format, notes)
    if "=" not in body:
        raise _Skip(
            f"'{_excerpt(_restore(body))}' is no answer: start right answers with '=' and wrong ones "
            "with '~', or write {T} or {F}"
        )
    return _short(_split_answers(body), text_format, notes)


def _split_answers(body: str) -> list[_Answer]:
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise _Skip(
            f"'{_excerpt(_restore(parts[0]))}' comes before the first answer; "
            "start each answer with '=' (right) or '~' (wrong)"
        )
    answers = []
    for marker, text in zip(parts[1::2], parts[2::2], strict=True):
        weight = _WEIGHT.match(text)
        if weight:
            text = text[weight.end() :]
        answer, _, feedback = text.partition("#")
        percent = float(weight.group(1).replace(",", ".")) if weight else None
        answers.append(_Answer(marker, percent, answer, feedback))
    return answers


def _choice(answers: list[_Answer], text_format: str, notes: list[str]) -> dict:
    options = [
        GiftOption(_inline(a.text, text_format, notes), False, _markdown(a.feedback, text_format, notes))
        for a in answers
    ]
    if len(options) < 2:
        raise _Skip("a multiple-choice question needs at least 2 answers")
    if any(not option.text for option in options):
        raise _Skip("an answer of this multiple-choice question has no text")
    if any(answer.marker == "=" for answer in answers):
        return _single(answers, options, notes)
    right = [a.percent > 0 for a in answers]
    if not any(right):
        raise _Skip("a multiple-choice question without a correct answer")
    for option, correct in zip(options, right, strict=True):
        option.correct = correct
    note = _weights_note([a.percent for a in answers])
    if note:
        notes.append(note)
    return {"kind": "multiple", "options": options}


def _single(answers: list[_Answer], options: list[GiftOption], notes: list[str]) -> dict:
    right = [i for i, a in enumerate(answers) if a.percent >= 100]
    if not right:
        raise _Skip("a multiple-choice question without a correct answer")
    if len(right) > 1:
        raise _Skip(
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


def _true_false(body: str, text_format: str, notes: list[str]) -> dict:
    value, *feedback = body.split("#")
    answer = _TRUE_FALSE[value.strip().upper()]
    wrong = _markdown(feedback[0], text_format, notes) if feedback else ""
    right = _markdown(feedback[1], text_format, notes) if len(feedback) > 1 else ""
    options = [
        GiftOption("", answer, right if answer else wrong),
        GiftOption("", not answer, wrong if answer else right),
    ]
    return {"kind": "truefalse", "options": options}


def _short(answers: list[_Answer], text_format: str, notes: list[str]) -> dict:
    full = [a for a in answers if a.percent >= 100]
    partial = [_plain(a.text) for a in answers if a.percent < 100]
    if not full:
        raise _Skip("a short-answer question without a fully right (100%) answer")
    if partial:
        notes.append(
            "answers worth less than 100% are left out (a short answer is right or wrong): "
            + ", ".join(f"'{text}'" for text in partial)
        )
    accepted = [_plain(a.text) for a in full]
    if not all(accepted):
        raise _Skip("an accepted answer of this short-answer question is empty")
    return {"kind": "short", "accepted_answers": accepted, **_moved_feedback(full, text_format, notes)}


def _numeric(body: str, text_format: str, notes: list[str]) -> dict:
    if "=" in body or "~" in body:
        answers = _split_answers(body)
        right = [a for a in answers if a.marker == "="]
        if len(right) > 1:
            raise _Skip("numeric ranges with several weighted answers are not supported")
        if not right or right[0].percent < 100:
            raise _Skip("a numeric question without a fully right (100%) answer")
        if len(answers) > 1:
            notes.append("wrong numeric answers ('~') and their feedback are left out")
        answer = right[0]
    else:
        text, _, feedback = body.partition("#")
        answer = _Answer("=", None, text, feedback)
    value, tolerance = _numeric_range(_restore(answer.text).strip())
    return {
        "kind": "numeric",
        "numeric_value": value,
        "numeric_tolerance": tolerance,
        **_moved_feedback([answer], text_format, notes),
    }


def _numeric_range(text: str) -> tuple[float, float]:
    if match := _RANGE.fullmatch(text):
        low, high = sorted(Decimal(match.group(i)) for i in (1, 2))
        return float((low + high) / 2), float((high - low) / 2)
    if match := _TOLERANCE.fullmatch(text):
        return float(Decimal(match.group(1))), float(abs(Decimal(match.group(2) or "0")))
    raise _Skip(f"'{text}' is not a number; write {{#3.14:0.01}}, {{#1..5}} or {{#42}}")


def _moved_feedback(answers: list[_Answer], text_format: str, notes: list[str]) -> dict:
    """Hocso shows no feedback per typed answer: it joins the explanation."""
    feedback = list(dict.fromkeys(f for a in answers if (f := _markdown(a.feedback, text_format, notes))))
    if feedback:
        notes.append("the feedback on accepted answers is shown in the explanation")
    return {"moved_feedback": feedback}


# ---- GIFT text to Markdown --------------------------------------------------------------------


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _markdown(raw: str, text_format: str, notes: list[str]) -> str:
    """GIFT text (escapes hidden, maybe with its own [format]) as tidy Markdown."""
    own_format = _FORMAT.match(raw)
    if own_format:
        text_format, raw = own_format.group(1).lower(), raw[own_format.end() :]
    text = _restore(raw).strip()
    if text_format == "plain":
        text = re.sub(r"([\\`*_\[\]<])", r"\\\1", text)
    elif text_format == "html" or (text_format == "moodle" and _HTML_TAG.search(text)):
        text = _html_to_markdown(text, collapse_lines=text_format == "html")
        note = "HTML was turned into Markdown; check the formatting"
        if note not in notes:
            notes.append(note)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _inline(raw: str, text_format: str, notes: list[str]) -> str:
    """One-line Markdown, for an option."""
    return " ".join(_markdown(raw, text_format, notes).split())


def _plain(raw: str) -> str:
    text = _FORMAT.sub("", raw, count=1) if _FORMAT.match(raw) else raw
    return " ".join(_restore(text).split())


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


def _excerpt(text: str, width: int = 50) -> str:
    flat = " ".join(_restore(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# ---- writing our Markdown quiz ----------------------------------------------------------------


def to_markdown_quiz(
    questions: Sequence[GiftQuestion], language: str = "vi", taken_ids: Sequence[str] = ()
) -> str:
    """The questions as the quiz part of a module (what follows '<!-- quiz -->'), NFC."""
    taken = set(taken_ids)
    parts = []
    for question in questions:
        question_id = _question_id(question.title, taken)
        taken.add(question_id)
        parts.append("\n".join(_question_markdown(question, question_id, language)).strip())
    return unicodedata.normalize("NFC", "\n\n".join(parts) + "\n")


def _question_id(title: str, taken: set[str]) -> str:
    """The slug of the title, else q-1, q-2...; never one already taken."""
    if re.search(r"[^\W_]", title):
        base = slugify_heading(title)[:64].strip("-")
        base = base if len(base) >= 3 else f"q-{base}"
        candidates = (
            base if n == 1 else f"{base[: 63 - len(str(n))].rstrip('-')}-{n}" for n in itertools.count(1)
        )
    else:
        candidates = (f"q-{n}" for n in itertools.count(1))
    return next(candidate for candidate in candidates if candidate not in taken)


def category_name(category: str) -> str:
    """The last level of a Moodle category path: '$course$/Chuyển đổi số/Cơ bản' -> 'Cơ bản'."""
    return category.rstrip("/").rsplit("/", 1)[-1].strip()


def module_id_for(category: str) -> str:
    """The id of the module a category's questions go to: the slug of its last level."""
    slug = slugify_heading(category_name(category))[:64].strip("-")
    return slug if len(slug) >= 3 else f"bai-{slug}"


def _kept_lines(question: GiftQuestion, question_id: str) -> list[str]:
    """The GIFT name (unless it is the id) and category as comments; '-->' would end one early."""
    title = question.title if question.title != question_id else ""
    kept = [("title", title), ("category", question.category)]
    return [f"<!-- GIFT {key}: {' '.join(value.replace('-->', '->').split())} -->"
            for key, value in kept if value]


def _without_kept_lines(text: str) -> tuple[str, dict[str, str]]:
    """A prompt without its GIFT comment lines, and what they kept."""
    kept, lines = {}, []
    for line in text.split("\n"):
        if match := _KEPT_LINE.fullmatch(line):
            kept[match.group(1)] = match.group(2)
        else:
            lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), kept


def _question_markdown(question: GiftQuestion, question_id: str, language: str) -> list[str]:
    classes = {"truefalse": " .truefalse", "short": " .short", "numeric": " .numeric"}
    attributes = question_id + classes.get(question.kind, "")
    if question.kind == "short" and question.any_tone:
        attributes += " .any-tone"
    first, _, rest = question.text.partition("\n\n")
    lines = [f"### {' '.join(first.split())} {{#{attributes}}}", ""]
    if kept := _kept_lines(question, question_id):
        lines += [*kept, ""]
    if rest:
        lines += [_prompt_line(line) for line in rest.split("\n")] + [""]
    lines += _answer_lines(question, language)
    if question.explanation:
        lines += [""] + [f"> {line}".rstrip() for line in question.explanation.split("\n")]
    return lines


def _prompt_line(line: str) -> str:
    """A prompt line that our quiz syntax would read as an option or a heading, escaped."""
    return "\\" + line.lstrip() if _QUIZ_LOOKALIKE.match(line) else line


def _answer_lines(question: GiftQuestion, language: str) -> list[str]:
    if question.kind == "short":
        return [f"- = {answer}" for answer in question.accepted_answers]
    if question.kind == "numeric":
        value = _number(question.numeric_value or 0.0)
        tolerance = f" ± {_number(question.numeric_tolerance)}" if question.numeric_tolerance else ""
        return [f"- = {value}{tolerance}"]
    labels = LABELS.get(language, LABELS["vi"])
    lines = []
    for index, option in enumerate(question.options):
        text = labels[index] if question.kind == "truefalse" else option.text
        mark = ("[x]" if option.correct else "[ ]") if question.kind == "multiple" else (
            "(x)" if option.correct else "( )")  # fmt: skip
        lines.append(f"- {mark} {text}")
        lines += [f"  > {line}".rstrip() for line in option.feedback.split("\n") if option.feedback]
    return lines


def _number(value: float) -> str:
    """A float as our quiz format writes it: no exponent, no needless '.0'."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


# ---- writing GIFT -----------------------------------------------------------------------------


def quiz_to_gift(
    source: Quiz | Sequence[Question] | Sequence[GiftQuestion], category: str = "", language: str = "vi"
) -> str:
    """A module's quiz (or questions) as GIFT; hints become a 'Gợi ý:' paragraph of the prompt.
    Each question goes under the $CATEGORY it was imported from, else under `category`."""
    questions = source.questions if isinstance(source, Quiz) else source
    parts, current = [], ""
    for question in questions:
        gift = _from_question(question, language) if isinstance(question, Question) else question
        if (wanted := gift.category or category) and wanted != current:
            parts.append(f"$CATEGORY: {wanted}")
            current = wanted
        parts.append(_question_gift(gift))
    return unicodedata.normalize("NFC", "\n\n".join(parts) + "\n")


def _from_question(question: Question, language: str) -> GiftQuestion:
    text, kept = _without_kept_lines(question.text)
    if question.hint:
        text += f"\n\n{HINT_WORDS.get(language, HINT_WORDS['vi'])} {question.hint}"
    options = [GiftOption(o.text, o.correct, o.feedback) for o in question.options]
    if question.kind == "truefalse" and len(options) == 2:
        if options[0].text.strip().casefold() in _FALSE_WORDS:
            options.reverse()
        options = [GiftOption("", o.correct, o.feedback) for o in options]
    return GiftQuestion(
        line=question.line,
        title=kept.get("title") or question.id,
        kind=question.kind,
        text=text,
        options=options,
        explanation=question.explanation,
        accepted_answers=list(question.accepted_answers),
        any_tone=question.any_tone,
        numeric_value=question.numeric_value,
        numeric_tolerance=question.numeric_tolerance,
        category=kept.get("category", ""),
    )


def _question_gift(question: GiftQuestion) -> str:
    head = "// hocso: any-tone\n" if question.kind == "short" and question.any_tone else ""
    title = f"::{_escape(question.title)}::" if question.title else ""
    lines = [f"{head}{title}[markdown]{_escape(question.text)} {{"]
    lines += [f"\t{line}" for line in _gift_answers(question)]
    if question.explanation:
        lines.append(f"\t####{_escape(question.explanation)}")
    return "\n".join(lines) + "\n}"


def _gift_answers(question: GiftQuestion) -> list[str]:
    if question.kind == "truefalse":
        return [_gift_truth(question.options)]
    if question.kind == "numeric":
        value = _number(question.numeric_value or 0.0)
        tolerance = f":{_number(question.numeric_tolerance)}" if question.numeric_tolerance else ""
        return [f"#{value}{tolerance}"]
    if question.kind == "short":
        return [_gift_answer("=", None, answer, "") for answer in question.accepted_answers]
    if question.kind == "multiple":
        share = f"{100 / max(1, sum(o.correct for o in question.options)):.5f}".rstrip("0").rstrip(".")
        return [
            _gift_answer("~", share if o.correct else f"-{share}", o.text, o.feedback)
            for o in question.options
        ]
    return [_gift_answer("=" if o.correct else "~", None, o.text, o.feedback) for o in question.options]


def _gift_truth(options: list[GiftOption]) -> str:
    """TRUE or FALSE, then the feedback for a wrong choice, then for the right one."""
    answer = options[0].correct
    right, wrong = (options[0], options[1]) if answer else (options[1], options[0])
    text = "TRUE" if answer else "FALSE"
    if right.feedback:
        return f"{text}#{_escape(wrong.feedback)}#{_escape(right.feedback)}"
    return f"{text}#{_escape(wrong.feedback)}" if wrong.feedback else text


def _gift_answer(marker: str, weight: str | None, text: str, feedback: str) -> str:
    if weight is None and text.lstrip().startswith("%"):
        weight = "100" if marker == "=" else "0"  # else the text's own '%' would read as a weight
    line = marker + (f"%{weight}%" if weight is not None else "") + _escape(text)
    return line + (f" #{_escape(feedback)}" if feedback else "")


def _escape(text: str) -> str:
    return _GIFT_SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")
