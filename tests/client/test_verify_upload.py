"""The public verify page checks an uploaded PDF: the exact issued file (valid, revoked,
superseded), an altered copy, someone else's PDF, a truncated, huge, empty or non-PDF file --
each a clear answer in Vietnamese and English, never a 500; the file is never stored."""

import io

import pytest
import sqlalchemy as sa

from app.certificates.pdf_rendering import render_pdf
from app.certificates.services import reissue_certificate, revoke_certificate, stored_pdf
from app.extensions import db
from tests.client.test_certificates import certified_learner, only_certificate
from tests.conftest import SIGNER_COMMON_NAME, csrf_token_from

EN = {"Accept-Language": "en"}


@pytest.fixture
def certificate(client, auth, make_user):
    certified_learner(client, auth, make_user, full_name="Hoàng Văn Đức")
    auth.logout()  # a stranger checks the file
    return only_certificate()


def upload(client, data: bytes, headers=None, filename="chung-nhan.pdf"):
    response = client.post("/verify/file", data={"pdf": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data", headers=headers or {})
    assert response.status_code < 500
    return response


def test_the_exact_issued_file_is_recognised_with_its_signer(client, certificate):
    response = upload(client, certificate.pdf, EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"This is exactly the file issued for certificate {certificate.display_code}." in page
    assert "status-valid" in page and "Hoàng Văn Đức" in page
    assert "Valid, signed by" in page and SIGNER_COMMON_NAME in page
    assert "This is this system's signing key." in page


def test_the_answer_is_in_vietnamese_by_default(client, certificate):
    page = upload(client, certificate.pdf).get_data(as_text=True)
    assert f"Đây đúng là tệp đã cấp cho giấy chứng nhận {certificate.display_code}." in page
    assert "Hợp lệ, được ký bởi" in page


def test_a_revoked_certificate_says_revoked_with_date_and_reason(client, certificate):
    pdf = certificate.pdf
    revoke_certificate(certificate, "Cấp nhầm người")
    db.session.commit()
    page = upload(client, pdf, EN).get_data(as_text=True)
    assert "This is exactly the file issued" in page
    assert "Revoked on" in page and "Cấp nhầm người" in page
    assert str(certificate.revoked_at.year) in page


def test_a_superseded_certificate_names_its_replacement(client, certificate):
    pdf = certificate.pdf
    replacement = reissue_certificate(certificate)
    db.session.commit()
    page = upload(client, pdf, EN).get_data(as_text=True)
    assert "Superseded" in page and replacement.display_code in page


def test_one_changed_byte_is_an_altered_copy_naming_the_issued_certificate(client, certificate):
    pdf = certificate.pdf
    position = pdf.index(b"/Producer")
    page = upload(client, pdf[:position + 1] + b"Q" + pdf[position + 2:], EN).get_data(as_text=True)
    assert "This file was changed after it was issued" in page
    assert f"The issued certificate is {certificate.display_code}" in page


def test_bytes_appended_after_signing_are_an_altered_copy(client, certificate):
    page = upload(client, certificate.pdf + b"\n%% appended\n", EN).get_data(as_text=True)
    assert "This file was changed after it was issued" in page


def test_a_pdf_that_is_not_hocsos_says_so(client, certificate):
    other = render_pdf("<p>Giấy khen của một hệ thống khác</p>")
    page = upload(client, other, EN).get_data(as_text=True)
    assert "This PDF was not issued by this system" in page
    vietnamese = upload(client, other).get_data(as_text=True)
    assert "Tệp PDF này không do hệ thống này cấp" in vietnamese


def test_a_truncated_file_is_damaged(client, certificate):
    page = upload(client, certificate.pdf[: len(certificate.pdf) // 2], EN).get_data(as_text=True)
    assert "This file is damaged or incomplete" in page
    assert "Tệp bị hỏng hoặc không đầy đủ" in upload(client, certificate.pdf[:-400]).get_data(as_text=True)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not a pdf", "Xin chào".encode(), b"\x89PNG\r\n\x1a\n" * 10])
def test_a_non_pdf_is_refused_by_its_content(client, data):
    page = upload(client, data, EN, filename="gia-mao.pdf").get_data(as_text=True)
    assert "This file is not a PDF." in page


def test_garbage_after_a_pdf_header_is_damaged_not_a_500(client):
    page = upload(client, b"%PDF-1.7\n" + bytes(range(256)) * 50, EN).get_data(as_text=True)
    assert "This file is damaged or incomplete" in page


def test_an_empty_file_and_no_file_get_clear_messages(client):
    assert "This file is empty." in upload(client, b"", EN).get_data(as_text=True)
    response = client.post("/verify/file", data={}, headers=EN)
    assert response.status_code == 200
    assert "Choose the certificate's PDF file." in response.get_data(as_text=True)


def test_a_file_over_the_upload_limit_gets_a_clear_413(app, client):
    limit = app.config["VERIFY_UPLOAD_MAX_BYTES"]
    assert limit < app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, b"%PDF-1.7\n" + b"0" * limit, EN)
    assert response.status_code == 413
    assert "This file is too large to be a certificate: at most 1 MB." in response.get_data(as_text=True)


def test_a_request_over_max_content_length_is_refused_unread_with_the_same_message(app, client):
    huge = b"%PDF-1.7\n" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, huge, EN)
    assert response.status_code == 413
    assert "This file is too large to be a certificate" in response.get_data(as_text=True)
    vietnamese = upload(client, huge).get_data(as_text=True)
    assert "Tệp quá lớn so với một giấy chứng nhận: tối đa 1 MB." in vietnamese


def test_the_file_is_never_stored(app, client, certificate, monkeypatch):
    def no_temporary_files(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr("werkzeug.formparser.SpooledTemporaryFile", no_temporary_files)
    monkeypatch.setattr("tempfile.TemporaryFile", no_temporary_files)
    before = table_counts()
    big_pdf = certificate.pdf + b"%" + b"0" * 900_000  # past Werkzeug's 500 KB spooling limit
    for data in (certificate.pdf, big_pdf, b"not a pdf"):
        upload(client, data)
    assert table_counts() == before


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_the_form_needs_its_csrf_token(app, client, certificate):
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(client, certificate.pdf).status_code == 400
    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    response = client.post("/verify/file", data={"pdf": (io.BytesIO(certificate.pdf), "a.pdf"),
                                                 "csrf_token": token},
                           content_type="multipart/form-data", headers=EN)
    assert "This is exactly the file issued" in response.get_data(as_text=True)


def test_the_verify_page_offers_the_upload_form_without_script(client):
    page = client.get("/verify").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "<script" not in page


def test_uploads_are_rate_limited(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "2 per minute"
    statuses = [upload(client, b"x").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_pdf_rendered_but_unsigned_before_signing_existed_is_still_recognised(app, client, make_user, auth):
    from app.certificates import signing

    app.extensions[signing.EXTENSION_KEY] = None  # issued before a key was configured
    certified_learner(client, auth, make_user)
    certificate = only_certificate()
    assert certificate.pdf_signed_by is None
    page = upload(client, stored_pdf(certificate), EN).get_data(as_text=True)
    assert "This is exactly the file issued" in page
    assert "The PDF was issued without a digital signature." in page
