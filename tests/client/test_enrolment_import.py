"""Learner imports: per-row reports, nothing written unless every row is good, login slips."""

import io
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.accounts.models import User
from app.accounts.passwords import check_password
from app.audit.models import AuditEvent
from app.database import utcnow
from app.enrolment import learner_import
from app.enrolment.services import create_intake
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import BatchJob, JobState
from app.progress.models import Enrolment
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.conftest import PASSWORD, row_count
from tests.pdf.poppler import pdf_pages, pdf_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
GOOD_NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Hoa"]


@pytest.fixture
def units(commune):
    """T99-X01 Xã Hòa Bình (conftest), T99-X02 Xã Tân Lập, T99-X03 Xã Cũ merged into T99-X02."""
    province = commune.parent
    tan_lap = Unit(code="T99-X02", name="Xã Tân Lập", level=UnitLevel.COMMUNE, parent=province)
    old = Unit(code="T99-X03", name="Xã Cũ", level=UnitLevel.COMMUNE, parent=province,
               valid_until=date(2025, 7, 1), successor=tan_lap)
    db.session.add_all([tan_lap, old])
    db.session.commit()
    return {"x01": commune, "x02": tan_lap, "x03": old}


@pytest.fixture
def admin_locale():
    return "en"  # the assertions read the English pages


@pytest.fixture
def admin(admin, units):
    """conftest's admin, with the units her imports name."""
    return admin


def plan_file(name: str):
    rows, report = learner_import.read_learner_file((FIXTURES / name).read_bytes())
    return learner_import.plan_learner_import(rows, report.ignored_columns) if rows else None, report


def learners() -> list[User]:
    return list(db.session.scalars(sa.select(User).filter_by(role="learner").order_by(User.id)))


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, data: bytes, name: str = "danh-sach.csv", intake: int = 0):
    return client.post("/admin/imports/learners", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "intake": str(intake)})


