"""The 'key: value' parts of a course: course.yml and each module's front matter. Pure."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from app.content.format.course_format import GRADING_METHODS
from app.content.format.source_text import Lines
from app.content.rendering import slugify_heading
from app.problems import FileReport

ID_PATTERN = re.compile(r"[a-z0-9-]{3,64}")
LANGUAGES = ("vi", "en")


def show(value: Any) -> str:
    """A value as the author wrote it, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "nothing" if value is None else f"'{value}'"


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_id(value: Any) -> str | None:
    """What is wrong with an id, or None."""
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return None
    if value is None or value == "":
        return "must not be empty; ids look like 'vi-sao-chuyen-doi-so'"
    hint = slugify_heading(str(value))[:64]
    suggestion = f"; did you mean '{hint}'?" if ID_PATTERN.fullmatch(hint) else ""
    if not isinstance(value, str):
        suggestion = f'; put it in quotes: "{value}"'
    return f"must be 3-64 characters: lowercase a-z, 0-9 and hyphens (got {show(value)})" + suggestion


def check_title(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must not be empty"


def _check_text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be text (got {show(value)})"


AUDIENCE_MAX_LENGTH = 300


def _check_audience(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"must name who the course is for, as a line of text (got {show(value)})"
    if len(value.strip()) > AUDIENCE_MAX_LENGTH:
        return f"must be at most {AUDIENCE_MAX_LENGTH} characters: one line, shown in the course list"
    return None


def _unquote_hint(value: Any) -> str:
    quoted_number = isinstance(value, str) and value.strip().isdigit()
    return "; write the number without quotes" if quoted_number else ""


def _check_pass_mark(value: Any) -> str | None:
    if _is_whole(value) and 0 <= value <= 100:
        return None
    return f"must be a whole number from 0 to 100, without '%' (got {show(value)})" + _unquote_hint(
        value
    )


def _check_positive(value: Any) -> str | None:
    if _is_whole(value) and value >= 1:
        return None
    return f"must be a whole number of 1 or more (got {show(value)})" + _unquote_hint(value)


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false (got {show(value)})"


def _check_language(value: Any) -> str | None:
    return None if value in LANGUAGES else f"must be 'vi' or 'en' (got {show(value)})"


def _check_grading(value: Any) -> str | None:
    if value in GRADING_METHODS:
        return None
    close = difflib.get_close_matches(str(value), GRADING_METHODS, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"must be 'highest' or 'last' (got {show(value)})" + hint


def _check_module_list(value: Any) -> str | None:
    example = "write the module ids in brackets, such as [vi-sao-chuyen-doi-so, an-toan-thong-tin]"
    if not isinstance(value, list) or not value:
        return f"must be a list of module ids (got {show(value)}); {example}"
    for item in value:
        if check_id(item):
            return f"names {show(item)}, which is not a module id; {example}"
    return None


@dataclass(frozen=True)
class Key:
    name: str
    check: Callable[[Any], str | None]
    example: str | None  # a line to add when the key is missing; None when it is optional


COURSE_KEYS = (
    Key("id", check_id, "id: chuyen-doi-so-co-ban"),
    Key("title", check_title, "title: Chuyển đổi số cơ bản"),
    Key("description", _check_text, None),
    Key("audience", _check_audience, None),  # who it is for, shown beside it in the course list
    Key("pass_mark", _check_pass_mark, "pass_mark: 70"),
    Key("language", _check_language, "language: vi"),
    Key("translations", lambda value: None, None),  # module_translations checks it, with lines
)
QUIZ_KEYS = ("pass_mark", "attempts", "grading", "draw", "review")  # keys that only matter with a quiz
MODULE_KEYS = (
    Key("id", check_id, "id: vi-sao-chuyen-doi-so"),
    Key("title", check_title, "title: Vì sao phải chuyển đổi số?"),
    Key("order", _check_positive, "order: 1"),
    Key("minutes", _check_positive, "minutes: 15"),
    Key("required", _check_bool, None),
    Key("pass_mark", _check_pass_mark, None),
    Key("attempts", _check_positive, None),
    Key("grading", _check_grading, None),
    Key("draw", _check_positive, None),
    Key("draw_from", _check_module_list, None),
    Key("review", lambda value: None, None),  # review_options checks it, with nested lines
)
COURSE_TRANSLATION_KEYS = (
    Key("title", check_title, "title: Digital transformation basics"),
    Key("description", _check_text, None),
    Key("audience", _check_audience, None),
)
# A translation takes everything but its words from the original; only these are read.
TRANSLATION_KEYS = (
    Key("id", check_id, "id: vi-sao-chuyen-doi-so"),
    Key("title", check_title, "title: Why digital transformation?"),
)


@dataclass
class Mapping:
    """'key: value' YAML, with the line in the file of each key and of each list item."""

    values: dict[str, Any]
    lines: dict[str, int]  # key -> line of the key in the file
    nodes: dict[str, yaml.Node]  # key -> its value's YAML node (where nested lines are found)
    first_line: int

    def item_lines(self, key: str) -> list[int]:
        """The line of each item of a list value (empty when the value is not a list)."""
        node = self.nodes.get(key)
        if not isinstance(node, yaml.SequenceNode):
            return []
        return [self.first_line + item.start_mark.line for item in node.value]

    def nested(self, key: str, report: FileReport) -> "Mapping | None":
        """The Mapping of a key whose value is itself 'key: value' lines; None otherwise."""
        node, value = self.nodes.get(key), self.values.get(key)
        if not isinstance(node, yaml.MappingNode) or not isinstance(value, dict):
            return None
        return _mapping_of(node, value, self.first_line, report)


def _yaml_error_line(error: yaml.YAMLError, first_line: int, line_count: int) -> int:
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None) or ""
    # An unclosed bracket or quote is noticed lines later; the line that opens it is the mistake.
    if mark is None or mark.line >= line_count or "flow" in context or "quoted" in context:
        mark = getattr(error, "context_mark", None) or mark
    line = mark.line if mark is not None else 0
    return first_line + min(line, max(line_count - 1, 0))


def _mapping_of(
    node: yaml.MappingNode, values: dict, first_line: int, report: FileReport
) -> Mapping:
    lines: dict[str, int] = {}
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), first_line + key_node.start_mark.line
        if key in lines:
            report.error(line, f"key '{key}' appears twice (also on line {lines[key]})")
        lines.setdefault(key, line)
        nodes[key] = value_node  # the last one, like the value YAML keeps
    return Mapping({str(k): v for k, v in values.items()}, lines, nodes, first_line)


def load_mapping(text: str, first_line: int, report: FileReport) -> Mapping | None:
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
    return _mapping_of(node, values, first_line, report)


def warn_unknown_keys(
    mapping: Mapping, names: list[str], report: FileReport, also_known: tuple[str, ...] = ()
) -> None:
    """A warning, with the closest known key, for each key nobody reads."""
    for name, line in mapping.lines.items():
        if name not in names and name not in also_known:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(names)}"
            report.warning(line, f"unknown key '{name}' is ignored; {hint}")


