"""Reading course files: the folder's files, decoded text as numbered lines, code fences. Pure."""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.problems import FileReport

Lines = list[tuple[int, str]]  # (1-based line number, text)

_FENCE = re.compile(r"\s*(`{3,}|~{3,})")


@dataclass
class CourseFolder:
    """The course folder being read, and how its paths are shown in problems."""

    path: Path
    shown_as: str  # folder path relative to the courses directory
    _files: list[str] | None = None

    def shown(self, name: str) -> str:
        return f"{self.shown_as}/{name}"

    @property
    def files(self) -> list[str]:
        """Every file in the folder (hidden ones excepted), as sorted relative POSIX paths."""
        if self._files is None:
            self._files = sorted(
                relative.as_posix()
                for relative in (p.relative_to(self.path) for p in self.path.rglob("*"))
                if (self.path / relative).is_file()
                and not any(part.startswith(".") for part in relative.parts)
            )
        return self._files


def decode_text(raw: bytes, report: FileReport) -> str | None:
    """UTF-8 text with LF line ends, composed (NFC); None when the bytes are not UTF-8."""
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


def numbered_lines(text: str) -> Lines:
    return list(enumerate(text.split("\n"), start=1))


def starts_fence(line: str) -> bool:
    return _FENCE.match(line) is not None


def fence_after(fence: str, line: str) -> str:
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


def outside_code(lines: Lines) -> Iterator[tuple[int, str]]:
    """Lines that are not inside (or delimiting) a fenced code block."""
    fence = ""
    for number, line in lines:
        after = fence_after(fence, line)
        if not fence and not after:
            yield number, line
        fence = after
