"""Moodle GIFT question banks to and from Hocso's Markdown quiz format. Pure: no Flask, no db.

Imported: single and multiple choice (weights), true/false, short answer and numeric questions,
with titles, categories, format markers, per-answer and general feedback. Matching, essay,
description and missing-word questions are reported as GiftProblems and never imported.

This module reads and writes a question's frame (blocks, titles, categories, prompt, general
feedback); what lies between '{' and '}' is each kind's codec (app.questions.registry.GiftCodec),
so no kind is named here.

Hocso questions have neither a name nor a category: an imported question keeps its GIFT name
(::Title::) and $CATEGORY as two comment lines under its heading, which pages never show (the
sanitiser drops comments) and the export reads back."""

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.content.format.course_format import Quiz
from app.content.rendering import slugify_heading
from app.questions.gift_text import (
    ESCAPES,
    FORMAT,
    GiftOption,
    GiftQuestion,
    GiftSkip,
    escape,
    excerpt,
    markdown,
    restore,
)
from app.questions.question import Question
from app.questions.registry import KINDS, gift_readers

__all__ = ["GiftOption", "GiftProblem", "GiftQuestion", "category_name", "module_id_for", "parse_gift",
           "quiz_to_gift", "to_markdown_quiz"]

_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_CATEGORY = re.compile(r"\s*\$CATEGORY:\s*(.*)")
_TITLE = re.compile(r"::(.*?)::", re.DOTALL)
# Lines of a prompt paragraph that our quiz syntax would read as an option, answer or heading.
_QUIZ_LOOKALIKE = re.compile(r"\s{0,3}(?:#{1,6}|[-*+]\s+(?:\(\s*[xX]?\s*\)|\[\s*[xX]?\s*\]|=))(?:\s|$)")
_KEPT_LINE = re.compile(r"\s*<!-- GIFT (title|category): (.*?) -->\s*")
HINT_WORDS = {"vi": "Gợi ý:", "en": "Hint:"}


@dataclass(frozen=True)
class GiftProblem:
    """A question that was not imported (skipped) or one imported with a change (a note)."""

    line: int
    title: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.line}: {'skipped' if self.skipped else 'note'}: '{self.title}': {self.reason}"


@dataclass
class _Block:
    line: int = 0
    lines: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    category: str | None = None


# ---- reading GIFT -----------------------------------------------------------------------------


def parse_gift(text: str) -> tuple[list[GiftQuestion], list[GiftProblem]]:
    """Every question Hocso can hold, and a GiftProblem for each skipped question or change."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE.sub(lambda m: ESCAPES[m.group(1)], unicodedata.normalize("NFC", text))
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
        except GiftSkip as skip:
            problems.append(GiftProblem(block.line, title or excerpt(body), skip.reason))
            continue
        question.category = category
        questions.append(question)
        problems += [GiftProblem(block.line, title or excerpt(question.text), n, False) for n in notes]
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
            block.comments.append(restore(stripped[2:]).strip())
        elif category := _CATEGORY.fullmatch(line):
            block.category = restore(category.group(1)).strip()
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
    return " ".join(restore(match.group(1)).split()), text[match.end() :]


def _question(block: _Block, title: str, text: str, notes: list[str]) -> GiftQuestion:
    format_match = FORMAT.match(text)
    text_format = format_match.group(1).lower() if format_match else "moodle"
    text = text[format_match.end() :] if format_match else text
    open_at = text.find("{")
    if open_at < 0:
        raise GiftSkip(
            "descriptions (text without answers) are not supported; put the text in the reading part"
        )
    close_at = text.find("}", open_at)
    if close_at < 0:
        raise GiftSkip("the '{' that opens the answers is never closed with '}'")
    after = text[close_at + 1 :].strip()
    if after:
        several = "{" in after
        raise GiftSkip(
            "questions with several answer blocks are not supported (separate questions with a blank line)"
            if several
            else "missing-word questions (text after the answers) are not supported"
        )
    prompt = markdown(text[:open_at], text_format, notes)
    if not prompt:
        raise GiftSkip("the question has no text before its answers")
    answers, general = _split_general(text[open_at + 1 : close_at])
    key = _answer_key(answers, text_format, notes, block.comments)
    moved = key.pop("moved_feedback", [])
    explanation = "\n\n".join(p for p in [markdown(general, text_format, notes), *moved] if p)
    return GiftQuestion(block.line, title, text=prompt, explanation=explanation, **key)


def _split_general(answers: str) -> tuple[str, str]:
    """The answers and the general feedback written after '####' (as Moodle, the last one)."""
    at = answers.rfind("####")
    return (answers, "") if at < 0 else (answers[:at], answers[at + 4 :])


def _answer_key(raw: str, text_format: str, notes: list[str], comments: list[str]) -> dict:
    """The GiftQuestion fields of the first kind whose codec claims these answers."""
    body = raw.strip()
    if not body:
        raise GiftSkip("essay questions are not supported")
    for kind in gift_readers():
        if kind.gift.order > _MATCHING_ORDER and "=" in body and "->" in body:
            raise GiftSkip("matching questions are not supported")
        if kind.gift.claims(body):
            return kind.gift.read(body, text_format, notes, comments)
    raise GiftSkip(f"'{excerpt(restore(body))}' is no answer any question kind reads")


# Matching answers ('=a -> b') are refused unless a kind read before this order claims them.
_MATCHING_ORDER = 30


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
    kind = KINDS[question.kind]
    classes = [kind.heading_class] if kind.heading_class else []
    attributes = " ".join([question_id] + [f".{name}" for name in classes + kind.gift.classes(question)])
    first, _, rest = question.text.partition("\n\n")
    lines = [f"### {' '.join(first.split())} {{#{attributes}}}", ""]
    if kept := _kept_lines(question, question_id):
        lines += [*kept, ""]
    if rest:
        lines += [_prompt_line(line) for line in rest.split("\n")] + [""]
    lines += kind.gift.markdown(question, language)
    if question.explanation:
        lines += [""] + [f"> {line}".rstrip() for line in question.explanation.split("\n")]
    return lines


def _prompt_line(line: str) -> str:
    """A prompt line that our quiz syntax would read as an option or a heading, escaped."""
    return "\\" + line.lstrip() if _QUIZ_LOOKALIKE.match(line) else line


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
    options = KINDS[question.kind].gift.options(
        [GiftOption(o.text, o.correct, o.feedback) for o in question.options]
    )
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
    codec = KINDS[question.kind].gift
    head = "".join(f"// {comment}\n" for comment in codec.comments(question))
    title = f"::{escape(question.title)}::" if question.title else ""
    lines = [f"{head}{title}[markdown]{escape(question.text)} {{"]
    lines += [f"\t{line}" for line in codec.write(question)]
    if question.explanation:
        lines.append(f"\t####{escape(question.explanation)}")
    return "\n".join(lines) + "\n}"