def check_keys(
    mapping: Mapping,
    keys: tuple[Key, ...],
    report: FileReport,
    also_known: tuple[str, ...] = (),
    missing_line: int = 1,
) -> bool:
    """Report unknown, missing and invalid keys; True when all checked keys are valid.

    Keys in also_known are neither checked nor reported as unknown; a missing key is reported
    at missing_line."""
    warn_unknown_keys(mapping, [key.name for key in keys], report, also_known)
    valid = True
    for key in keys:
        if key.name not in mapping.values:
            if key.example is not None:
                report.error(
                    missing_line, f"missing key '{key.name}'; add a line like '{key.example}'"
                )
                valid = False
            continue
        message = key.check(mapping.values[key.name])
        if message:
            report.error(mapping.lines[key.name], f"'{key.name}' {message}")
            valid = False
    return valid


def _closing_line(lines: Lines, report: FileReport) -> int | None:
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


def read_front_matter(lines: Lines, report: FileReport) -> tuple[Mapping | None, Lines]:
    """The front matter's keys, and the lines after it (all lines when it is unusable)."""
    closing = _closing_line(lines, report)
    if closing is None:
        return None, lines
    front_matter = "\n".join(line for _, line in lines[1:closing])
    return load_mapping(front_matter, 2, report), lines[closing + 1 :]
