"""CSV and XLSX exports: the screen's lines, Vietnamese intact, formulas neutralised (case 43)."""

import csv
import io
import zipfile

import openpyxl
import pytest

from app.reports.exports import FORMULA_TRIGGERS, neutralize, report_csv, report_xlsx
from app.reports.report_table import Cell, ReportTable, Section, TableRow

HOSTILE = ["=HYPERLINK(\"http://x.invalid\",\"bấm\")", "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]


def table(names: list[str]) -> ReportTable:
    rows = tuple(TableRow((Cell.of(name), Cell.count(1234), Cell.of("375/409 — 91,7%"))) for name in names)
    section = Section("Phễu theo đơn vị", ("Đơn vị", "Mục tiêu", "Tỷ lệ hoàn thành"), rows)
    return ReportTable((("Khóa học", "Chuyển đổi số"), ("Đợt", "Đợt 1")), (section,))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_triggers_get_a_leading_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["Xã Tả Van", "375/409 — 91,7%", "—", "", "a=b", "91,7%"])
def test_ordinary_text_is_left_alone(text):
    assert neutralize(text) == text


def test_csv_has_a_bom_and_the_same_lines_with_plain_counts():
    rows = csv_rows(report_csv(table(["Xã Tả Van"])))
    assert rows == [
        ["Khóa học", "Chuyển đổi số"], ["Đợt", "Đợt 1"], [], ["Phễu theo đơn vị"],
        ["Đơn vị", "Mục tiêu", "Tỷ lệ hoàn thành"], ["Xã Tả Van", "1234", "375/409 — 91,7%"],
    ]


def test_csv_neutralises_every_hostile_cell():
    rows = csv_rows(report_csv(table(HOSTILE)))[5:]
    assert [row[0] for row in rows] == ["'" + text for text in HOSTILE]


def test_xlsx_holds_the_same_lines_with_numbers_as_numbers():
    sheet = xlsx_sheet(report_xlsx(table(["Xã Tả Van"]), "Báo cáo"))
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Khóa học", "Chuyển đổi số")
    assert values[5][:3] == ("Xã Tả Van", 1234, "375/409 — 91,7%")
    assert sheet.title == "Báo cáo" and sheet.cell(6, 2).number_format == "#,##0"


def test_xlsx_writes_hostile_cells_as_quoted_text_never_as_formulas():
    data = report_xlsx(table(HOSTILE), "Báo cáo")
    sheet = xlsx_sheet(data)
    for row, text in enumerate(HOSTILE, 6):
        cell = sheet.cell(row, 1)
        # Python's XML parser turns a carriage return into a line feed, lxml keeps it (openpyxl
        # uses lxml when it is installed); the cell is text either way.
        assert cell.value in (text, text.replace("\r", "\n"))
        assert cell.data_type == "s" and cell.quotePrefix
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml


EXCEL_SEPARATORS = (",", ";", "\t", "|")
SEPARATED = ["Xã An;=cmd|' /C calc'!A0", "Xã B,+1", "Xã C\t@SUM(A1)", "Xã D|-2+3", "Xã E; \"=1+1"]


def pieces_a_spreadsheet_might_read(data: bytes) -> list[str]:
    """Every field of every line, split on each separator Excel may use, quoted or naively."""
    text = data.decode("utf-8-sig")
    pieces = []
    for separator in EXCEL_SEPARATORS:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            pieces += row
        for line in text.split("\r\n"):
            pieces += line.split(separator)
    return pieces


def test_issue10_5_no_piece_after_any_separator_starts_a_formula():
    """Issue 10 item 5: `Xã An;=cmd|' /C calc'!A0` was exported unquoted and ran under `;`."""
    data = report_csv(table(SEPARATED + HOSTILE))
    formulas = [piece for piece in pieces_a_spreadsheet_might_read(data)
                if piece.lstrip(' "').startswith(FORMULA_TRIGGERS)]
    assert formulas == []
    expected = '"Xã An;' + "'=cmd|' /C calc'!A0" + '"'
    assert expected.encode() in data  # quoted, and an apostrophe is all that was added
