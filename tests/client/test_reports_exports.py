"""Exports equal the screen: same lines, same numbers, same rate text; formulas neutralised; audited."""

import csv
import io
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from app.accounts.models import Unit, UnitLevel
from app.audit.models import AuditEvent
from app.extensions import db
from app.progress.models import Intake
from app.reports.report_table import format_count
from tests import builders
from tests.client.test_reports import Learner, add_learner, build_world, screen_tables

BASE = "/admin/reports/courses/khoa-mau"
HOSTILE_NAME = '=HYPERLINK("http://x.invalid","Bấm vào đây")'


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def admin(client, auth, make_user):
    make_user(role="admin", username="quantri")
    auth.login("quantri")


def csv_lines(client, **args) -> list[list[str]]:
    response = client.get(f"{BASE}/funnel.csv", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def xlsx_lines(client, **args) -> list[list]:
    response = client.get(f"{BASE}/funnel.xlsx", query_string=args)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [[value for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]


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


def as_screen_text(value) -> str:
    return format_count(value) if isinstance(value, int) else str(value)


@pytest.mark.parametrize("args", [{}, {"intake": "dot-1"}, {"unit": "LC"}, {"unit": "LC-TP"},
                                  {"unit": "LC", "on": "2025-06-30"}])
def test_csv_and_xlsx_hold_exactly_the_tables_on_the_screen(client, world, admin, args):
    screen = screen_tables(client.get(BASE, query_string=args).get_data(as_text=True))
    from_csv = tables_of(csv_lines(client, **args))
    from_xlsx = tables_of(xlsx_lines(client, **args))
    assert from_csv == screen
    assert [[[as_screen_text(v) for v in row] for row in table] for table in from_xlsx] == screen
    counts = [v for table in from_xlsx for row in table[1:] for v in row[1:6] if isinstance(v, int)]
    assert counts, "counts are numbers in the XLSX"


def test_the_title_lines_say_what_the_report_covers(client, world, admin):
    lines = csv_lines(client, intake="dot-1", unit="LC", on="2025-06-30")
    assert lines[:4] == [["Khóa học", "Khóa học mẫu về chuyển đổi số"], ["Đợt", "Đợt 1 năm 2025"],
                         ["Đơn vị", "Tỉnh Lào Cai"], ["Tính theo đơn vị hành chính tại ngày", "30/06/2025"]]


def test_rate_text_is_identical_in_both_files(client, world, admin):
    csv_rates = [row[6] for row in tables_of(csv_lines(client, intake="dot-1"))[0][1:]]
    xlsx_rates = [row[6] for row in tables_of(xlsx_lines(client, intake="dot-1"))[0][1:]]
    assert csv_rates == xlsx_rates == ["1/1 — 100,0%", "3/6 — 50,0%", "4/7 — 57,1%"]


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
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == HOSTILE_NAME]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert b"<f>" not in _sheet_xml(response.data)
    screen = client.get(BASE, query_string={"unit": "LC-X"}).get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://x.invalid&#34;" in screen or "=HYPERLINK(&quot;" in screen


def _sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_exports_are_audited(client, world, admin):
    csv_lines(client, unit="LC")
    xlsx_lines(client)
    events = db.session.scalars(sa.select(AuditEvent).filter_by(event="report.exported")).all()
    assert [(e.actor_name, e.details["format"], e.details["unit"]) for e in events] == [
        ("quantri", "csv", "LC"), ("quantri", "xlsx", "")]
