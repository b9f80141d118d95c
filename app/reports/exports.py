"""A report table as CSV and XLSX, line for line what the screen shows. Pure: no Flask, no database.

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

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from app.reports.report_table import ReportTable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";", "\t", "|")  # what Excel, LibreOffice or a user might split a line on
# The start of the cell or of a piece after a separator, past spaces and quotes, before a trigger.
_PIECE_STARTING_A_FORMULA = re.compile(
    rf'(?:^|(?<=[{re.escape("".join(SEPARATORS))}]))[ "]*(?=[{re.escape("".join(FORMULA_TRIGGERS))}])'
)
UTF8_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Vietnamese letters
COUNT_FORMAT = "#,##0"
MAX_COLUMN_WIDTH = 60


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralize(text: str) -> str:
    """The text a spreadsheet shows as text: an apostrophe before every piece (the whole cell,
    or what follows a separator) that could start a formula."""
    return _PIECE_STARTING_A_FORMULA.sub(lambda match: match.group(0) + "'", text)


def report_csv(table: ReportTable) -> bytes:
    """UTF-8 with a byte-order mark, comma-separated, every field quoted, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for line in table.value_rows():
        writer.writerow([value if isinstance(value, int) else neutralize(value) for value in line])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def report_xlsx(table: ReportTable, sheet_title: str) -> bytes:
    """One sheet holding the same lines as the CSV: counts as numbers, everything else as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]  # Excel's limit
    widths: dict[int, int] = {}
    for row_number, line in enumerate(table.value_rows(), 1):
        for column, value in enumerate(line, 1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, int):
                cell.value = value
                cell.number_format = COUNT_FORMAT
            else:
                cell.value = value
                cell.data_type = "s"  # a string, never a formula
                cell.quotePrefix = is_formula_like(value)
            widths[column] = max(widths.get(column, 0), len(str(value)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
