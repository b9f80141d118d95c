"""Certificates: issued with the completion, downloadable by their owner, verifiable by anyone."""

import hashlib

import pytest
import sqlalchemy as sa

from app.certificates.models import Certificate
from app.extensions import db
from tests import builders
from tests.pdf.poppler import pdf_text


def certified_learner(client, auth, make_user, username="lan", **kwargs):
    user = make_user(username=username, **kwargs)
    auth.login(username)
    builders.complete_course(client)
    return user


def only_certificate() -> Certificate:
    return db.session.scalars(sa.select(Certificate)).one()


def test_completion_issues_a_certificate_with_frozen_facts(client, auth, make_user):
    user = certified_learner(client, auth, make_user, full_name="Hoàng Văn Đức")
    cert = only_certificate()
    assert cert.user_id == user.id and cert.full_name == "Hoàng Văn Đức"
    assert cert.course_title == "Khóa học mẫu về chuyển đổi số"
    assert cert.unit_name == "Xã Hòa Bình, Tỉnh Thử Nghiệm"
    assert cert.score == 100 and cert.status == "valid"
    assert cert.pdf_sha256 == hashlib.sha256(cert.pdf).hexdigest()
    assert len(cert.code) == 20 and not cert.code.isdigit()


def test_owner_downloads_the_stored_pdf(client, auth, make_user, tmp_path):
    certified_learner(client, auth, make_user, full_name="Nguyễn Thị Hồng Nhung")
    cert = only_certificate()
    response = client.get(f"/certificates/{cert.display_code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == cert.pdf
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(response.data)
    text = pdf_text(pdf, layout=False)
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "Khóa học mẫu về chuyển đổi số" in text
    assert cert.display_code in text


def test_another_learner_cannot_download(client, auth, make_user):
    certified_learner(client, auth, make_user, "lan")
    code = only_certificate().display_code
    auth.logout()
    make_user(username="hoa")
    auth.login("hoa")
    assert client.get(f"/certificates/{code}.pdf").status_code == 404


def test_admin_can_download_any_certificate(client, auth, make_user):
    certified_learner(client, auth, make_user, "lan")
    code = only_certificate().display_code
    auth.logout()
    make_user(role="admin", username="admin")
    auth.login("admin")
    assert client.get(f"/certificates/{code}.pdf").status_code == 200


def test_anonymous_verify_page_shows_every_printed_fact(client, auth, make_user):
    certified_learner(client, auth, make_user, full_name="Hoàng Văn Đức")
    cert = only_certificate()
    auth.logout()
    page = client.get(f"/verify/{cert.display_code}").get_data(as_text=True)
    for fact in (cert.full_name, cert.unit_name, cert.course_title, cert.issuer,
                 cert.signer_name, cert.display_code, cert.pdf_sha256, "100/100"):
        assert fact in page
    assert "Valid" in page or "Hợp lệ" in page


def test_verify_accepts_typed_code_variants(client, auth, make_user):
    certified_learner(client, auth, make_user)
    cert = only_certificate()
    assert client.get(f"/verify/{cert.code.lower()}").status_code == 200
    response = client.get("/verify", query_string={"code": cert.display_code.replace("-", " ")})
    assert response.status_code == 302


def test_unknown_and_malformed_codes_get_the_same_not_found_page(client):
    bodies = set()
    for code in ("AAAAA-AAAAA-AAAAA-AAAAA", "ABC", "1' OR '1'='1", "Z" * 5000, "A%20B"):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        bodies.add(page[page.index("<main"):page.index("</main>")])
    assert len(bodies) == 1


def test_revoked_certificate_says_so(client, auth, make_user):
    certified_learner(client, auth, make_user)
    cert = only_certificate()
    cert.status, cert.revoke_reason = "revoked", "Cấp nhầm"
    cert.revoked_at = cert.issued_at
    db.session.commit()
    page = client.get(f"/verify/{cert.display_code}").get_data(as_text=True)
    assert "Cấp nhầm" in page


def test_my_certificates_lists_own_only(client, auth, make_user):
    certified_learner(client, auth, make_user, "lan")
    page = client.get("/certificates").get_data(as_text=True)
    assert only_certificate().display_code in page
    auth.logout()
    make_user(username="hoa")
    auth.login("hoa")
    assert only_certificate().display_code not in client.get("/certificates").get_data(as_text=True)


def test_qr_url_comes_from_configuration_not_the_host_header(app, make_user):
    from app.certificates.services import issue_certificate, stored_pdf
    from app.progress.models import CourseCompletion

    user = make_user(username="lan")
    completion = CourseCompletion(user_id=user.id, course_id=builders.course().id, score=90)
    db.session.add(completion)
    db.session.flush()
    headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    with app.test_request_context("/", headers=headers):
        cert = issue_certificate(user, builders.course(), completion)
        db.session.commit()
        pdf = stored_pdf(cert)
    assert b"evil.example" not in pdf
    assert app.config["PUBLIC_BASE_URL"] in pdf_text(pdf, layout=False)


def test_verify_page_prints_the_date_as_the_certificate_does(client, auth, make_user):
    from app.i18n.dates import format_vietnamese_date

    certified_learner(client, auth, make_user)
    cert = only_certificate()
    page = client.get(f"/verify/{cert.display_code}", headers={"Accept-Language": "vi"})
    assert format_vietnamese_date(cert.completed_on) in page.get_data(as_text=True)
    assert format_vietnamese_date(cert.completed_on) in pdf_text(cert.pdf, layout=False)


@pytest.mark.parametrize("app_settings", [{"CERTIFICATE_PDF_IN_BACKGROUND": True}])
def test_in_production_the_pdf_is_rendered_after_the_submit_by_the_background_thread(
        app, client, auth, make_user, app_settings):
    from app.certificates.services import RENDERER_KEY

    certified_learner(client, auth, make_user)
    app.extensions[RENDERER_KEY].shutdown(wait=True)  # the queued render has run
    cert = only_certificate()
    assert cert.pdf_sha256 == hashlib.sha256(cert.pdf).hexdigest()
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(cert.pdf, layout=False)
    download = client.get(f"/certificates/{cert.display_code}.pdf")
    assert hashlib.sha256(download.data).hexdigest() == cert.pdf_sha256  # served, not rendered again


def test_a_certificate_never_rendered_is_rendered_once_at_its_first_download(client, auth, make_user):
    certified_learner(client, auth, make_user)
    cert = only_certificate()
    cert.pdf, cert.pdf_sha256 = None, None  # as if the process died before its background render
    db.session.commit()
    first = client.get(f"/certificates/{cert.display_code}.pdf")
    second = client.get(f"/certificates/{cert.display_code}.pdf")
    assert first.status_code == 200 and first.data == second.data
    assert hashlib.sha256(first.data).hexdigest() == only_certificate().pdf_sha256


def test_the_verify_page_title_is_plain_text(client, auth, make_user):
    certified_learner(client, auth, make_user)
    page = client.get(f"/verify/{only_certificate().display_code}").get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Hocso" in title
