"""CSV and XLSX exports: the screen's lines, Vietnamese intact, formulas neutralised (case 43);
the XLSX typed for sorting and charting (issue 14 item 16)."""

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from app.reports.exports import (
    FORMULA_TRIGGERS,
    XlsxLabels,
    neutralize,
    report_csv,
    report_xlsx,
    sheet_name,
)
from app.reports.funnel import StageCounts
from app.reports.report_table import Cell, ReportTable, Section, TableRow

HOSTILE = ["=HYPERLINK(\"http://x.invalid\",\"bấm\")", "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]
LABELS = XlsxLabels(about_sheet="Thông tin báo cáo", unit_code="Mã đơn vị")
FACTS = [("Báo cáo", "Kết quả học tập: Chuyển đổi số"), ("Đơn vị tính đến ngày", date(2025, 6, 30)),
         ("Thời điểm xuất", datetime(2025, 7, 1, 9, 30)), ("Người xuất", "Quản trị (quantri)")]
COUNTS = StageCounts(target=409, completed=375, score_total=875, scored=10)


def table(names: list[str]) -> ReportTable:
    rows = tuple(TableRow((Cell.of(name), Cell.count(1234), Cell.rate(COUNTS),
                           Cell.score(COUNTS.average_score)), unit_code=f"X-{n}")
                 for n, name in enumerate(names))
    total = TableRow((Cell.of("Tổng"), Cell.count(1234 * len(names)), Cell.rate(StageCounts()),
                      Cell.score(None)), is_total=True)
    section = Section("Phễu theo đơn vị", ("Đơn vị", "Mục tiêu", "Tỷ lệ hoàn thành", "Điểm trung bình"),
                      (*rows, total), unit_column=0)
    return ReportTable((("Khóa học", "Chuyển đổi số"), ("Đợt", "Đợt 1")), (section,))


def csv_rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def xlsx_workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_sheet(data: bytes):
    return xlsx_workbook(data).active


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_triggers_get_a_leading_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["Xã Tả Van", "375/409 — 91,7%", "—", "", "a=b", "91,7%"])
def test_ordinary_text_is_left_alone(text):
    assert neutralize(text) == text


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_has_a_bom_and_the_same_lines_with_plain_counts(separator):
    rows = csv_rows(report_csv(table(["Xã Tả Van"]), separator), delimiter=separator)
    assert rows == [
        ["Khóa học", "Chuyển đổi số"], ["Đợt", "Đợt 1"], [], ["Phễu theo đơn vị"],
        ["Đơn vị", "Mục tiêu", "Tỷ lệ hoàn thành", "Điểm trung bình"],
        ["Xã Tả Van", "1234", "375/409 — 91,7%", "87,5"], ["Tổng", "1234", "—", "—"],
    ]


def test_csv_refuses_a_separator_it_does_not_offer():
    with pytest.raises(ValueError):
        report_csv(table(["Xã Tả Van"]), "|")


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_neutralises_every_hostile_cell(separator):
    rows = csv_rows(report_csv(table(HOSTILE), separator), delimiter=separator)[5:-1]
    assert [row[0] for row in rows] == ["'" + text for text in HOSTILE]


def test_xlsx_writes_counts_rates_and_scores_as_numbers_with_vietnamese_readable_formats():
    sheet = xlsx_sheet(report_xlsx(table(["Xã Tả Van"]), FACTS, LABELS))
    assert sheet.title == "Phễu theo đơn vị"
    assert [c.value for c in sheet[1]] == ["Đơn vị", "Mã đơn vị", "Mục tiêu", "Tỷ lệ hoàn thành",
                                           "Điểm trung bình"]
    name, code, target, rate, score = sheet[2]
    assert (name.value, code.value) == ("Xã Tả Van", "X-0") and code.data_type == "s"
    assert (target.value, target.data_type, target.number_format) == (1234, "n", "#,##0")
    assert rate.value == pytest.approx(375 / 409) and rate.number_format == "0.0%"
    assert score.value == pytest.approx(87.5) and score.number_format == "0.0"
    assert rate.data_type == score.data_type == "n"


def test_xlsx_freezes_the_header_and_filters_the_unit_rows_but_not_the_total():
    sheet = xlsx_sheet(report_xlsx(table(["Xã A", "Xã B", "Xã C"]), FACTS, LABELS))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"  # the header and three units; the total below it
    assert [c.value for c in sheet[5]] == ["Tổng", None, 3702, None, None]  # no rate: empty, not "—"


def test_xlsx_puts_what_the_report_covers_on_its_own_sheet_with_real_dates():
    workbook = xlsx_workbook(report_xlsx(table(["Xã Tả Van"]), FACTS, LABELS))
    assert workbook.sheetnames == ["Phễu theo đơn vị", "Thông tin báo cáo"]
    about = workbook["Thông tin báo cáo"]
    # Excel holds a date as that day at 0:00.
    assert [row for row in about.iter_rows(values_only=True)] == [
        FACTS[0], ("Đơn vị tính đến ngày", datetime(2025, 6, 30)), *FACTS[2:]]
    assert about["B2"].is_date and about["B2"].number_format == "dd/mm/yyyy"
    assert about["B3"].is_date and about["B3"].number_format == "dd/mm/yyyy hh:mm"
    assert "Khóa học" not in [c.value for c in workbook.active["A"]]  # no title lines above the table


def test_xlsx_gives_each_table_its_sheet_with_the_unit_code_after_the_unit_column():
    learners = Section("Học viên", ("STT", "Họ và tên", "Tên đăng nhập", "Đơn vị", "Điểm"), (
        TableRow((Cell.count(1), Cell.of("Lê Thị Ánh"), Cell.of("hv-anh"), Cell.of("Xã Tả Van"),
                  Cell.count(90)), unit_code="LC-TV", username="hv-anh"),
    ), unit_column=3)
    report = ReportTable((), (*table(["Xã Tả Van"]).sections, learners))
    workbook = xlsx_workbook(report_xlsx(report, FACTS, LABELS))
    sheet = workbook["Học viên"]
    assert [c.value for c in sheet[1]] == ["STT", "Họ và tên", "Tên đăng nhập", "Đơn vị", "Mã đơn vị", "Điểm"]
    assert [c.value for c in sheet[2]] == [1, "Lê Thị Ánh", "hv-anh", "Xã Tả Van", "LC-TV", 90]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F2"


@pytest.mark.parametrize("text, name", [("Báo cáo", "Báo cáo"), ("A/B: [1]?*", "A-B- -1---"),
                                        ("x" * 40, "x" * 31)])
def test_sheet_names_are_ones_excel_accepts(text, name):
    assert sheet_name(text) == name


def test_xlsx_writes_hostile_cells_as_quoted_text_never_as_formulas():
    data = report_xlsx(table(HOSTILE), FACTS, LABELS)
    sheet = xlsx_sheet(data)
    for row, text in enumerate(HOSTILE, 2):
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


@pytest.mark.parametrize("separator", [",", ";"])
def test_issue10_5_no_piece_after_any_separator_starts_a_formula(separator):
    """Issue 10 item 5: `Xã An;=cmd|' /C calc'!A0` was exported unquoted and ran under `;`."""
    data = report_csv(table(SEPARATED + HOSTILE), separator)
    formulas = [piece for piece in pieces_a_spreadsheet_might_read(data)
                if piece.lstrip(' "').startswith(FORMULA_TRIGGERS)]
    assert formulas == []
    expected = '"Xã An;' + "'=cmd|' /C calc'!A0" + '"'
    assert expected.encode() in data  # quoted, and an apostrophe is all that was added