def confirm_payload(page: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def confirm(client, payload: str):
    """Confirm an import: the accounts are made, then the slips job runs; its page, after the job."""
    response = client.post("/admin/imports/learners/confirm", data={"payload": payload})
    if response.status_code != 302:
        return response
    jobs.wait_for_local_jobs()
    return client.get(response.headers["Location"])


def download_slips(client, page) -> bytes:
    action = re.search(r'action="([^"]+/download)"', page.get_data(as_text=True)).group(1)
    response = client.post(action)
    assert response.mimetype == "application/pdf", response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def printed_credentials(pdf: bytes) -> dict[str, str]:
    """Username -> the password printed on the same slip. Read in the order the slips were drawn
    (pdftotext -raw), so where the columns fall on the page does not matter."""
    pairs = re.findall(r"Tên đăng nhập: (\S+)\s+Mật khẩu: (\S+)", pdf_text(pdf, raw=True))
    assert len(pairs) == len(dict(pairs)), "a username printed on two slips"
    return dict(pairs)


def slip_password(pdf: bytes, username: str) -> str:
    return printed_credentials(pdf)[username]


@pytest.mark.parametrize("name", ["learners.csv", "learners_bom.csv", "learners_utf16.txt",
                                  "learners_cp1258.csv"])
def test_every_encoding_plans_the_same_clean_import(app, units, name):
    plan, _ = plan_file(name)
    assert plan.report.ok, plan.report.english_lines()
    assert [r.values["full_name"] for r in plan.report.rows] == GOOD_NAMES
    assert [plan.units[r.row].code for r in plan.report.rows] == ["T99-X01", "T99-X02", "T99-X01"]
    assert [r.values["username"] for r in plan.report.rows] == ["nguyenthihongnhung", "tranvanduc", "hoa.le"]


def test_every_class_of_bad_row_is_reported_with_its_row_number(app, units):
    plan, _ = plan_file("learners_bad_rows.csv")
    by_row = {r.row: " ".join(i.english() for i in r.issues) for r in plan.report.rows}
    expected = {2: "full name is missing", 3: 'No unit has the code or name "T99-X99"',
                4: "not a Vietnamese mobile number", 5: "email address", 6: "username",
                8: "0911000006 is already on row 7", 9: "was merged into Xã Tân Lập (T99-X02)",
                10: "invisible", 11: "Same name and unit as row 7", 12: "unit is missing",
                14: "ngo.dung is already on row 13"}
    for row, fragment in expected.items():
        assert fragment in by_row[row], (row, by_row[row])
    assert {r.row for r in plan.report.error_rows} == set(expected)
    assert not plan.report.ok


def test_a_bad_file_uploaded_writes_nothing_and_offers_no_confirm(client, admin):
    response = upload(client, (FIXTURES / "learners_bad_rows.csv").read_bytes())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported" in page
    assert 'name="payload"' not in page
    assert "<td>14</td>" in page and "ngo.dung is already on row 13" in page
    assert learners() == [] and row_count(Enrolment) == 0


def test_wrong_columns_are_a_file_error(client, admin):
    page = upload(client, (FIXTURES / "learners_wrong_columns.csv").read_bytes()).get_data(as_text=True)
    assert "No header row found: rows 1 to 2 were searched for the columns Họ và tên, Đơn vị." in page
    assert 'name="payload"' not in page


def merged_header_xlsx(learner_rows: list[list]) -> bytes:
    """A commune's list: a title, a group label merged over the names, "STT" merged down."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [["DANH SÁCH HỌC VIÊN XÃ HÒA BÌNH"], ["STT", "Thông tin học viên", None, "Liên hệ"],
                [None, "Họ và tên", "Đơn vị", "Số điện thoại"], *learner_rows]:
        sheet.append(row)
    for cells in ("A1:D1", "A2:A3", "B2:C2"):
        sheet.merge_cells(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_issue14_17_a_merged_two_row_header_is_read_and_the_report_says_so(client, admin):
    data = merged_header_xlsx([[1, "Lê Thị Hoa", "T99-X01", "0912345678"],
                               [2, "Trần Văn Đức", "T99-X02", None]])
    page = upload(client, data, "danh-sach.xlsx").get_data(as_text=True)
    assert "Rows 2–3 were used together as the header" in page
    assert "found: Họ và tên, Đơn vị, Số điện thoại" in page
    assert "<td>4</td>" in page and "<td>5</td>" in page and 'name="payload"' in page
    assert "Columns ignored: STT" in page


def test_issue14_17_row_numbers_below_a_merged_header_stay_the_spreadsheets(client, admin):
    data = merged_header_xlsx([[1, "Lê Thị Hoa", "T99-X01", "0912345678"], [2, None, "T99-X01", None]])
    page = upload(client, data, "danh-sach.xlsx").get_data(as_text=True)
    assert "Nothing was imported" in page
    (bad,) = re.findall(r'<tr class="row-error">(.*?)</tr>', page, re.S)
    assert "<td>5</td>" in bad  # the learner's line in the spreadsheet, below the 3 header rows


def test_issue14_17_a_refused_confirmation_still_says_which_rows_were_the_header(client, admin):
    data = merged_header_xlsx([[1, "Lê Thị Hoa", "T99-X01", "0912345678"]])
    payload = confirm_payload(upload(client, data, "danh-sach.xlsx").get_data(as_text=True))
    confirm(client, payload)
    again = client.post("/admin/imports/learners/confirm", data={"payload": payload})
    assert again.status_code == 409 and "Rows 2–3 were used together" in again.get_data(as_text=True)


def test_issue14_17_the_cli_prints_which_row_was_the_header(app, units, tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(merged_header_xlsx([[1, "Lê Thị Hoa", "T99-X01", "0912345678"]]))
    result = app.test_cli_runner().invoke(args=["users", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("note: Rows 2–3 were used together as the header")
    assert "row     4  OK" in result.output


def test_dry_run_writes_nothing_then_confirm_creates_accounts_and_slips(client, admin, units):
    intake = create_intake(builders.course(), "2025-dot-1", "Đợt 1 năm 2025")
    db.session.commit()
    response = upload(client, (FIXTURES / "learners_cp1258.csv").read_bytes(), intake=intake.id)
    page = response.get_data(as_text=True)
    assert "3 accounts will be created" in page and "nguyenthihongnhung" in page
    assert learners() == [] and row_count(AuditEvent) == 2  # the admin's login, the intake

    slips_page = confirm(client, confirm_payload(page))
    assert "The login slips are ready" in slips_page.get_data(as_text=True)
    pdf = download_slips(client, slips_page)
    created = learners()
    assert [u.full_name for u in created] == GOOD_NAMES
    assert all(u.must_change_password for u in created)
    assert created[0].phone == "0912345678" and created[1].phone == "0987654321"
    assert created[0].position == "Chủ tịch UBND xã" and created[0].email == "nhung@example.vn"
    assert {e.intake_id for e in db.session.scalars(sa.select(Enrolment))} == {intake.id}
    text = pdf_text(pdf)
    for name in [*GOOD_NAMES, "Xã Hòa Bình, Tỉnh Thử Nghiệm", "nguyenthihongnhung", "http://127.0.0.1:5000/login"]:
        assert name in text
    assert pdf_pages(pdf) == 2  # one page per commune
    (event,) = db.session.scalars(sa.select(AuditEvent).filter_by(event="users.imported"))
    assert event.details["created"] == 3 and event.details["intake"] == "khoa-mau:2025-dot-1"
    assert event.actor_name == "quantri" and event.target == "danh-sach.csv"


def test_the_one_time_password_on_the_slip_logs_in_once(client, admin, auth):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    pdf = download_slips(client, confirm(client, confirm_payload(page)))
    password = slip_password(pdf, "hoa.le")
    auth.logout()
    assert auth.login("hoa.le", password).status_code == 302
    assert client.get("/courses").headers["Location"].endswith("/account/password")


def test_confirming_twice_creates_nothing_more(client, admin):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    payload = confirm_payload(page)
    confirm(client, payload)
    again = client.post("/admin/imports/learners/confirm", data={"payload": payload})
    assert again.status_code == 409 and "seems to have an account already" in again.get_data(as_text=True)
    assert len(learners()) == 3
    imports = db.session.scalars(sa.select(AuditEvent).filter_by(event="users.imported"))
    outcomes = [e.outcome for e in imports]
    assert outcomes == ["success", "failure"]


def test_a_tampered_payload_is_refused(client, admin):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    payload = confirm_payload(page)
    # A character of the signature changed for another (the last ones carry padding bits, so
    # replacing them may leave the signature as it was).
    changed = "A" if payload[-10] != "A" else "B"
    tampered = payload[:-10] + changed + payload[-9:]
    response = client.post("/admin/imports/learners/confirm", data={"payload": tampered})
    assert response.status_code == 302 and learners() == []


def test_xlsx_numeric_phone_cells_keep_their_leading_zero(client, admin):
    data = xlsx([["Họ và tên", "Đơn vị", "Số điện thoại"], ["Lê Thị Hoa", "T99-X01", 912345678],
                 ["Trần Văn Đức", "Xã Tân Lập", 987654321.0]])
    page = upload(client, data, "danh-sach.xlsx").get_data(as_text=True)
    client.post("/admin/imports/learners/confirm", data={"payload": confirm_payload(page)})
    assert [u.phone for u in learners()] == ["0912345678", "0987654321"]


def test_duplicates_against_existing_accounts(app, units, make_user):
    make_user(username="nguyenvanan", full_name="Nguyễn Văn An", phone="0911000001")
    make_user(username="nguyenvanan2", full_name="Nguyễn Văn An", phone="0911000002").unit = units["x02"]
    db.session.commit()
    rows = [(2, {"full_name": "Nguyễn Văn An", "unit": "T99-X01", "phone": "0911000003"}),  # namesake
            (3, {"full_name": "Nguyễn Văn An", "unit": "T99-X02"}),  # same person again?
            (4, {"full_name": "Trần Thị Bình", "unit": "T99-X01", "phone": "0911000001"}),
            (5, {"full_name": "Lê Văn Cường", "unit": "T99-X01", "username": "nguyenvanan"})]
    report = learner_import.plan_learner_import(rows).report
    status = {r.row: (r.status, " ".join(i.english() for i in r.issues)) for r in report.rows}
    assert status[2][0] == "warning" and "nguyenvanan" in status[2][1]
    assert status[3][0] == "error" and "seems to have an account already: nguyenvanan2" in status[3][1]
    assert status[4][0] == "error" and "already belongs to the account nguyenvanan" in status[4][1]
    assert status[5][0] == "error" and "is taken" in status[5][1]
    alone = learner_import.plan_learner_import([(2, {"full_name": "Nguyễn  Văn  An", "unit": "T99-X02",
                                                     "phone": "0911000004"})]).report
    assert alone.ok and alone.rows[0].status == "warning"  # another phone: another person, same name


def test_generated_usernames_are_unique(client, admin, make_user):
    make_user(username="nguyenvanan", full_name="Nguyễn Văn An")
    data = "Họ và tên,Đơn vị\nNguyễn Văn An,T99-X02\nNguyễn Văn Ấn,T99-X01\nNGUYỄN VĂN AN,Xã Cũ mới\n"
    data = data.replace(",Xã Cũ mới", ",T99-X02,")  # two namesakes in one unit without phones: refused
    page = upload(client, data.encode()).get_data(as_text=True)
    assert "Same name and unit as row 2" in page
    data = "Họ và tên,Đơn vị,SĐT\nNguyễn Văn An,T99-X02,0911000001\nNguyễn Văn Ấn,T99-X01,\n" \
           "NGUYỄN VĂN AN,T99-X02,0911000002\n"
    page = upload(client, data.encode()).get_data(as_text=True)
    client.post("/admin/imports/learners/confirm", data={"payload": confirm_payload(page)})
    usernames = [u.username for u in learners()]
    assert usernames == ["nguyenvanan", "nguyenvanan2", "nguyenvanan3", "nguyenvanan4"]


def test_the_template_reads_back_through_the_importer(client, admin):
    response = client.get("/admin/imports/learners/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook.worksheets[0][1]] == ["Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại",
                                                            "Email", "Tên đăng nhập"]
    assert ["T99-X02", "Xã Tân Lập"] in [[r[0], r[1]] for r in workbook["Đơn vị"].iter_rows(values_only=True)]
    sheet = workbook.worksheets[0]
    sheet.append(["Lê Thị Hoa", "T99-X02", "Văn thư", "0912345678", None, None])
    output = io.BytesIO()
    workbook.save(output)
    page = upload(client, output.getvalue(), "mau.xlsx").get_data(as_text=True)
    assert "1 account will be created" in page


def test_cli_dry_run_writes_nothing_and_import_writes_the_slips(app, units, tmp_path):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["users", "import", str(FIXTURES / "learners_utf16.txt"), "--dry-run"])
    assert dry.exit_code == 0 and "3 account(s) would be created" in dry.output
    assert learners() == [] and row_count(AuditEvent) == 0
    intake = create_intake(builders.course(), "dot-1", "Đợt 1")
    db.session.commit()
    slips = tmp_path / "slips.pdf"
    done = runner.invoke(args=["users", "import", str(FIXTURES / "learners_bom.csv"), "--intake",
                               "khoa-mau:dot-1", "--slips", str(slips)])
    assert done.exit_code == 0, done.output
    assert [u.full_name for u in learners()] == GOOD_NAMES
    assert {e.intake_id for e in db.session.scalars(sa.select(Enrolment))} == {intake.id}
    assert row_count(Enrolment) == 3
    assert all(name in pdf_text(slips.read_bytes()) for name in GOOD_NAMES)
    assert slips.stat().st_mode & 0o077 == 0  # the passwords are for the owner's eyes


def test_cli_bad_rows_exit_non_zero_with_row_numbers_and_nothing_written(app, units, tmp_path):
    result = app.test_cli_runner().invoke(args=["users", "import", str(FIXTURES / "learners_bad_rows.csv"),
                                                "--slips", str(tmp_path / "s.pdf")])
    assert result.exit_code == 1 and "nothing was imported: 11 row(s) with errors" in result.output
    assert "row     8  ERROR" in result.output
    assert learners() == [] and not (tmp_path / "s.pdf").exists()
    (event,) = db.session.scalars(sa.select(AuditEvent).filter_by(event="users.imported"))
    assert event.outcome == "failure" and PASSWORD not in repr(event.details)


# Issue 10, item 12: a valid import never fails because the machine is busy; slips in the background.

def test_issue10_12_a_valid_import_succeeds_on_a_busy_machine(client, admin, app, monkeypatch):
    """The render waits (no CPU used) far longer than its limit; the import still succeeds."""
    from app.certificates import weasyprint_engine

    real = weasyprint_engine.render_in_process

    def slow(html):
        time.sleep(2.5)  # waiting for a processor on a loaded machine costs no CPU time
        return real(html)

    monkeypatch.setattr(weasyprint_engine, "render_in_process", slow)
    app.config["PDF_RENDER_TIMEOUT_SECONDS"] = 1
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    slips = confirm(client, confirm_payload(page))
    assert slips.status_code == 200 and "The login slips are ready" in slips.get_data(as_text=True)
    assert len(learners()) == 3 and pdf_text(download_slips(client, slips)).count("hoa.le") == 1


def test_issue10_12_the_accounts_are_committed_then_the_slips_job_sets_their_passwords(client, admin):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    response = client.post("/admin/imports/learners/confirm", data={"payload": confirm_payload(page)})
    assert response.status_code == 302 and "/admin/imports/learners/slips/" in response.headers["Location"]
    jobs.wait_for_local_jobs()
    db.session.commit()
    (job,) = db.session.scalars(sa.select(BatchJob))
    assert job.state == JobState.DONE and job.progress_total == 4 and job.result_expires_at is not None
    assert all(u.password_hash.startswith("scrypt:") for u in learners())


def test_issue10_12_the_slips_are_deleted_once_downloaded(client, admin):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    slips_page = confirm(client, confirm_payload(page))
    download_slips(client, slips_page)
    (job,) = db.session.scalars(sa.select(BatchJob))
    db.session.refresh(job)
    assert job.result is None and job.result_deleted_at is not None
    again = client.post(f"/admin/imports/learners/slips/{job.token}/download")
    assert again.status_code == 302
    assert "downloaded or expired" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_issue10_12_slips_nobody_downloads_are_deleted_after_the_configured_time(client, admin, app):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    slips_page = confirm(client, confirm_payload(page))
    (job,) = db.session.scalars(sa.select(BatchJob))
    job.result_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    action = re.search(r'action="([^"]+/download)"', slips_page.get_data(as_text=True)).group(1)
    assert client.post(action).status_code == 302  # past its time: not served
    assert jobs.purge_expired_results() == 1
    db.session.refresh(job)
    assert job.result is None and job.result_deleted_at is not None


def test_issue10_12_only_the_importing_admin_sees_the_slips(client, admin, auth, make_user):
    page = upload(client, (FIXTURES / "learners.csv").read_bytes()).get_data(as_text=True)
    confirm(client, confirm_payload(page))
    (job,) = db.session.scalars(sa.select(BatchJob))
    make_user(role="admin", username="quantri2")
    auth.logout()
    auth.login("quantri2")
    assert client.get(f"/admin/imports/learners/slips/{job.token}").status_code == 404
    assert client.post(f"/admin/imports/learners/slips/{job.token}/download").status_code == 404


def test_issue10_12_slips_rendered_in_parts_join_into_one_pdf_with_every_account(
        app, units, tmp_path, monkeypatch):
    from app.enrolment import login_slips

    monkeypatch.setattr(login_slips, "SLIPS_PER_RENDER", 1)  # a part per page, whatever the units
    monkeypatch.setattr(login_slips, "SLIPS_PER_PAGE", 1)
    rendered = []
    render_pdf = login_slips.render_pdf
    monkeypatch.setattr(login_slips, "render_pdf",
                        lambda html, **kw: rendered.append(1) or render_pdf(html, **kw))
    slips = tmp_path / "slips.pdf"
    done = app.test_cli_runner().invoke(args=["users", "import", str(FIXTURES / "learners_bom.csv"),
                                              "--slips", str(slips)])
    assert done.exit_code == 0, done.output
    text = pdf_text(slips.read_bytes())
    assert len(rendered) == 3
    assert all(name in text for name in GOOD_NAMES)
    assert all(user.username in text for user in learners())


# Issue 15, item 4: the CLI commits the accounts first, then makes the slips through the slips job.
# These tests look nothing up by "the latest" or "the only" job and keep no other worker thread
# around: the PostgreSQL database is shared by every test of the run, and a development server of
# an earlier test leaves this process's job thread sweeping for jobs (JOBS_LOCAL_SWEEP).


@pytest.fixture
def no_other_job_worker():
    """This process's job thread, whatever app an earlier test gave it, ends before the test (so
    it cannot take the test's queued job) and after it."""
    jobs.wait_for_local_jobs()
    yield
    jobs.wait_for_local_jobs()


def job_named_in(output: str) -> BatchJob:
    """The login slips job whose token the command printed."""
    token = re.search(r"(?:--job |/slips/)([A-Za-z0-9_-]{16,32})", output).group(1)
    job = jobs.find_job(token)
    assert job is not None, output
    db.session.refresh(job)
    return job


def assert_each_learner_logs_in_with_the_password_on_their_slip(pdf: bytes) -> None:
    """Each learner's stored hash is that of the password printed on that learner's own slip."""
    printed = printed_credentials(pdf)
    for user in learners():
        db.session.refresh(user)
        assert check_password(user.password_hash, printed[user.username]).matches, user.username


def import_cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["users", "import", str(FIXTURES / "learners_bom.csv"), *args])


