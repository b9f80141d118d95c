"""Links, images and raw HTML in course Markdown: broken, unsafe or about to be removed. Pure."""

import difflib
import html
import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from app.content.format.source_text import CourseFolder, Lines, outside_code
from app.content.rendering import html_removed_by_sanitiser
from app.problems import FileReport

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_URL = re.compile(r"\]\(\s*(<[^>]*>|[^\s)]+)")
_REFERENCE_URL = re.compile(r"\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HTML_URL = re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>])[^>]*>?")
_URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_BLOCKED_SCHEMES = ("javascript", "vbscript", "data", "file")
_SAFE_SCHEMES = ("http", "https", "mailto")

def _urls_in(line: str) -> Iterator[str]:
    for match in _INLINE_URL.finditer(line):
        yield match.group(1)
    reference = _REFERENCE_URL.match(line)
    if reference:
        yield reference.group(1)
    for match in _HTML_URL.finditer(line):
        yield html.unescape(next(group for group in match.groups() if group is not None))


def _url_problem(url: str, folder: CourseFolder) -> tuple[str, str] | None:
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


def _file_problem(url: str, folder: CourseFolder) -> tuple[str, str] | None:
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


def check_references(lines: Lines, in_quiz: bool, folder: CourseFolder, report: FileReport) -> None:
    """Report broken or unsafe URLs and raw HTML that the sanitiser would change."""
    for number, line in outside_code(lines):
        text = _CODE_SPAN.sub(" ", line)
        for url in _urls_in(text):
            found = _url_problem(url.strip("<>"), folder)
            if found:
                report.add(number, found[0], found[1])
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
