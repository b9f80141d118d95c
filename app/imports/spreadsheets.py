"""Reading the spreadsheets people actually send, and writing safe ones. Pure: no Flask, no database.

A file is recognised by its content, never by its name: XLSX is a zip archive; anything else is
read as CSV (comma, semicolon or tab separated) in UTF-8 with or without a BOM, UTF-16 with a BOM
(Excel's "Unicode text") or Windows-1258 (Vietnamese Windows). Every cell comes back as NFC text
with its row number as the spreadsheet shows it.

The header may sit below title rows, and may span two rows: column names in cells merged down
over two rows, or a row of group labels ("Thông tin học viên" merged across) above the names.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.i18n.markers import N_
from app.imports.row_report import Issue, error, warning

MAX_DATA_ROWS = 20_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX of 20,000 short rows is a few MB
HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the column names
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_DELIMITERS = (",", ";", "\t")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# <mergeCell ref="A3:A4"/> in a sheet's XML, with or without a namespace prefix.
_MERGED_RANGE = re.compile(
    rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref=["']([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)["']"""
)

Cell = str | int | float | bool | datetime.date | None


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; `issue` says why, for a person."""

    def __init__(self, issue: Issue):
        super().__init__(issue.english())
        self.issue = issue


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet shows it: the first line is 1
    cells: tuple[Cell, ...]
    merged_from: int | None = None  # the top row of a merged cell whose value this row repeats


@dataclass(frozen=True)
class Columns:
    """Where the header is and which column holds which field."""

    header_row: int  # the header's last row: data rows follow it
    index: Mapping[str, int]  # field -> column position
    ignored: tuple[str, ...]  # headers that name no field we know
    first_header_row: int = 0  # the header's first row, when it spans two (0: header_row)
    found: tuple[str, ...] = ()  # the headers that name a field, as written, left to right

    @property
    def header_rows(self) -> tuple[int, int]:
        return (self.first_header_row or self.header_row, self.header_row)


def read_rows(data: bytes) -> list[SheetRow]:
    """Every non-empty row of the first sheet (XLSX) or of the CSV text."""
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(error(N_("This is an old Excel .xls file: save it as .xlsx or CSV.")))
    rows = _xlsx_rows(data) if data.startswith(_ZIP_MAGIC) else _csv_rows(decode_text(data))
    if not rows:
        raise SpreadsheetError(error(N_("The file is empty.")))
    return rows


def _non_empty(numbered_cells: Iterable[tuple[int, tuple[Cell, ...]]]) -> list[SheetRow]:
    """Rows with any text, numbered as shown; blank rows are skipped and not counted."""
    rows = []
    for number, cells in numbered_cells:
        if any(cell_text(c) for c in cells):
            if len(rows) >= MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
                raise _too_many_rows()
            rows.append(SheetRow(number, tuple(cells)))
    return rows


def decode_text(data: bytes) -> str:
    """The text of a CSV file, whichever of the encodings Vietnamese offices use it is in."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    if b"\x00" in data[:400]:  # UTF-16 saved without its BOM
        even_zeros = data[:400:2].count(0) > data[1:400:2].count(0)
        return _decode(data, "utf-16-be" if even_zeros else "utf-16-le")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "cp1258")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise SpreadsheetError(error(N_(
            "The file's characters cannot be read. Save it as .xlsx, or as CSV UTF-8."
        ))) from None


def _csv_rows(text: str) -> list[SheetRow]:
    if "\x00" in text:
        raise SpreadsheetError(error(N_("The file contains NUL characters; it is not a CSV file.")))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _non_empty((number, tuple(cells)) for number, cells in enumerate(reader, 1))
    except csv.Error as problem:
        raise SpreadsheetError(
            error(N_("The CSV file is malformed: %(reason)s"), reason=str(problem))
        ) from None