def other_connection_writes(app) -> str:
    """Write from a connection of another process's kind, waiting for no lock: who holds one?"""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        connection = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # fails at once if any writer holds the lock
            connection.execute("UPDATE unit SET name = name")
            connection.execute("COMMIT")
            return str(connection.execute(
                "SELECT count(*) FROM user WHERE role = 'learner' AND password_hash = ?",
                (learner_import.PENDING_PASSWORD_HASH,)).fetchone()[0])
        finally:
            connection.close()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            connection.execute(sa.text("UPDATE unit SET name = name"))
            return str(connection.scalar(sa.text(
                "SELECT count(*) FROM \"user\" WHERE role = 'learner' AND password_hash = :pending"),
                {"pending": learner_import.PENDING_PASSWORD_HASH}))
    finally:
        engine.dispose()


def test_issue15_4_cli_holds_no_lock_while_the_slips_render(app, units, tmp_path, monkeypatch,
                                                          no_other_job_worker):
    seen = []
    render_slips = learner_import.render_slips

    def render_while_another_connection_writes(slips):
        seen.append(other_connection_writes(app))
        return render_slips(slips)

    monkeypatch.setattr(learner_import, "render_slips", render_while_another_connection_writes)
    slips = tmp_path / "slips.pdf"
    done = import_cli(app, "--slips", str(slips))
    assert done.exit_code == 0, done.output
    assert seen == ["3"]  # the accounts were committed (no password yet) and nothing was locked
    assert re.search(r"Created 3 account\(s\) in \d+\.\d s", done.output)
    assert re.search(r"Login slips: 3/3 passwords set", done.output)
    assert re.search(r"made in \d+\.\d s", done.output)
    assert_each_learner_logs_in_with_the_password_on_their_slip(slips.read_bytes())
    job = job_named_in(done.output)
    assert job.state == JobState.DONE and job.result_deleted_at is not None
    assert db.session.scalar(sa.select(BatchJob.result).where(BatchJob.id == job.id)) is None


