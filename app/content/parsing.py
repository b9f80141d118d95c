"""Course folders to CourseSpec objects, with every problem found located at file:line. Pure."""

import difflib
import hashlib
import html
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from app.content.course_format import CourseSpec, ModuleSpec, Option, Problem, Question, Quiz
from app.content.rendering import (
    html_removed_by_sanitiser,
    render_inline,
    render_markdown,
    slugify_heading,
)

ID_PATTERN = re.compile(r"[a-z0-9-]{3,64}")
LANGUAGES = ("vi", "en")
QUESTION_CLASSES = ("truefalse",)
_QUIZ_MARKER = re.compile(r"\s*<!--\s*quiz\s*-->\s*", re.IGNORECASE)
_FENCE = re.compile(r"\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_HEADING_ATTRIBUTES = re.compile(r"(.*?)\s*\{([^{}]*)\}\s*")
_OPTION = re.compile(r"\s{0,3}[-*+]\s+(?:\((\s*[xX]?\s*)\)|\[(\s*[xX]?\s*)\])(?:\s+(.*)|\s*)")
_LIST_ITEM = re.compile(r"\s{0,3}[-*+]\s+\S")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_URL = re.compile(r"\]\(\s*(<[^>]*>|[^\s)]+)")
_REFERENCE_URL = re.compile(r"\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HTML_URL = re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>])[^>]*>?")
_URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_BLOCKED_SCHEMES = ("javascript", "vbscript", "data", "file")
_SAFE_SCHEMES = ("http", "https", "mailto")

Lines = list[tuple[int, str]]  # (1-based line number, text)


class _Problems(list[Problem]):
    def error(self, path: str, line: int, message: str) -> None:
        self.append(Problem(path, line, message, "error"))

    def warning(self, path: str, line: int, message: str) -> None:
        self.append(Problem(path, line, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self)


@dataclass(frozen=True)
class _FileReport:
    """Where problems found in one file go."""

    path: str
    problems: _Problems

    def error(self, line: int, message: str) -> None:
        self.problems.error(self.path, line, message)

    def warning(self, line: int, message: str) -> None:
        self.problems.warning(self.path, line, message)


@dataclass
class _Folder:
    """The course folder being read, and how its paths are shown in problems."""

    path: Path
    shown_as: str  # folder path relative to the courses directory
    _files: list[str] | None = None

    def shown(self, name: str) -> str:
        return f"{self.shown_as}/{name}"

    @property
    def files(self) -> list[str]:
        if self._files is None:
            self._files = sorted(
                relative.as_posix()
                for relative in (p.relative_to(self.path) for p in self.path.rglob("*"))
                if (self.path / relative).is_file()
                and not any(part.startswith(".") for part in relative.parts)
            )
        return self._files


# ---- front matter and course.yml keys -------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "nothing" if value is None else f"'{value}'"


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_id(value: Any) -> str | None:
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return None
    if value is None or value == "":
        return "must not be empty; ids look like 'vi-sao-chuyen-doi-so'"
    hint = slugify_heading(str(value))[:64]
    suggestion = f"; did you mean '{hint}'?" if ID_PATTERN.fullmatch(hint) else ""
    if not isinstance(value, str):
        suggestion = f'; put it in quotes: "{value}"'
    return (
        f"must be 3-64 characters: lowercase a-z, 0-9 and hyphens (got {_show(value)})" + suggestion
    )


def _check_title(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must not be empty"


def _check_text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be text (got {_show(value)})"


def _unquote_hint(value: Any) -> str:
    quoted_number = isinstance(value, str) and value.strip().isdigit()
    return "; write the number without quotes" if quoted_number else ""


def _check_pass_mark(value: Any) -> str | None:
    if _is_whole(value) and 0 <= value <= 100:
        return None
    return (
        f"must be a whole number from 0 to 100, without '%' (got {_show(value)})"
        + _unquote_hint(value)
    )


def _check_positive(value: Any) -> str | None:
    if _is_whole(value) and value >= 1:
        return None
    return f"must be a whole number of 1 or more (got {_show(value)})" + _unquote_hint(value)


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false (got {_show(value)})"


def _check_language(value: Any) -> str | None:
    return None if value in LANGUAGES else f"must be 'vi' or 'en' (got {_show(value)})"


@dataclass(frozen=True)
class _Key:
    name: str
    check: Callable[[Any], str | None]
    example: str | None  # a line to add when the key is missing; None when it is optional


COURSE_KEYS = (
    _Key("id", _check_id, "id: chuyen-doi-so-co-ban"),
    _Key("title", _check_title, "title: Chuyển đổi số cơ bản"),
    _Key("description", _check_text, None),
    _Key("pass_mark", _check_pass_mark, "pass_mark: 70"),
    _Key("language", _check_language, "language: vi"),
)
MODULE_KEYS = (
    _Key("id", _check_id, "id: vi-sao-chuyen-doi-so"),
    _Key("title", _check_title, "title: Vì sao phải chuyển đổi số?"),
    _Key("order", _check_positive, "order: 1"),
    _Key("minutes", _check_positive, "minutes: 15"),
    _Key("required", _check_bool, None),
    _Key("pass_mark", _check_pass_mark, None),
)


@dataclass
class _Mapping:
    values: dict[str, Any]
    lines: dict[str, int]  # key -> line of the key in the file


def _yaml_error_line(error: yaml.YAMLError, first_line: int, line_count: int) -> int:
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None) or ""
    # An unclosed bracket or quote is noticed lines later; the line that opens it is the mistake.
    if mark is None or mark.line >= line_count or "flow" in context or "quoted" in context:
        mark = getattr(error, "context_mark", None) or mark
    line = mark.line if mark is not None else 0
    return first_line + min(line, max(line_count - 1, 0))


def _load_mapping(text: str, first_line: int, report: _FileReport) -> _Mapping | None:
    """Parse 'key: value' YAML whose first line is first_line of the file."""
    line_count = len(text.split("\n"))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(text)
    except yaml.YAMLError as error:
        reason = getattr(error, "problem", None) or str(error)
        report.error(
            _yaml_error_line(error, first_line, line_count),
            f"YAML syntax error: {reason}; check the indentation, and put values that "
            "contain ': ' or start with a special character in quotes",
        )
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(values, dict):
        report.error(first_line, "expected 'key: value' lines, such as 'id: ...'")
        return None
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key, line = str(key_node.value), first_line + key_node.start_mark.line
        if key in lines:
            report.error(line, f"key '{key}' appears twice (also on line {lines[key]})")
        lines.setdefault(key, line)
    return _Mapping({str(k): v for k, v in values.items()}, lines)


def _check_keys(mapping: _Mapping, keys: tuple[_Key, ...], report: _FileReport) -> bool:
    """Report unknown, missing and invalid keys; True when all known keys are valid."""
    names = [key.name for key in keys]
    for name, line in mapping.lines.items():
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(names)}"
            report.warning(line, f"unknown key '{name}' is ignored; {hint}")
    valid = True
    for key in keys:
        if key.name not in mapping.values:
            if key.example is not None:
                report.error(1, f"missing key '{key.name}'; add a line like '{key.example}'")
                valid = False
            continue
        message = key.check(mapping.values[key.name])
        if message:
            report.error(mapping.lines[key.name], f"'{key.name}' {message}")
            valid = False
    return valid


# ---- reading files ----------------------------------------------------------------------------


def _decode(raw: bytes, report: _FileReport) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        report.error(line, "the file is not UTF-8 text; save it with UTF-8 encoding")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    decomposed = [
        n
        for n, line in enumerate(text.split("\n"), 1)
        if not unicodedata.is_normalized("NFC", line)
    ]
    if decomposed:
        report.warning(
            decomposed[0],
            "text is decomposed (NFD); save it as NFC "
            f"(composed Unicode); {len(decomposed)} line(s) affected",
        )
    return unicodedata.normalize("NFC", text)


def _fence_after(fence: str, line: str) -> str:
    """The fence still open after this line: '' outside code, else its opening run of ` or ~."""
    opening = _FENCE.match(line)
    if not fence:
        return opening.group(1) if opening else ""
    closes = (
        opening is not None
        and line.strip() == opening.group(1)
        and opening.group(1)[0] == fence[0]
        and len(opening.group(1)) >= len(fence)
    )
    return "" if closes else fence


def _outside_code(lines: Lines) -> Iterator[tuple[int, str]]:
    """Lines that are not inside (or delimiting) a fenced code block."""
    fence = ""
    for number, line in lines:
        after = _fence_after(fence, line)
        if not fence and not after:
            yield number, line
        fence = after


def _split_front_matter(lines: Lines, report: _FileReport) -> int | None:
    """Index in lines of the closing '---', or None when there is no usable front matter."""
    if not lines or lines[0][1].rstrip() != "---":
        report.error(
            1,
            "missing front matter: start the file with a '---' line, then "
            "'id: ...', 'title: ...', 'order: 1', 'minutes: 10', then '---'",
        )
        return None
    for index, (_, line) in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return index
    report.error(
        1, "the front matter that starts here is never closed; add a '---' line after its last key"
    )
    return None


# ---- links, images and raw HTML ---------------------------------------------------------------


def _urls_in(line: str) -> Iterator[str]:
    for match in _INLINE_URL.finditer(line):
        yield match.group(1)
    reference = _REFERENCE_URL.match(line)
    if reference:
        yield reference.group(1)
    for match in _HTML_URL.finditer(line):
        yield html.unescape(next(group for group in match.groups() if group is not None))


def _url_problem(url: str, folder: _Folder) -> tuple[str, str] | None:
    """(severity, message) for a URL that would be removed, is unsafe or is broken."""
    # Browsers ignore control characters and spaces inside a scheme: 'java\tscript:' still runs.
    compact = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower()
    scheme = _URL_SCHEME.match(compact)
    if scheme and len(scheme.group(1)) > 1:
        name = scheme.group(1)
        if name in _SAFE_SCHEMES:
            return None
        if name in _BLOCKED_SCHEMES:
            return "error", (
                f"'{name}:' links are not allowed; link to an https:// page, "
                "or put the file in the course folder and use its relative path"
            )
        return "warning", (
            f"'{name}:' links are removed when the page is shown; only http, "
            "https and mailto links are kept"
        )
    if compact.startswith(("#", "?", "//")):
        return None
    return _file_problem(url.strip(), folder)


def _file_problem(url: str, folder: _Folder) -> tuple[str, str] | None:
    relative = unquote(urlsplit(url).path)
    if relative.startswith(("/", "\\")) or re.match(r"[a-zA-Z]:", relative):
        return "error", (
            f"'{url}' is an absolute path; use a path relative to the course "
            "folder, such as 'images/so-do.png'"
        )
    base = folder.path.resolve()
    if not (base / relative).resolve().is_relative_to(base):
        return "error", (
            f"'{url}' points outside the course folder; put the file inside the "
            "course folder and link to it from there"
        )
    if (base / relative).is_file():
        return None
    close = difflib.get_close_matches(relative, folder.files, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "check the name (it is case-sensitive)"
    return "error", f"file '{url}' was not found in the course folder; {hint}"


def _check_references(lines: Lines, in_quiz: bool, folder: _Folder, report: _FileReport) -> None:
    """Report broken or unsafe URLs and raw HTML that the sanitiser would change."""
    for number, line in _outside_code(lines):
        text = _CODE_SPAN.sub(" ", line)
        for url in _urls_in(text):
            found = _url_problem(url.strip("<>"), folder)
            if found:
                report.problems.append(Problem(report.path, number, found[1], found[0]))
        tags = _HTML_TAG.findall(_INLINE_URL.sub("](", text))  # '](<a b.png>)' is no tag
        if tags and in_quiz:
            report.warning(
                number,
                "questions and options are Markdown, not HTML; "
                "write **bold**, *italic*, `code` or [text](link) instead",
            )
            continue
        removed = [item for tag in tags for item in html_removed_by_sanitiser(tag)]
        if removed:
            report.warning(
                number,
                f"raw HTML: {', '.join(removed)} will be removed "
                "when the page is shown; write it in Markdown instead",
            )


# ---- the quiz part ---------------------------------------------------------------------------


@dataclass
class _OptionLine:
    line: int
    style: str  # "(" or "["
    text: str
    correct: bool


@dataclass
class _QuestionLines:
    """One question as read line by line, before it is checked."""

    line: int
    prompt: str
    ids: list[str]
    classes: list[str]
    extra: list[str] = field(default_factory=list)
    options: list[_OptionLine] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    phase: str = "prompt"  # then "options", then "explanation"
    stray_reported: bool = False


def _start_question(number: int, heading: str, report: _FileReport) -> _QuestionLines:
    attributes = _HEADING_ATTRIBUTES.fullmatch(heading)
    prompt, tokens = (
        (attributes.group(1), attributes.group(2).split()) if attributes else (heading.strip(), [])
    )
    for token in tokens:
        if token[:1] not in "#.":
            report.warning(
                number,
                f"'{token}' in the heading's {{...}} is ignored; "
                "only {#question-id} and .truefalse are understood",
            )
    return _QuestionLines(
        number,
        prompt,
        [t[1:] for t in tokens if t.startswith("#")],
        [t[1:] for t in tokens if t.startswith(".")],
    )


def _add_option(question: _QuestionLines, number: int, match: re.Match[str]) -> None:
    style = "(" if match.group(1) is not None else "["
    mark = match.group(1) if match.group(1) is not None else match.group(2)
    question.options.append(
        _OptionLine(number, style, (match.group(3) or "").strip(), mark.strip() != "")
    )
    question.phase = "options"


def _add_line(question: _QuestionLines, number: int, line: str, report: _FileReport) -> None:
    """Place one line of a question: prompt, option, explanation, or stray text."""
    option = _OPTION.fullmatch(line)
    if question.phase == "prompt" and not option:
        question.extra.append(line)
    elif not line.strip():
        if question.phase == "explanation":
            question.explanation.append("")
    elif option and question.phase in ("prompt", "options"):
        _add_option(question, number, option)
    elif option:
        report.error(
            number,
            "this option comes after the explanation; put every option before the '> ' explanation",
        )
    elif line.lstrip().startswith(">") or (
        question.phase == "explanation" and question.explanation[-1]  # a lazy continuation
    ):
        question.phase = "explanation"
        question.explanation.append(re.sub(r"^\s*> ?", "", line))
    elif question.phase == "options" and line[:1].isspace():
        question.options[-1].text += " " + line.strip()
    elif question.phase == "options" and _LIST_ITEM.match(line):
        report.error(
            number,
            "this list item has no '( )' or '[ ]' mark; write options "
            "as '- ( ) text' (one answer) or '- [ ] text' (several answers)",
        )
    elif not question.stray_reported:
        # One report per question: the rest of a stray paragraph is the same mistake.
        question.stray_reported = True
        report.error(
            number,
            "text after the options is not shown; write the explanation as a blockquote "
            "starting with '> ', or move the text above the options",
        )


def _quiz_first_stage(lines: Lines, report: _FileReport) -> list[_QuestionLines]:
    """Group the quiz lines into questions; report lines that belong to none."""
    questions: list[_QuestionLines] = []
    fence = ""
    stray_reported = False
    for number, line in lines:
        current = questions[-1] if questions else None
        if current and current.phase == "prompt" and (fence or _FENCE.match(line)):
            current.extra.append(line)  # a code block in the prompt may contain '###' lines
            fence = _fence_after(fence, line)
            continue
        heading = _HEADING.fullmatch(line.rstrip())
        if heading and len(heading.group(1)) == 3:
            questions.append(_start_question(number, heading.group(2), report))
        elif heading:
            report.error(
                number,
                "questions start with a level-3 heading '### '; "
                f"this heading has {len(heading.group(1))} '#'",
            )
        elif current:
            _add_line(current, number, line, report)
        elif line.strip() and not stray_reported:
            stray_reported = True
            report.error(
                number,
                "text between '<!-- quiz -->' and the first question "
                "is not shown; move it above the '<!-- quiz -->' line",
            )
    return questions


def _check_question_id(question: _QuestionLines, seen: dict[str, int], report: _FileReport) -> None:
    if not question.ids:
        hint = "q-" + "-".join(slugify_heading(question.prompt).split("-")[:5])
        report.error(
            question.line,
            "question has no id; end the heading with an id "
            f"that never changes, such as {{#{hint[:64]}}}",
        )
        return
    if len(question.ids) > 1:
        report.error(question.line, "question has more than one {#id}; keep one")
    question_id = question.ids[0]
    message = _check_id(question_id)
    if message:
        report.error(question.line, f"question id '{question_id}' {message}")
    elif question_id in seen:
        report.error(
            question.line,
            f"question id '{question_id}' is already used on "
            f"line {seen[question_id]}; question ids must be unique in a module",
        )
    seen.setdefault(question_id, question.line)


def _check_classes(question: _QuestionLines, report: _FileReport) -> None:
    for name in question.classes:
        if name not in QUESTION_CLASSES:
            close = difflib.get_close_matches(name, QUESTION_CLASSES, n=1, cutoff=0.5)
            hint = f"did you mean '.{close[0]}'?" if close else "the only class is '.truefalse'"
            report.warning(question.line, f"unknown question class '.{name}' is ignored; {hint}")


def _question_kind(question: _QuestionLines) -> str:
    if "truefalse" in question.classes:
        return "truefalse"
    first_style = question.options[0].style if question.options else "("
    return "single" if first_style == "(" else "multiple"


def _check_option_styles(question: _QuestionLines, kind: str, report: _FileReport) -> bool:
    """True when all options share one style that suits the question kind."""
    first = question.options[0].style
    for option in question.options:
        if kind == "truefalse" and option.style == "[":
            report.error(
                option.line,
                "a true/false question uses '( )' options, "
                "not '[ ]'; write '- (x) Đúng' and '- ( ) Sai'",
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


def _check_correct(question: _QuestionLines, kind: str, report: _FileReport) -> None:
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


def _check_options(question: _QuestionLines, kind: str, report: _FileReport) -> None:
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
    seen: set[str] = set()
    for option in question.options:
        if not option.text:
            report.error(option.line, "this option has no text")
        elif option.text in seen:
            report.warning(option.line, f"option '{option.text}' appears twice")
        seen.add(option.text)
    if count and _check_option_styles(question, kind, report):
        _check_correct(question, kind, report)


def _build_question(question: _QuestionLines, kind: str, files_url: str) -> Question:
    extra = "\n".join(question.extra).strip()
    text = f"{question.prompt}\n\n{extra}" if extra else question.prompt
    explanation = "\n".join(question.explanation).strip()
    return Question(
        id=question.ids[0] if question.ids else "",
        kind=kind,
        text=text,
        html=render_inline(text, files_url),
        options=[
            Option(o.text, o.correct, render_inline(o.text, files_url)) for o in question.options
        ],
        explanation=explanation,
        explanation_html=render_markdown(explanation, files_url)[0] if explanation else "",
        line=question.line,
    )


def _parse_quiz(
    lines: Lines, marker_line: int, pass_mark: int | None, files_url: str, report: _FileReport
) -> Quiz:
    questions = _quiz_first_stage(lines, report)
    if not questions:
        report.error(
            marker_line,
            "the quiz has no questions; add questions starting "
            "with '### text {#question-id}', or remove the '<!-- quiz -->' line",
        )
    seen: dict[str, int] = {}
    built = []
    for question in questions:
        _check_question_id(question, seen, report)
        _check_classes(question, report)
        if not question.prompt:
            report.error(question.line, "question has no text; write it after '### '")
        kind = _question_kind(question)
        _check_options(question, kind, report)
        built.append(_build_question(question, kind, files_url))
    return Quiz(questions=built, pass_mark=pass_mark)


# ---- modules ---------------------------------------------------------------------------------


@dataclass
class _ModuleRead:
    spec: ModuleSpec | None  # None when the front matter is unusable
    key_lines: dict[str, int]


def _split_quiz(content: Lines, report: _FileReport) -> tuple[Lines, Lines, int | None]:
    """The reading part, the quiz part and the line of '<!-- quiz -->' (None: no quiz)."""
    markers = [n for n, line in _outside_code(content) if _QUIZ_MARKER.fullmatch(line)]
    if not markers:
        return content, [], None
    for extra in markers[1:]:
        report.error(extra, "a module has one quiz; remove this second '<!-- quiz -->'")
    body = [(n, line) for n, line in content if n < markers[0]]
    quiz = [(n, line) for n, line in content if n > markers[0] and n not in markers]
    return body, quiz, markers[0]


def _warn_options_in_body(body: Lines, marker_line: int | None, report: _FileReport) -> None:
    for number, line in _outside_code(body):
        option = _OPTION.fullmatch(line)
        if option and option.group(1) is not None:
            where = (
                "above the '<!-- quiz -->' line"
                if marker_line
                else "in a module without a '<!-- quiz -->' line"
            )
            report.warning(
                number,
                f"this looks like a quiz option but it is {where}, so it is shown as plain text",
            )
            return


def _read_front_matter(lines: Lines, report: _FileReport) -> tuple[_Mapping | None, Lines]:
    """The front matter's keys, and the lines after it (all lines when it is unusable)."""
    closing = _split_front_matter(lines, report)
    if closing is None:
        return None, lines
    front_matter = "\n".join(line for _, line in lines[1:closing])
    return _load_mapping(front_matter, 2, report), lines[closing + 1 :]


def _parse_module(file: Path, folder: _Folder, files_url: str, problems: _Problems) -> _ModuleRead:
    report = _FileReport(folder.shown(file.name), problems)
    raw = file.read_bytes()
    text = _decode(raw, report)
    if text is None:
        return _ModuleRead(None, {})
    mapping, content = _read_front_matter(list(enumerate(text.split("\n"), start=1)), report)
    meta = mapping.values if mapping and _check_keys(mapping, MODULE_KEYS, report) else {}
    body, quiz_lines, marker_line = _split_quiz(content, report)
    _check_references(body, False, folder, report)
    _check_references(quiz_lines, True, folder, report)
    _warn_options_in_body(body, marker_line, report)
    quiz = None
    if marker_line is not None:
        quiz = _parse_quiz(quiz_lines, marker_line, meta.get("pass_mark"), files_url, report)
    elif mapping and "pass_mark" in mapping.lines:
        report.warning(
            mapping.lines["pass_mark"],
            "'pass_mark' has no effect: this module has no '<!-- quiz -->' part",
        )
    key_lines = mapping.lines if mapping else {}
    if not meta:
        return _ModuleRead(None, key_lines)
    return _ModuleRead(_module_spec(meta, body, quiz, report.path, files_url, raw), key_lines)


def _module_spec(
    meta: dict[str, Any], body: Lines, quiz: Quiz | None, path: str, files_url: str, raw: bytes
) -> ModuleSpec:
    body_text = "\n".join(line for _, line in body).strip("\n") + "\n"
    html_body, toc = render_markdown(body_text, files_url)
    return ModuleSpec(
        id=meta["id"],
        title=meta["title"].strip(),
        order=meta["order"],
        minutes=meta["minutes"],
        path=path,
        body=body_text,
        required=meta.get("required", True),
        html=html_body,
        toc_html=toc,
        quiz=quiz,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


_DUPLICATE_MESSAGES = {
    "id": "module id '{value}' is already used by {owner}; every module needs its own id",
    "order": "order {value} is already used by {owner}; give each module a different order",
}


def _check_unique(reads: list[_ModuleRead], key: str, problems: _Problems) -> None:
    """Report a module id or order that an earlier file (by name) already uses."""
    owners: dict[Any, str] = {}
    for read in reads:
        if read.spec is None:
            continue
        value = getattr(read.spec, key)
        if value in owners:
            message = _DUPLICATE_MESSAGES[key].format(value=value, owner=owners[value])
            problems.error(read.spec.path, read.key_lines[key], message)
        owners.setdefault(value, read.spec.path)


def _module_files(folder: Path) -> list[Path]:
    return sorted(
        file
        for file in folder.glob("*.md")
        if file.is_file() and file.name != "README.md" and not file.name.startswith(".")
    )


# ---- courses ---------------------------------------------------------------------------------


@dataclass
class _CourseRead:
    spec: CourseSpec | None  # None when course.yml is unusable; may be set despite module errors
    problems: _Problems
    id_line: int = 1


def _missing_course_yml(folder: _Folder, problems: _Problems) -> None:
    if (folder.path / "course.yaml").is_file():
        problems.error(
            folder.shown("course.yaml"),
            1,
            "rename course.yaml to course.yml; Hocso only reads course.yml",
        )
        return
    problems.error(
        folder.shown("course.yml"),
        1,
        "course.yml is missing; every course folder needs one "
        "with id, title, description, pass_mark and language",
    )


@dataclass
class _CourseYml:
    raw: bytes
    mapping: _Mapping | None  # None when course.yml is not readable YAML
    valid: bool


def _read_course_yml(folder: _Folder, problems: _Problems) -> _CourseYml | None:
    """course.yml's keys, checked; None when the file is missing."""
    if not (folder.path / "course.yml").is_file():
        _missing_course_yml(folder, problems)
        return None
    raw = (folder.path / "course.yml").read_bytes()
    report = _FileReport(folder.shown("course.yml"), problems)
    text = _decode(raw, report)
    mapping = _load_mapping(text, 1, report) if text is not None else None
    valid = mapping is not None and _check_keys(mapping, COURSE_KEYS, report)
    if mapping and "description" not in mapping.values:
        report.warning(
            1, "the course has no description; add 'description:' with a sentence or two"
        )
    return _CourseYml(raw, mapping, valid)


def _read_modules(folder: _Folder, course_id: str, problems: _Problems) -> list[ModuleSpec]:
    """The modules that parsed, in course order; problems of all module files are reported."""
    files_url = f"/courses/{course_id}/files"
    reads = [
        _parse_module(file, folder, files_url, problems) for file in _module_files(folder.path)
    ]
    _check_unique(reads, "id", problems)
    _check_unique(reads, "order", problems)
    modules = sorted((read.spec for read in reads if read.spec), key=lambda m: m.order)
    if not reads:
        problems.error(
            folder.shown("course.yml"),
            1,
            "the course has no modules; add a Markdown file such as 01-gioi-thieu.md",
        )
    elif modules and not any(module.required for module in modules):
        problems.warning(
            folder.shown("course.yml"),
            1,
            "every module is 'required: false', so the course is complete without reading any",
        )
    return modules


def _read_course(folder: _Folder) -> _CourseRead:
    problems = _Problems()
    course_yml = _read_course_yml(folder, problems)
    if course_yml is None:
        return _CourseRead(None, problems)
    mapping = course_yml.mapping if course_yml.valid else None
    modules = _read_modules(folder, mapping.values["id"] if mapping else folder.path.name, problems)
    problems.sort(key=lambda problem: (problem.path, problem.line))
    if mapping is None:
        return _CourseRead(None, problems)
    spec = _course_spec(mapping.values, folder, modules, course_yml.raw)
    return _CourseRead(spec, problems, mapping.lines["id"])


def _course_spec(
    values: dict[str, Any], folder: _Folder, modules: list[ModuleSpec], raw: bytes
) -> CourseSpec:
    digest = hashlib.sha256(raw)
    for module in sorted(modules, key=lambda m: m.path):
        digest.update(f"\n{module.path}:{module.content_hash}".encode())
    return CourseSpec(
        id=values["id"],
        title=values["title"].strip(),
        description=(values.get("description") or "").strip(),
        pass_mark=values["pass_mark"],
        language=values["language"],
        folder=folder.shown_as,
        modules=modules,
        content_hash=digest.hexdigest(),
    )


def _shown_folder(folder: Path, courses_root: Path) -> str:
    folder, courses_root = Path(os.path.abspath(folder)), Path(os.path.abspath(courses_root))
    if folder != courses_root and folder.is_relative_to(courses_root):
        return folder.relative_to(courses_root).as_posix()
    return folder.name


def parse_course_folder(
    folder: Path, courses_root: Path
) -> tuple[CourseSpec | None, list[Problem]]:
    """Parse one course folder; the spec is None whenever an error (not a warning) was found."""
    read = _read_course(_Folder(folder, _shown_folder(folder, courses_root)))
    return (None if read.problems.has_errors else read.spec), list(read.problems)


def _course_folders(courses_root: Path, problems: _Problems) -> Iterator[_Folder]:
    """Folders holding course.yml (or course.yaml); others with modules get a warning."""
    for path in sorted(p for p in courses_root.iterdir() if p.is_dir()):
        folder = _Folder(path, path.name)
        if path.name.startswith("."):
            continue
        if (path / "course.yml").is_file() or (path / "course.yaml").is_file():
            yield folder
        elif _module_files(path):
            problems.warning(
                folder.shown("course.yml"),
                1,
                "this folder has Markdown files but no course.yml, so it is skipped; "
                "add course.yml (see courses/README.md) or move the files to a hidden folder",
            )


def parse_courses(courses_root: Path) -> tuple[list[CourseSpec], list[Problem]]:
    """Parse every course under courses_root; a course with any error is left out of the list."""
    problems = _Problems()
    if not courses_root.is_dir():
        problems.error(str(courses_root), 1, "the courses folder does not exist")
        return [], list(problems)
    specs: list[CourseSpec] = []
    owners: dict[str, str] = {}
    for folder in _course_folders(courses_root, problems):
        read = _read_course(folder)
        problems.extend(read.problems)
        if read.spec is None:
            continue
        if read.spec.id in owners:
            problems.error(
                folder.shown("course.yml"),
                read.id_line,
                f"course id '{read.spec.id}' is already used by {owners[read.spec.id]}; "
                "every course needs its own id",
            )
        else:
            owners[read.spec.id] = folder.shown("course.yml")
            if not read.problems.has_errors:
                specs.append(read.spec)
    return specs, list(problems)