def _xlsx_rows(data: bytes) -> list[SheetRow]:
    from openpyxl import load_workbook  # imported on use: only imports need it

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise SpreadsheetError(error(N_("The XLSX file is damaged or is not a spreadsheet."))) from None
    try:
        sheet = workbook.worksheets[0]
        rows = _non_empty(enumerate(sheet.iter_rows(values_only=True), 1))
        return _fill_merged_down(rows, _merged_ranges(sheet))
    finally:
        workbook.close()


def _merged_ranges(sheet) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of each cell merged over several rows.

    A read-only sheet does not parse its merged cells, so they are read from the sheet's XML
    (openpyxl 3.1 keeps the part's path in `_worksheet_path`); its size was checked unzipped.
    """
    from openpyxl.utils import column_index_from_string

    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        xml = source.read()
    ranges = []
    for first_column, first_row, _last_column, last_row in _MERGED_RANGE.findall(xml):
        if int(last_row) > int(first_row):
            ranges.append((column_index_from_string(first_column.decode()), int(first_row), int(last_row)))
    return ranges


def _fill_merged_down(rows: list[SheetRow], ranges: list[tuple[int, int, int]]) -> list[SheetRow]:
    """Each row under a cell merged down over it gets that cell's value in its first column, as
    a person reads it. Only rows with text of their own are kept, as before; a merge across
    columns fills nothing (a name merged over two columns would name both)."""
    if not ranges:
        return rows
    by_number = {row.number: position for position, row in enumerate(rows)}
    for column, first_row, last_row in ranges:
        top = by_number.get(first_row)
        if top is None or column > len(rows[top].cells):
            continue
        value = rows[top].cells[column - 1]
        for number in range(first_row + 1, last_row + 1):
            if number in by_number:
                position = by_number[number]
                rows[position] = _with_cell(rows[position], column - 1, value, first_row)
    return rows


def _with_cell(row: SheetRow, position: int, value: Cell, merged_from: int) -> SheetRow:
    cells = list(row.cells) + [None] * (position + 1 - len(row.cells))
    cells[position] = value
    earliest = min(merged_from, row.merged_from or merged_from)
    return SheetRow(row.number, tuple(cells), earliest)


def _check_archive(data: bytes) -> None:
    """Refuse zip bombs before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SpreadsheetError(error(N_("The XLSX file is damaged or is not a spreadsheet."))) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(error(N_("The XLSX file is too large once unpacked.")))


def _too_many_rows() -> SpreadsheetError:
    message = N_("The file has more than %(limit)d rows; split it.")
    return SpreadsheetError(error(message, limit=MAX_DATA_ROWS))


def cell_text(value: Cell) -> str:
    """A cell as trimmed NFC text; whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def is_number(value: Cell) -> bool:
    """True for a numeric spreadsheet cell, which has lost any leading zero."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def header_key(text: str) -> str:
    """"Số điện thoại", "SO DIEN THOAI" and "so_dien_thoai" all become "sodienthoai"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]", "", bare)


def find_columns(rows: list[SheetRow], aliases: Mapping[str, Iterable[str]],
                 required: Iterable[str], shown: Mapping[str, str]) -> Columns:
    """The header among the first few rows, and the field map: the first row that names every
    required column, or two adjacent rows that do so read together (a row of group labels
    above the names, or names standing in the upper row beside the group's sub-columns)."""
    keys = {header_key(alias): name for name, names in aliases.items() for alias in names}
    required = set(required)
    candidates = rows[:HEADER_SEARCH_ROWS]
    for position, row in enumerate(candidates):
        below = candidates[position + 1] if position + 1 < len(candidates) else None
        if below is not None and below.number != row.number + 1:
            below = None  # a blank row between: not one header
        found = _naming(keys, required, [row])
        if found is not None:
            both = _naming(keys, required, [row, below]) if below and _names_only(keys, below) else None
            if both is not None:  # the row below names sub-columns of groups in this one
                return _columns(row.merged_from or row.number, below.number, both)
            return _columns(row.merged_from or row.number, row.number, found)
        if below is None or _naming(keys, required, [below]):
            continue  # the row below, alone, is the header: the next turn takes it
        found = _naming(keys, required, [row, below])
        if found is not None:
            return _columns(row.merged_from or row.number, below.number, found)
    missing = ", ".join(shown[name] for name in shown if name in required)
    first, last = (candidates[0].number, candidates[-1].number) if candidates else (1, 1)
    raise SpreadsheetError(error(N_(
        "No header row found: rows %(first)d to %(last)d were searched for the columns "
        "%(columns)s. Write these column names in one row above the data, as in the template; "
        "a title above them, or a group label merged over them, is fine."
    ), columns=missing, first=first, last=last))


def _names_only(keys: Mapping[str, str], row: SheetRow) -> bool:
    """True when every text in the row is a column name we know: a header's second row, since
    a data row always holds a name or a code that is none."""
    texts = [cell_text(c) for c in row.cells if cell_text(c)]
    return bool(texts) and all(header_key(text) in keys for text in texts)


def _naming(keys: Mapping[str, str], required: set[str],
            header: list[SheetRow]) -> list[tuple[str | None, str, int]] | None:
    """(field or None, header text, position) of each titled column, if every required field is
    named; of two rows, the lower one's text wins and the upper one's fills its blanks."""
    texts: dict[int, str] = {}
    for row in header:
        texts.update((i, text) for i, text in enumerate(map(cell_text, row.cells)) if text)
    found = [(keys.get(header_key(text)), text, i) for i, text in sorted(texts.items())]
    return found if required <= {name for name, _, _ in found if name} else None


def _columns(first_row: int, header_row: int, found: list[tuple[str | None, str, int]]) -> Columns:
    index: dict[str, int] = {}
    titles: dict[str, str] = {}
    ignored = []
    for name, title, position in found:
        if name is None:
            ignored.append(title)
        elif name in index:
            raise SpreadsheetError(error(
                N_('Two columns mean the same thing: "%(first)s" and "%(second)s". Keep one.'),
                first=titles[name], second=title,
            ))
        else:
            index[name], titles[name] = position, title
    named = tuple(titles[name] for name in sorted(index, key=index.get))
    return Columns(header_row, index, tuple(ignored), first_row, named)


def header_note(columns: Columns) -> Issue:
    """Which rows the header was read from, and why, for the import report."""
    first, last = columns.header_rows
    found = ", ".join(columns.found)
    if first == last:
        return warning(N_("Row %(row)d was used as the header: it is the first row naming the "
                          "required columns (found: %(columns)s)."), row=last, columns=found)
    return warning(N_("Rows %(first)d–%(last)d were used together as the header, as they hold "
                      "merged cells or a row of group labels above the column names (found: "
                      "%(columns)s)."), first=first, last=last, columns=found)


def field_values(row: SheetRow, columns: Columns) -> dict[str, Cell]:
    """The row's raw cells by field name ("" for a cell past the row's end)."""
    return {
        name: row.cells[position] if position < len(row.cells) else ""
        for name, position in columns.index.items()
    }


def neutralise(value: str) -> str:
    """A cell a spreadsheet program would run as a formula is prefixed with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def workbook_bytes(sheets: list[tuple[str, list[list[str]]]]) -> bytes:
    """An XLSX file with these sheets (title, rows); the first row of each is bold.

    Every cell is written as text, neutralised against formulas. The first sheet's columns are
    formatted as text for 1,000 rows, so that a phone number or a unit code typed there keeps
    its leading 0.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for position, (title, rows) in enumerate(sheets):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([neutralise(str(value)) for value in row])
        for cell in sheet[1] if rows else ():
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 12), 60)
        if position == 0 and rows:
            for row in sheet.iter_rows(min_row=2, max_row=1000, max_col=len(rows[0])):
                for cell in row:
                    cell.number_format = "@"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
