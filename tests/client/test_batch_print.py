"""Batch printing: one PDF (cover list, then a page per certificate by unit and name) or a ZIP,
made in the background with visible progress, kept for download; and the CLI."""

import io
import re
import subprocess
import uuid
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.certificates import batch
from app.certificates.services import revoke_certificate
from app.database import utcnow
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import BatchJob, JobState
from app.units.models import Unit, UnitLevel
from tests.client.test_certificates_admin import certify

pytestmark = pytest.mark.usefixtures("no_job_left_running")

BASE = "/admin/certificates/print"
# Print order for Lào Cai: Tả Phìn (with Bản Hồ, merged into it) before Tả Van, then by given name.
EXPECTED_ORDER = ["Lê Thị Ánh", "Phạm Thị Dung", "Nguyễn Văn Bảo", "Hoàng Văn Đức"]


@pytest.fixture
def certificates(app):
    """Four valid certificates in Lào Cai, one revoked there, one in An Giang."""
    lao_cai = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    an_giang = Unit(code="AG", name="Tỉnh An Giang", level=UnitLevel.PROVINCE)
    ta_phin = Unit(code="LC-TP", name="Xã Tả Phìn", level=UnitLevel.COMMUNE, parent=lao_cai)
    ta_van = Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=lao_cai)
    ban_ho = Unit(code="LC-BH", name="Xã Bản Hồ", level=UnitLevel.COMMUNE, parent=lao_cai,
                  valid_until=date(2025, 7, 1), successor=ta_phin)
    my_hoa = Unit(code="AG-MH", name="Xã Mỹ Hòa", level=UnitLevel.COMMUNE, parent=an_giang)
    db.session.add_all([lao_cai, an_giang, ta_phin, ta_van, ban_ho, my_hoa])
    db.session.commit()
    issued = [
        certify("hv-duc", "Hoàng Văn Đức", ta_van),
        certify("hv-bao", "Nguyễn Văn Bảo", ta_van),
        certify("hv-dung", "Phạm Thị Dung", ban_ho),
        certify("hv-anh", "Lê Thị Ánh", ta_phin),
        certify("hv-binh", "Trần Văn Bình", ta_van),
        certify("hv-hoa", "Đặng Thị Hoa", my_hoa),
    ]
    revoke_certificate(issued[4], "Cấp nhầm")
    db.session.commit()
    return issued


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
                          input=pdf, capture_output=True, check=True).stdout.decode()


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.MULTILINE).group(1))


def sheet_names(pdf: bytes, cover_pages: int = 1) -> list[str]:
    """The learner's name on each certificate page, in page order."""
    pages = poppler("pdftotext", pdf).split("\f")[cover_pages:]
    names = []
    for page in pages:
        found = [name for name in EXPECTED_ORDER + ["Trần Văn Bình", "Đặng Thị Hoa"] if name in page]
        if found:
            names.append(found[0])
    return names


def test_one_pdf_has_a_cover_then_one_page_per_certificate_in_unit_then_name_order(app, certificates):
    print_set = batch.select_for_print(batch.PrintSelection("khoa-mau", "LC"))
    assert [item.facts.full_name for item in print_set.items] == EXPECTED_ORDER
    assert [item.unit_label for item in print_set.items] == [
        "Xã Tả Phìn, Tỉnh Lào Cai"] * 2 + ["Xã Tả Van, Tỉnh Lào Cai"] * 2
    pdf = batch.print_pdf(print_set)
    assert page_count(pdf) == 1 + 4
    assert sheet_names(pdf) == EXPECTED_ORDER
    text = poppler("pdftotext", pdf)
    cover = text.split("\f")[0]
    assert "DANH SÁCH GIẤY CHỨNG NHẬN" in cover and "Xã Tả Phìn, Tỉnh Lào Cai" in cover
    assert [cover.index(name) for name in EXPECTED_ORDER] == sorted(cover.index(n) for n in EXPECTED_ORDER)
    assert "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC" in text and "Trần Văn Bình" not in text
    for item in print_set.items:
        assert item.facts.code in text
    fonts = poppler("pdffonts", pdf)
    assert "Be-Vietnam-Pro" in fonts and " no " not in fonts  # every font embedded


