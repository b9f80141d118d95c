"""Reading the spreadsheets people actually send, and writing safe ones. Pure: no Flask, no database.

A file is recognised by its content, never by its name: XLSX is a zip archive; anything else is
read as CSV (comma, semicolon or tab separated) in UTF-8 with or without a BOM, UTF-16 with a BOM
(Excel's "Unicode text") or Windows-1258 (Vietnamese Windows). Every cell comes back as NFC text
with its row number as the spreadsheet shows it.
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

from app.enrolment.row_report import N_, Issue, error

MAX_DATA_ROWS = 20_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX of 20,000 short rows is a few MB
HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the column names
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_DELIMITERS = (",", ";", "\t")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


@dataclass(frozen=True)
class Columns:
    """Where the header is and which column holds which field."""

    header_row: int
    index: Mapping[str, int]  # field -> column position
    ignored: tuple[str, ...]  # headers that name no field we know


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
        return _non_empty(enumerate(sheet.iter_rows(values_only=True), 1))
    finally:
        workbook.close()


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
    """The first row (of the first few) that names every required column, and the field map."""
    keys = {header_key(alias): name for name, names in aliases.items() for alias in names}
    required = list(required)
    for row in rows[:HEADER_SEARCH_ROWS]:
        texts = [cell_text(c) for c in row.cells]
        found = [(keys.get(header_key(t)), t, i) for i, t in enumerate(texts) if t]
        fields = [name for name, _, _ in found if name]
        if all(name in fields for name in required):
            return _columns(row.number, found)
    missing = ", ".join(shown[name] for name in required)
    raise SpreadsheetError(error(N_(
        "No header row names the required columns (%(columns)s). "
        "Put the column names in the first row, as in the template."
    ), columns=missing))


def _columns(header_row: int, found: list[tuple[str | None, str, int]]) -> Columns:
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
    return Columns(header_row, index, tuple(ignored))


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
