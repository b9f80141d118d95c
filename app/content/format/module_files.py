"""One module file (or its translation) to its parts: front matter, reading, quiz. Pure."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.content.format.course_format import ModuleSpec, Quiz
from app.content.format.front_matter import (
    MODULE_KEYS,
    QUIZ_KEYS,
    Key,
    Mapping,
    check_keys,
    read_front_matter,
)
from app.content.format.link_checks import check_references
from app.content.format.quiz_parsing import parse_quiz
from app.content.format.quiz_syntax import split_quiz, warn_options_in_body
from app.content.format.review_options import check_review, parse_review
from app.content.format.source_text import CourseFolder, Lines, decode_text, numbered_lines
from app.content.rendering import render_markdown
from app.problems import FileReport, ProblemList
from app.questions.question import Question

TRANSLATION_NAME = re.compile(r"(?P<stem>.+)\.(?P<language>[a-z]{2})\.md")


@dataclass
class ModuleText:
    """A module file read and checked, before it becomes a ModuleSpec or a translation."""

    report: FileReport
    raw: bytes
    mapping: Mapping | None  # None when the front matter is unusable
    meta: dict[str, Any]  # the front matter's values; empty unless every checked key is valid
    body: Lines
    questions: list[Question]
    marker_line: int | None  # the line of '<!-- quiz -->'; None: no quiz part

    def rendered_body(self, files_url: str) -> tuple[str, str, str]:
        """The reading part's Markdown, HTML and table of contents."""
        text = "\n".join(line for _, line in self.body).strip("\n") + "\n"
        return (text, *render_markdown(text, files_url))


def read_module_text(
    file: Path,
    folder: CourseFolder,
    files_url: str,
    report: FileReport,
    keys: tuple[Key, ...] = MODULE_KEYS,
) -> ModuleText | None:
    """Read and check one module file; None when it is not UTF-8 text."""
    raw = file.read_bytes()
    text = decode_text(raw, report)
    if text is None:
        return None
    mapping, content = read_front_matter(numbered_lines(text), report)
    also_known = tuple(key.name for key in MODULE_KEYS)  # a translation ignores them
    valid = mapping is not None and check_keys(mapping, keys, report, also_known)
    if mapping is not None and keys is MODULE_KEYS:
        valid = check_review(mapping, report) and valid
    body, quiz_lines, marker_line = split_quiz(content, report)
    check_references(body, False, folder, report)
    check_references(quiz_lines, True, folder, report)
    warn_options_in_body(body, marker_line, report)
    questions = []
    if marker_line is not None:
        questions = parse_quiz(quiz_lines, marker_line, files_url, report)
    meta = mapping.values if mapping and valid else {}
    return ModuleText(report, raw, mapping, meta, body, questions, marker_line)


@dataclass
class ModuleRead:
    """A module file as read: its spec (None when its front matter is unusable) and its text."""

    spec: ModuleSpec | None
    text: ModuleText | None
    file_name: str
    translation_bytes: dict[str, bytes] = field(default_factory=dict)  # language -> file bytes

    @property
    def key_lines(self) -> dict[str, int]:
        mapping = self.text.mapping if self.text else None
        return mapping.lines if mapping else {}

    def content_hash(self) -> str:
        """sha256 of the file, followed by its translations' bytes when there are any."""
        assert self.text is not None
        digest = hashlib.sha256(self.text.raw)
        for language, raw in sorted(self.translation_bytes.items()):
            digest.update(b"\0" + language.encode() + b"\0" + raw)
        return digest.hexdigest()


def _module_quiz(text: ModuleText) -> Quiz | None:
    """The module's quiz with its settings; a module that draws from others has one too."""
    written = text.mapping.values if text.mapping else {}
    if text.marker_line is not None or written.get("draw_from"):
        meta = text.meta  # empty when a key is invalid: the module is then left out anyway
        return Quiz(
            questions=text.questions,
            pass_mark=meta.get("pass_mark"),
            draw=meta.get("draw"),
            max_attempts=meta.get("attempts"),
            grading=meta.get("grading", "highest"),
            review=parse_review(meta.get("review")),
        )
    for key in QUIZ_KEYS:
        if key in written:
            text.report.warning(
                text.mapping.lines[key],  # type: ignore[union-attr]
                f"'{key}' has no effect: this module has no '<!-- quiz -->' part",
            )
    return None


def read_module(file: Path, folder: CourseFolder, files_url: str, problems: ProblemList) -> ModuleRead:
    """Read one module file; its spec is None when its front matter is unusable."""
    report = FileReport(folder.shown(file.name), problems)
    text = read_module_text(file, folder, files_url, report)
    if text is None:
        return ModuleRead(None, None, file.name)
    quiz = _module_quiz(text)
    if not text.meta:
        return ModuleRead(None, text, file.name)
    meta = text.meta
    body, html, toc = text.rendered_body(files_url)
    spec = ModuleSpec(
        id=meta["id"],
        title=meta["title"].strip(),
        order=meta["order"],
        minutes=meta["minutes"],
        path=report.path,
        body=body,
        required=meta.get("required", True),
        html=html,
        toc_html=toc,
        quiz=quiz,
        content_hash=hashlib.sha256(text.raw).hexdigest(),
        draw_from=list(meta.get("draw_from", [])),
    )
    return ModuleRead(spec, text, file.name)


def module_files(folder: Path) -> list[Path]:
    """The module files of a course folder: every .md but README.md and translations."""
    return [file for file in _markdown_files(folder) if not TRANSLATION_NAME.fullmatch(file.name)]


def translation_files(folder: Path) -> list[Path]:
    """Files named like a module's translation, '01-ten.en.md'."""
    return [file for file in _markdown_files(folder) if TRANSLATION_NAME.fullmatch(file.name)]


def _markdown_files(folder: Path) -> list[Path]:
    return sorted(
        file
        for file in folder.glob("*.md")
        if file.is_file()
        and not file.name.startswith(".")
        and not re.fullmatch(r"README(\.[a-z]{2})?\.md", file.name)
    )