@pytest.fixture
def wrapping_cover(certificates):
    """Ten more certificates in a commune whose ~190-character name takes 3 lines a cover row: the
    14 rows planned for the first page then take two pages."""
    lao_cai = db.session.scalar(sa.select(Unit).filter_by(code="LC"))
    long_name = "Xã " + " ".join(["Mường Khương Bắc Hà Si Ma Cai"] * 6)
    far = Unit(code="LC-MK", name=long_name, level=UnitLevel.COMMUNE, parent=lao_cai)
    db.session.add(far)
    db.session.commit()
    for n in range(10):
        certify(f"hv-mk{n}", f"Vàng Seo Mỷ {n}", far)
    print_set = batch.select_for_print(batch.PrintSelection("khoa-mau", "LC"))
    assert len(batch.cover_pages(print_set.items)) == 1
    return print_set


def cover_footers(pdf: bytes, pages: int) -> list[list[str]]:
    return [re.findall(r"Trang \d+/\d+", page) for page in poppler("pdftotext", pdf).split("\f")[:pages]]


def test_cover_lines_that_wrap_past_their_planned_page_are_numbered_again(app, wrapping_cover):
    pdf = batch.print_pdf(wrapping_cover)
    assert cover_footers(pdf, 2) == [["Trang 1/2"], ["Trang 2/2"]]
    assert page_count(pdf) == 2 + 14


def test_the_zip_cover_is_numbered_by_its_real_pages_too(app, wrapping_cover):
    with zipfile.ZipFile(io.BytesIO(batch.print_zip(wrapping_cover))) as archive:
        cover = archive.read("000-danh-sach.pdf")
    assert page_count(cover) == 2 and cover_footers(cover, 2) == [["Trang 1/2"], ["Trang 2/2"]]


def test_chunks_are_joined_in_order_and_report_progress(app, certificates):
    print_set = batch.select_for_print(batch.PrintSelection("khoa-mau"))
    reports = []
    pdf = batch.print_pdf(print_set, lambda done, total: reports.append((done, total)), chunk_size=2)
    assert reports == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert page_count(pdf) == 1 + 5
    assert sheet_names(pdf) == ["Đặng Thị Hoa", *EXPECTED_ORDER]  # An Giang before Lào Cai


def test_the_admin_starts_a_background_job_watches_it_and_downloads_the_pdf(client, admin, certificates):
    form = client.get(BASE, query_string={"course": "khoa-mau", "unit": "LC"}).get_data(as_text=True)
    assert 'value="LC"' in form
    response = client.post(BASE, data={"course": "khoa-mau", "unit": "LC", "output": "pdf"})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    jobs.wait_for_local_jobs()
    job = db.session.scalars(sa.select(BatchJob)).one()
    assert job.state == JobState.DONE and (job.progress_done, job.progress_total) == (4, 4)
    page = client.get(job_url)
    assert "Refresh" not in page.headers and "chung-nhan-khoa-mau-LC.pdf" in page.get_data(as_text=True)
    download = client.get(f"{job_url}/download")
    assert download.mimetype == "application/pdf" and "attachment" in download.headers["Content-Disposition"]
    assert page_count(download.data) == 5 and sheet_names(download.data) == EXPECTED_ORDER
    (event,) = db.session.scalars(sa.select(AuditEvent).filter_by(event="certificates.print_requested"))
    assert event.actor_name == "quantri" and event.details["unit"] == "LC"


def test_the_progress_page_refreshes_itself_without_script_until_the_job_ends(client, admin, certificates):
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "on": "2025-08-01"}, None)
    job.progress_done, job.progress_total, job.state = 50, 409, JobState.RUNNING
    job.heartbeat_at = utcnow()
    db.session.commit()
    page = client.get(f"{BASE}/{job.token}")
    assert page.headers["Refresh"] == "3"
    text = page.get_data(as_text=True)
    assert '<progress max="100" value="12"' in text and "50" in text and "409" in text
    assert "<script" not in text
    assert client.get(f"{BASE}/{job.token}/download").status_code == 404


