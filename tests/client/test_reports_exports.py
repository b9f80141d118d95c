"""Exports equal the screen: the CSV the same lines and rate text, the XLSX the same numbers as
numbers (issue 14 item 16); formulas neutralised; audited."""

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.intakes.models import Intake
from app.reports.report_table import format_count, format_score
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.client.test_reports import Learner, add_learner, build_world, screen_tables

RATE_HEADER = "Tỷ lệ hoàn thành (trên số đã ghi danh)"
BASE = "/admin/reports/courses/khoa-mau"
HOSTILE_NAME = '=HYPERLINK("http://x.invalid","Bấm vào đây")'


@pytest.fixture
def world(app):
    return build_world()


def csv_lines(client, separator: str = ",", **args) -> list[list[str]]:
    if separator == ";":
        args["separator"] = "semicolon"
    response = client.get(f"{BASE}/funnel.csv", query_string=args)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def xlsx_workbook(client, **args):
    response = client.get(f"{BASE}/funnel.xlsx", query_string=args)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def xlsx_tables(client, **args) -> list[list[list]]:
    """Each table sheet's rows (every sheet but the last, which says what the report covers)."""
    workbook = xlsx_workbook(client, **args)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets[:-1]]


def without_unit_codes(table: list[list]) -> list[list]:
    code = table[0].index("Mã đơn vị")
    return [row[:code] + row[code + 1:] for row in table]


def tables_of(lines: list[list]) -> list[list[list]]:
    """The tables in an export: each caption line is followed by a header and rows up to a blank line."""
    tables, current, in_table = [], None, False
    for line in lines:
        if not line:
            in_table, current = False, None
        elif not in_table and len(line) == 1:
            in_table, current = True, []
            tables.append(current)
        elif in_table:
            current.append(line)
    return tables


def as_screen_text(value, header: str) -> str:
    """An XLSX value as the screen writes it; a rate as the percentage ending the screen's text."""
    if value is None:
        return "—"
    if header == RATE_HEADER:
        return f"{value * 100:.1f}%".replace(".", ",")
    if header == "Điểm trung bình":
        return format_score(value)
    return format_count(value) if isinstance(value, int) else str(value)


def rate_as_percent(row: list[str], headers: list[str]) -> list[str]:
    """"3/6 — 50,0%" -> "50,0%": the XLSX holds the rate; the counts are in their own columns."""
    rate = headers.index(RATE_HEADER)
    return [text.split(" — ")[-1] if i == rate else text for i, text in enumerate(row)]


@pytest.mark.parametrize("args", [{}, {"intake": "dot-1"}, {"unit": "LC"}, {"unit": "LC-TP"},
                                  {"unit": "LC", "on": "2025-06-30"}])
def test_csv_and_xlsx_hold_exactly_the_tables_on_the_screen(client, world, admin, args):
    screen = screen_tables(client.get(BASE, query_string=args).get_data(as_text=True))
    assert tables_of(csv_lines(client, **args)) == screen
    assert tables_of(csv_lines(client, ";", **args)) == screen
    from_xlsx = [without_unit_codes(table) for table in xlsx_tables(client, **args)]
    assert len(from_xlsx) == len(screen)
    for table, shown in zip(from_xlsx, screen, strict=True):
        headers = table[0]
        assert headers == shown[0]
        expected = [rate_as_percent(row, headers) if RATE_HEADER in headers else row
                    for row in shown[1:]]
        assert [[as_screen_text(v, h) for v, h in zip(row, headers, strict=True)]
                for row in table[1:]] == expected
    counts = [v for table in from_xlsx for row in table[1:] for v in row[1:6] if isinstance(v, int)]
    assert counts, "counts are numbers in the XLSX"


def test_the_title_lines_say_what_the_report_covers(client, world, admin):
    lines = csv_lines(client, intake="dot-1", unit="LC", on="2025-06-30")
    assert lines[:4] == [["Khóa học", "Khóa học mẫu về chuyển đổi số"], ["Đợt", "Đợt 1 năm 2025"],
                         ["Đơn vị", "Tỉnh Lào Cai"], ["Tính theo đơn vị hành chính tại ngày", "30/06/2025"]]


