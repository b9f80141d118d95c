"""A funnel as the table people read: the same cells on the screen, in CSV and in XLSX. Pure.

Numbers are written the Vietnamese way whatever the interface language ("1.234", "91,7%"),
since the report is what a province files. Counts, rates and scores keep their number next to
the text, so the spreadsheet exports can write real numbers.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_decimal, format_percent

from app.reports.funnel import Funnel, FunnelRow, LearnerStatus, RowKind, StageCounts

LOCALE = "vi"
NOTHING = "—"


@dataclass(frozen=True)
class Cell:
    text: str  # exactly as shown on the screen
    value: int | float | str | None  # what the XLSX writes: counts, rates and scores stay numbers
    kind: str = "text"  # "count", "rate" or "score": which number format the XLSX gives it

    @classmethod
    def count(cls, number: int) -> "Cell":
        return cls(format_count(number), number, "count")

    @classmethod
    def rate(cls, counts: "StageCounts") -> "Cell":
        return cls(format_rate(counts), counts.completion_rate, "rate")

    @classmethod
    def score(cls, score: float | None) -> "Cell":
        return cls(format_score(score), score, "score")

    @classmethod
    def of(cls, text: str) -> "Cell":
        return cls(text, text)


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Cell, ...]
    unit_code: str | None = None  # the row's unit: drill down to it; the XLSX shows the code
    username: str | None = None  # open this learner's details
    is_total: bool = False


@dataclass(frozen=True)
class Section:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    unit_column: int | None = None  # the unit name's position; the XLSX adds the code after it


@dataclass(frozen=True)
class ReportTable:
    title_rows: tuple[tuple[str, str], ...]  # (label, value) lines above the tables
    sections: tuple[Section, ...]

    def text_rows(self) -> list[list[str]]:
        """Every line of the report as on the screen: title lines, then each section after a blank line."""
        return self._lines(lambda cell: cell.text)

    def value_rows(self) -> list[list[int | str]]:
        """The same lines with counts as numbers, for the CSV (rates keep their text there)."""
        return self._lines(lambda cell: cell.value if cell.kind == "count" else cell.text)

    def _lines(self, pick: Callable[[Cell], int | str]) -> list[list]:
        lines: list[list] = [[label, value] for label, value in self.title_rows]
        for section in self.sections:
            lines += [[], [section.caption], list(section.headers)]
            lines += [[pick(cell) for cell in row.cells] for row in section.rows]
        return lines


@lru_cache(maxsize=4096)  # a commune's list writes ~1,000 small counts; Babel takes ~20 µs each
def format_count(number: int) -> str:
    """1234 -> "1.234"."""
    return format_decimal(number, locale=LOCALE)


def format_rate(counts: StageCounts) -> str:
    """"375/409 — 91,7%"; a dash when nobody is on the roster."""
    rate = counts.completion_rate
    if rate is None:
        return NOTHING
    percent = format_percent(rate, "#,##0.0%", locale=LOCALE)
    return f"{format_count(counts.completed)}/{format_count(counts.target)} — {percent}"


def format_score(score: float | None) -> str:
    """87.456 -> "87,5"; a dash without scores."""
    return NOTHING if score is None else format_decimal(score, "#,##0.0", locale=LOCALE)


def _stages(with_attended: bool) -> tuple[str, ...]:
    if with_attended:
        return ("target", "registered", "started", "attended", "completed", "certified")
    return ("target", "registered", "started", "completed", "certified")


def funnel_section(funnel: Funnel, labels: Mapping[str, str], with_attended: bool = False) -> Section:
    """Unit rows one level below the focus, then the total; "attended" (a live session) when
    the course has live sessions."""
    stages = _stages(with_attended)
    rows = [_funnel_row(row, labels, stages) for row in funnel.rows]
    rows.append(TableRow(_count_cells(labels["total"], funnel.total, stages), is_total=True))
    headers = tuple(labels[key] for key in ("unit", *stages, "rate", "average"))
    return Section(labels["funnel_caption"], headers, tuple(rows), unit_column=0)


def row_label(row: FunnelRow, labels: Mapping[str, str]) -> str:
    if row.kind == RowKind.UNIT:
        return row.unit.name
    return labels["direct"] if row.kind == RowKind.DIRECT else labels["no_unit"]


def _funnel_row(row: FunnelRow, labels: Mapping[str, str], stages: tuple[str, ...]) -> TableRow:
    unit_code = row.unit.code if row.kind == RowKind.UNIT else None
    return TableRow(_count_cells(row_label(row, labels), row.counts, stages), unit_code=unit_code)


def _count_cells(label: str, counts: StageCounts, stages: tuple[str, ...]) -> tuple[Cell, ...]:
    return (
        Cell.of(label),
        *(Cell.count(getattr(counts, stage)) for stage in stages),
        Cell.rate(counts),
        Cell.score(counts.average_score),
    )


def learner_section(
    learners: Iterable[LearnerStatus], unit_name: Callable[[int | None], str],
    labels: Mapping[str, str], with_attended: bool = False,
    unit_code: Callable[[int | None], str | None] = lambda unit_id: None,
) -> Section:
    """One row per learner, in the order given (Vietnamese name order)."""
    yes, no = labels["yes"], labels["no"]
    flag_names = tuple(s for s in _stages(with_attended) if s != "target")
    rows = []
    for number, learner in enumerate(learners, 1):
        flags = tuple(getattr(learner, name) for name in flag_names)
        cells = (
            Cell.count(number),
            Cell.of(learner.full_name),
            Cell.of(learner.username),
            Cell.of(unit_name(learner.unit_id)),
            *(Cell.of(yes if flag else no) for flag in flags),
            Cell(NOTHING, NOTHING) if learner.score is None else Cell.count(learner.score),
        )
        rows.append(TableRow(cells, unit_code=unit_code(learner.unit_id), username=learner.username))
    headers = tuple(labels[key] for key in (
        "number", "full_name", "username", "unit", *flag_names, "score"))
    return Section(labels["learners_caption"], headers, tuple(rows), unit_column=3)
