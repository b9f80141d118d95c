"""What an import found in each row: errors that stop it, warnings that do not.

Messages are English msgids with %(name)s placeholders, marked with N_ (app/i18n/markers.py)
so that Babel extracts them; the page translates them where it shows them, the command line
prints them in English.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    is_error: bool = True

    def english(self) -> str:
        return self.message % self.params if self.params else self.message


def error(message: str, **params: Any) -> Issue:
    return Issue(message, params, is_error=True)


def warning(message: str, **params: Any) -> Issue:
    return Issue(message, params, is_error=False)


@dataclass
class RowResult:
    """One data row: its number as the spreadsheet shows it, what it holds, what is wrong."""

    row: int
    values: dict[str, str]
    issues: list[Issue] = field(default_factory=list)
    label: str = ""  # how a person recognises the row: a name or a code

    @property
    def has_error(self) -> bool:
        return any(issue.is_error for issue in self.issues)

    @property
    def status(self) -> str:
        if self.has_error:
            return "error"
        return "warning" if self.issues else "ok"


@dataclass
class ImportReport:
    """The whole file: problems with the file itself, and every row's result."""

    rows: list[RowResult] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)  # how the file was read: which rows are the header

    @property
    def ok(self) -> bool:
        """True when nothing stops the import: no file error and no row error."""
        return not any(i.is_error for i in self.file_issues) and not any(r.has_error for r in self.rows)

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.has_error]

    @property
    def warning_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "warning"]

    def english_lines(self) -> list[str]:
        """The report as plain lines for the command line."""
        lines = ["note: " + note.english() for note in self.notes]
        lines += [("error: " if i.is_error else "warning: ") + i.english() for i in self.file_issues]
        if self.ignored_columns:
            lines.append("warning: ignored columns: " + ", ".join(self.ignored_columns))
        for row in self.rows:
            texts = "; ".join(("" if i.is_error else "warning: ") + i.english() for i in row.issues)
            line = f"row {row.row:>5}  {row.status.upper():<7}  {row.label}"
            lines.append(line + (f": {texts}" if texts else ""))
        return lines