def test_the_xlsx_says_what_it_covers_on_its_own_sheet(client, world, admin):
    workbook = xlsx_workbook(client, intake="dot-1", unit="LC", on="2025-06-30")
    assert workbook.sheetnames == ["Kết quả theo đơn vị", "Thông tin báo cáo"]
    facts = dict(workbook["Thông tin báo cáo"].iter_rows(values_only=True))
    assert facts["Báo cáo"] == "Kết quả học tập: Khóa học mẫu về chuyển đổi số"
    assert (facts["Đợt"], facts["Đơn vị"]) == ("Đợt 1 năm 2025", "Tỉnh Lào Cai")
    assert facts["Tính theo đơn vị hành chính tại ngày"] == datetime(2025, 6, 30)
    assert isinstance(facts["Thời điểm xuất"], datetime)
    assert abs(facts["Thời điểm xuất"].date() - date.today()).days <= 1
    assert facts["Người xuất"].endswith("(quantri)")
    dates = workbook["Thông tin báo cáo"]["B5"], workbook["Thông tin báo cáo"]["B6"]
    assert [cell.number_format for cell in dates] == ["dd/mm/yyyy", "dd/mm/yyyy hh:mm"]


def test_the_xlsx_tables_sort_and_filter(client, world, admin):
    workbook = xlsx_workbook(client, intake="dot-1", unit="LC-TV")
    for sheet in workbook.worksheets[:-1]:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    learners = workbook["Học viên"]
    headers = [cell.value for cell in learners[1]]
    assert headers[3:5] == ["Đơn vị", "Mã đơn vị"]
    assert {row[4] for row in learners.iter_rows(min_row=2, values_only=True)} == {"LC-TV"}
    assert learners.auto_filter.ref == f"A1:{learners.cell(1, len(headers)).column_letter}{learners.max_row}"


def test_rates_and_scores_are_numbers_in_the_xlsx_and_text_in_the_csv(client, world, admin):
    csv_rates = [row[6] for row in tables_of(csv_lines(client, intake="dot-1"))[0][1:]]
    assert csv_rates == ["1/1 — 100,0%", "3/6 — 50,0%", "4/7 — 57,1%"]
    sheet = xlsx_workbook(client, intake="dot-1").active
    headers = [cell.value for cell in sheet[1]]
    rates = [row[headers.index(RATE_HEADER)] for row in sheet.iter_rows(min_row=2)]
    scores = [row[headers.index("Điểm trung bình")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in rates] == pytest.approx([1.0, 0.5, 4 / 7])
    assert {cell.number_format for cell in rates} == {"0.0%"}
    assert [cell.value for cell in scores] == pytest.approx([100.0, 80.0, 85.0])
    assert {cell.number_format for cell in scores} == {"0.0"}
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == ["AG", "LC", None]  # the total has none


def test_the_funnel_page_offers_both_csv_separators_and_says_which_to_take(client, world, admin):
    page = client.get(BASE).get_data(as_text=True)
    assert f"{BASE}/funnel.csv?separator=semicolon" in page and f'"{BASE}/funnel.csv"' in page
    assert "dấu chấm phẩy" in page


def test_formula_like_names_are_neutralised_in_both_files(client, world, admin):
    hostile_unit = Unit(code="LC-X", name="+Xã Thử", level=UnitLevel.COMMUNE, parent=world["LC"])
    db.session.add(hostile_unit)
    db.session.flush()
    intake = db.session.scalar(sa.select(Intake).filter_by(code="dot-1"))
    add_learner(Learner("hostile", HOSTILE_NAME, "LC-X"), hostile_unit, intake, builders.course())
    db.session.commit()
    province_csv = csv_lines(client, unit="LC")
    assert ["'+Xã Thử"] == [row[0] for row in province_csv if row and "Thử" in row[0]]
    commune_csv = csv_lines(client, unit="LC-X")
    assert any(row[1:2] == ["'" + HOSTILE_NAME] for row in commune_csv)
    response = client.get(f"{BASE}/funnel.xlsx", query_string={"unit": "LC-X"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
             if cell.value == HOSTILE_NAME]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert all(b"<f>" not in xml for xml in _sheet_xmls(response.data))
    screen = client.get(BASE, query_string={"unit": "LC-X"}).get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://x.invalid&#34;" in screen or "=HYPERLINK(&quot;" in screen


def _sheet_xmls(data: bytes) -> list[bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]


def test_exports_are_audited(client, world, admin):
    csv_lines(client, unit="LC")
    xlsx_workbook(client)
    events = db.session.scalars(sa.select(AuditEvent).filter_by(event="report.exported")).all()
    assert [(e.actor_name, e.details["format"], e.details["unit"]) for e in events] == [
        ("quantri", "csv", "LC"), ("quantri", "xlsx", "")]