def test_issue15_4_failed_slips_leave_accounts_without_passwords_and_say_how_to_rerun(
        app, units, tmp_path, monkeypatch, no_other_job_worker):
    from app.certificates.pdf_rendering import PdfRenderError

    def broken(slips):
        raise PdfRenderError("renderer crashed")

    monkeypatch.setattr(learner_import, "render_slips", broken)
    slips = tmp_path / "slips.pdf"
    failed = import_cli(app, "--slips", str(slips))
    assert failed.exit_code == 1 and "Created 3 account(s)" in failed.output
    job = job_named_in(failed.output)
    assert "the login slips were not made (PdfRenderError)" in failed.output
    assert f"flask users slips --job {job.token} --slips FILE" in failed.output
    assert f"Making the login slips (job {job.token};" in failed.output  # printed before the work
    assert not slips.exists() and job.state == JobState.FAILED
    assert [u.password_hash for u in learners()] == [learner_import.PENDING_PASSWORD_HASH] * 3
    monkeypatch.undo()
    runner = app.test_cli_runner()
    again = runner.invoke(args=["users", "slips", "--job", job.token, "--slips", str(slips)])
    assert again.exit_code == 0, again.output
    assert slips.stat().st_mode & 0o077 == 0
    assert_each_learner_logs_in_with_the_password_on_their_slip(slips.read_bytes())
    fetched_twice = runner.invoke(args=["users", "slips", "--job", job.token,
                                        "--slips", str(tmp_path / "b.pdf")])
    assert fetched_twice.exit_code == 1 and "already downloaded or have expired" in fetched_twice.output


