"""A report table as CSV and XLSX. Pure: no Flask, no database.

The CSV holds line for line what the screen shows, comma- or semicolon-separated (Excel set to
Vietnamese, whose decimal mark is the comma, splits a CSV line on `;` only). The XLSX is for
sorting and charting: one sheet per table, with counts, rates and scores as numbers, a unit-code
column next to the unit name, a frozen header row and an autofilter; what the report covers
(title, filters, when and by whom) is on a sheet of its own.

Spreadsheet formula injection (SECURITY-BAR case 43): a name such as `=HYPERLINK(...)` must never
run as a formula. In CSV, which has no cell types, a text cell that starts with = + - @, a tab or
a carriage return gets a leading apostrophe. Excel splits a CSV line on the list separator of the
reader's locale (`;` in many), or the user picks one (tab, `|`) in the import dialog: so inside a
cell, every piece that follows `,` `;` tab or `|` and would start a formula gets the apostrophe
too (`Xã An;=cmd|...` becomes `Xã An;'=cmd|...`), and every CSV field is quoted. In XLSX every
text cell is written as a string (never a formula) and, when it starts with one of those
characters, marked "quote prefix", as Excel does itself, so it stays text even when someone edits
it; the text is unchanged (an XLSX cell is never split on a separator).
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.reports.report_table import Cell, ReportTable, Section

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";", "\t", "|")  # what Excel, LibreOffice or a user might split a line on
# The start of the cell or of a piece after a separator, past spaces and quotes, before a trigger.
_PIECE_STARTING_A_FORMULA = re.compile(
    rf'(?:^|(?<=[{re.escape("".join(SEPARATORS))}]))[ "]*(?=[{re.escape("".join(FORMULA_TRIGGERS))}])'
)
UTF8_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Vietnamese letters
CSV_SEPARATORS = (",", ";")  # comma for most programs, semicolon for Vietnamese-locale Excel
# Excel shows these with the reader's own marks: "1.234", "91,7%", "87,5" in Vietnamese.
NUMBER_FORMATS = {"count": "#,##0", "rate": "0.0%", "score": "0.0"}
COUNT_FORMAT = NUMBER_FORMATS["count"]
DATE_FORMAT = "dd/mm/yyyy"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\/?*:\[\]]")
MAX_COLUMN_WIDTH = 60


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralize(text: str) -> str:
    """The text a spreadsheet shows as text: an apostrophe before every piece (the whole cell,
    or what follows a separator) that could start a formula."""
    return _PIECE_STARTING_A_FORMULA.sub(lambda match: match.group(0) + "'", text)


Fact = tuple[str, str | date | datetime]  # a line of the "about this report" sheet


@dataclass(frozen=True)
class XlsxLabels:
    """The words the XLSX adds to the report table, in the reader's language."""

    about_sheet: str  # the sheet saying what the report covers
    unit_code: str  # the header of the column next to the unit name


def report_csv(table: ReportTable, separator: str = ",") -> bytes:
    """UTF-8 with a byte-order mark, every field quoted, CRLF line ends; `,` or `;` between fields."""
    if separator not in CSV_SEPARATORS:
        raise ValueError(f"unsupported CSV separator {separator!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for line in table.value_rows():
        writer.writerow([value if isinstance(value, int) else neutralize(value) for value in line])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def report_xlsx(table: ReportTable, facts: Sequence[Fact], labels: XlsxLabels) -> bytes:
    """A sheet per table of the report, then the sheet saying what it covers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in table.sections:
        _write_section(workbook.create_sheet(sheet_name(section.caption)), section, labels.unit_code)
    _write_facts(workbook.create_sheet(sheet_name(labels.about_sheet)), facts)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def sheet_name(text: str) -> str:
    """A name Excel accepts: at most 31 characters, none of \\ / ? * : [ ]."""
    return _SHEET_NAME_FORBIDDEN.sub("-", text)[:31] or "-"


def _write_section(sheet: Worksheet, section: Section, unit_code_header: str) -> None:
    """Header in row 1, frozen; the rows below under an autofilter; total rows after them, outside
    the filter, so that sorting never moves a total in among the units."""
    sheet.append(_with_unit_code(section, list(section.headers), unit_code_header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        _set_text(cell, cell.value)
    rows = [row for row in section.rows if not row.is_total]
    rows += [row for row in section.rows if row.is_total]
    for row_number, row in enumerate(rows, 2):
        cells = _with_unit_code(section, list(row.cells), Cell.of(row.unit_code or ""))
        for column, cell in enumerate(cells, 1):
            _write_cell(sheet.cell(row=row_number, column=column), cell)
    last_column = get_column_letter(sheet.max_column)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{1 + sum(not row.is_total for row in rows)}"
    _fit_columns(sheet)


def _with_unit_code(section: Section, items: list, unit_code) -> list:
    if section.unit_column is not None:
        items.insert(section.unit_column + 1, unit_code)
    return items


def _write_cell(target, cell: Cell) -> None:
    if cell.kind in NUMBER_FORMATS and isinstance(cell.value, int | float):
        target.value = cell.value
        target.number_format = NUMBER_FORMATS[cell.kind]
    elif cell.kind in NUMBER_FORMATS:
        target.value = None  # no number (nobody on the roster, no score): an empty cell sorts last
    else:
        _set_text(target, cell.text)


def _set_text(target, text: str) -> None:
    target.value = text
    target.data_type = "s"  # a string, never a formula
    target.quotePrefix = is_formula_like(text)


def _write_facts(sheet: Worksheet, facts: Sequence[Fact]) -> None:
    """Label and value per line; dates as dates, so that they sort and read as dd/mm/yyyy."""
    for row_number, (label, value) in enumerate(facts, 1):
        label_cell = sheet.cell(row=row_number, column=1)
        _set_text(label_cell, label)
        label_cell.font = Font(bold=True)
        value_cell = sheet.cell(row=row_number, column=2)
        if isinstance(value, datetime):
            value_cell.value, value_cell.number_format = value, DATE_TIME_FORMAT
        elif isinstance(value, date):
            value_cell.value, value_cell.number_format = value, DATE_FORMAT
        else:
            _set_text(value_cell, value)
    _fit_columns(sheet)


def _fit_columns(sheet: Worksheet) -> None:
    for column in sheet.columns:
        width = max(len(_shown(cell.value)) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), MAX_COLUMN_WIDTH)


def _shown(value) -> str:
    if isinstance(value, date):
        return "dd/mm/yyyy hh:mm" if isinstance(value, datetime) else "dd/mm/yyyy"
    return "" if value is None else str(value)