def test_a_job_silent_for_too_long_is_reported_as_stopped(client, admin, certificates):
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "on": "2025-08-01"}, None)
    job.state, job.heartbeat_at = JobState.RUNNING, utcnow() - timedelta(hours=1)
    job.attempts = jobs.MAX_ATTEMPTS  # no worker will take it over by itself
    db.session.commit()
    page = client.get(f"{BASE}/{job.token}")
    text = page.get_data(as_text=True)
    assert "Refresh" not in page.headers
    assert f'action="/admin/jobs/{job.token}/retry"' in text


def test_zip_holds_the_issued_pdfs_unchanged_and_the_cover(client, admin, certificates):
    response = client.post(BASE, data={"course": "khoa-mau", "unit": "LC-TP", "output": "zip"})
    jobs.wait_for_local_jobs()
    download = client.get(response.headers["Location"] + "/download")
    assert download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = archive.namelist()
    assert names[0] == "000-danh-sach.pdf"
    assert names[1:] == [
        f"xa-ta-phin-tinh-lao-cai/001-le-thi-anh-{certificates[3].display_code}.pdf",
        f"xa-ta-phin-tinh-lao-cai/002-pham-thi-dung-{certificates[2].display_code}.pdf",
    ]
    assert archive.read(names[1]) == certificates[3].pdf  # the issued file: its SHA-256 still matches


def test_a_selection_without_certificates_is_refused_before_any_job(client, admin, certificates):
    for data in ({"course": "khoa-mau", "unit": "NOPE"}, {"course": "khoa-mau", "intake": "NOPE"},
                 {"course": "nope"}):
        response = client.post(BASE, data={**data, "output": "pdf"})
        assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BatchJob)) == 0


def test_a_failed_job_says_why(client, admin, certificates):
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "unit": "AG-MH", "on": "2025-08-01"}, None)
    db.session.commit()
    revoke_certificate(certificates[5], "Sai")
    db.session.commit()
    jobs.run_job(job.token)
    db.session.refresh(job)
    assert job.state == JobState.FAILED and "no valid certificate" in job.error
    assert "no valid certificate" in client.get(f"{BASE}/{job.token}").get_data(as_text=True)


def test_cli_prints_one_pdf(app, certificates, tmp_path):
    output = tmp_path / "in.pdf"
    result = app.test_cli_runner().invoke(
        args=["certificates", "print", "--course", "khoa-mau", "--unit", "LC", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 certificates" in result.output
    pdf = output.read_bytes()
    assert page_count(pdf) == 5 and sheet_names(pdf) == EXPECTED_ORDER


def test_cli_explains_an_unknown_unit(app, certificates, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["certificates", "print", "--course", "khoa-mau", "--unit", "NOPE",
              "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no unit 'NOPE'" in result.output


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_queue(app):
    """A queue of its own on the local Redis; RQ is used when JOBS_REDIS_URL is set."""
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"hocso-test-{uuid.uuid4().hex[:12]}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME=name)
    yield name
    Queue(name, connection=connection).delete(delete_jobs=True)


def test_with_redis_a_job_waits_in_the_queue_until_a_worker_runs_it(app, client, admin, certificates,
                                                                     redis_queue):
    response = client.post(BASE, data={"course": "khoa-mau", "unit": "LC", "output": "pdf"})
    job_url = response.headers["Location"]
    assert db.session.scalars(sa.select(BatchJob)).one().state == JobState.QUEUED
    assert client.get(job_url).headers["Refresh"] == "3"
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    job = db.session.scalars(sa.select(BatchJob)).one()
    assert job.state == JobState.DONE, job.error
    download = client.get(f"{job_url}/download")
    assert page_count(download.data) == 5 and sheet_names(download.data) == EXPECTED_ORDER


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


def test_old_finished_jobs_are_purged(app, certificates):
    old = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "on": "2025-08-01"}, None)
    old.state, old.finished_at = JobState.DONE, utcnow() - timedelta(days=40)
    running = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "on": "2025-08-01"}, None)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "purge", "--days", "30"])
    assert "Removed 1" in result.output
    assert db.session.scalars(sa.select(BatchJob.token)).all() == [running.token]