def test_issue15_4_cli_refuses_an_unwritable_slips_file_before_creating_anything(app, units, tmp_path):
    result = import_cli(app, "--slips", str(tmp_path / "missing" / "s.pdf"))
    assert result.exit_code == 1 and "is not a writable folder" in result.output
    assert learners() == [] and row_count(BatchJob) == 0


def test_issue15_4_slips_in_background_queue_the_job_for_the_admins_web_page(
        client, admin, app, no_other_job_worker):
    no_admin = import_cli(app, "--slips-in-background")
    assert no_admin.exit_code == 1 and "--admin USERNAME" in no_admin.output and learners() == []
    queued = import_cli(app, "--slips-in-background", "--admin", "quantri")
    assert queued.exit_code == 0, queued.output
    job = job_named_in(queued.output)
    assert job.state == JobState.QUEUED and job.worker_name is None and job.created_by_id == admin.id
    assert f"http://127.0.0.1:5000/admin/imports/learners/slips/{job.token}" in queued.output
    assert [u.password_hash for u in learners()] == [learner_import.PENDING_PASSWORD_HASH] * 3
    from app.jobs import runners

    runners.local_worker.wake(app)  # what a web process's job thread does with a queued job
    jobs.wait_for_local_jobs()
    page = client.get(f"/admin/imports/learners/slips/{job.token}")
    assert "The login slips are ready" in page.get_data(as_text=True)
    assert_each_learner_logs_in_with_the_password_on_their_slip(download_slips(client, page))
