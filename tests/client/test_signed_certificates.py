"""Issued certificate PDFs are signed with the issuer's key (pdfsig agrees), revoked ones keep
their signed PDF, the print batch is signed, and `/verify/<code>.json` answers machines."""

import dataclasses
import io
import zipfile

import pytest

from app.certificates import batch, signing
from app.certificates.services import reissue_certificate, revoke_certificate, stored_pdf
from app.extensions import db
from tests.client.test_certificates import certified_learner, only_certificate
from tests.conftest import SIGNER_COMMON_NAME
from tests.pdf.poppler import pdf_signatures

EN = {"Accept-Language": "en"}


@pytest.fixture
def certificate(client, auth, make_user):
    certified_learner(client, auth, make_user, full_name="Hoàng Văn Đức")
    return only_certificate()


def test_the_stored_pdf_is_signed_and_its_hash_is_of_the_signed_file(certificate):
    report = pdf_signatures(certificate.pdf)
    assert "Signature Validation: Signature is Valid." in report
    assert f"Signer Certificate Common Name: {SIGNER_COMMON_NAME}" in report
    assert SIGNER_COMMON_NAME in certificate.pdf_signed_by
    assert not certificate.pdf_signed_with_development_key


def test_the_verify_page_names_the_signer(client, certificate):
    page = client.get(f"/verify/{certificate.display_code}", headers=EN).get_data(as_text=True)
    assert f"signed by Common Name: {SIGNER_COMMON_NAME}" in page or SIGNER_COMMON_NAME in page
    assert "development key" not in page


def test_a_development_key_is_named_on_the_verify_page(app, client, auth, make_user):
    identity = signing.current_identity()
    app.extensions[signing.EXTENSION_KEY] = dataclasses.replace(identity, development=True)
    certified_learner(client, auth, make_user)
    certificate = only_certificate()
    assert certificate.pdf_signed_with_development_key
    page = client.get(f"/verify/{certificate.display_code}", headers=EN).get_data(as_text=True)
    assert "Signed with a development key" in page
    vietnamese = client.get(f"/verify/{certificate.display_code}").get_data(as_text=True)
    assert "khoá phát triển" in vietnamese


def test_a_revoked_certificate_keeps_its_signed_pdf_and_says_revoked(client, certificate):
    issued = certificate.pdf
    revoke_certificate(certificate, "Cấp nhầm người")
    db.session.commit()
    assert stored_pdf(certificate) == issued
    assert "Signature is Valid." in pdf_signatures(issued)
    page = client.get(f"/verify/{certificate.display_code}").get_data(as_text=True)
    assert "Cấp nhầm người" in page and "status-revoked" in page


def test_the_print_batch_is_signed_as_a_whole(app, certificate):
    print_set = batch.select_for_print(batch.PrintSelection(certificate.course.slug))
    pdf = batch.print_pdf(print_set)
    report = pdf_signatures(pdf)
    assert "Signature is Valid." in report and "Total document signed" in report


def test_the_print_batch_can_be_left_unsigned(app, certificate):
    app.config["CERTIFICATE_SIGN_PRINT_BATCH"] = False
    print_set = batch.select_for_print(batch.PrintSelection(certificate.course.slug))
    assert "Signature #1" not in pdf_signatures(batch.print_pdf(print_set))


def test_the_zip_holds_each_certificate_signed(app, certificate):
    print_set = batch.select_for_print(batch.PrintSelection(certificate.course.slug))
    with zipfile.ZipFile(io.BytesIO(batch.print_zip(print_set))) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(f"{certificate.display_code}.pdf")]
        assert archive.read(name) == certificate.pdf


def test_json_gives_the_printed_facts_and_status(client, certificate):
    response = client.get(f"/verify/{certificate.display_code}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    record = response.get_json()
    assert record["code"] == certificate.display_code and record["status"] == "valid"
    assert record["full_name"] == "Hoàng Văn Đức"
    assert record["course_title"] == certificate.course_title
    assert record["completed_on"] == certificate.completed_on.isoformat()
    assert record["score"] == certificate.score and record["issuer"] == certificate.issuer
    assert record["pdf_sha256"] == certificate.pdf_sha256
    assert record["revoked_at"] is None and record["superseded_by"] is None
    assert record["issued_at"].endswith("+00:00")


def test_json_accepts_the_code_as_typed(client, certificate):
    typed = certificate.code.lower()
    assert client.get(f"/verify/{typed}.json").get_json()["code"] == certificate.display_code


def test_json_says_revoked_and_superseded(client, certificate):
    replacement = reissue_certificate(certificate)
    db.session.commit()
    record = client.get(f"/verify/{certificate.display_code}.json").get_json()
    assert record["status"] == "superseded" and record["superseded_by"] == replacement.display_code
    revoke_certificate(replacement, "Cấp nhầm")
    db.session.commit()
    record = client.get(f"/verify/{replacement.display_code}.json").get_json()
    assert record["status"] == "revoked" and record["revoke_reason"] == "Cấp nhầm"
    assert record["revoked_at"].endswith("+00:00")


@pytest.mark.parametrize("code", ["AAAAA-AAAAA-AAAAA-AAAAA", "x" * 500, "1' OR '1'='1"])
def test_json_for_an_unknown_code_is_a_json_404(client, code):
    response = client.get(f"/verify/{code}.json")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_json_is_rate_limited_like_the_verify_page(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get("/verify/AAAAA-AAAAA-AAAAA-AAAAA.json").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_development_config_makes_its_own_signing_key_once(tmp_path):
    from app import create_app
    from config import DevelopmentConfig

    class Development(DevelopmentConfig):
        SECRET_KEY_FILE = tmp_path / "secret_key"
        SIGNING_KEY_FILE = tmp_path / "development-signing-key.p12"
        CERTIFICATE_SIGNING_PKCS12 = CERTIFICATE_SIGNING_KEY = CERTIFICATE_SIGNING_CERT = ""
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"

    identity = create_app(Development).extensions[signing.EXTENSION_KEY]
    assert identity.development and Development.SIGNING_KEY_FILE.exists()
    again = create_app(Development).extensions[signing.EXTENSION_KEY]
    assert again.fingerprint == identity.fingerprint


def test_an_unreachable_timestamp_server_still_signs_without_a_timestamp(app, caplog, certificate):
    from app.certificates.certificate_document import render_certificate_pdf
    from app.certificates.services import facts_of

    app.config["CERTIFICATE_SIGNING_TIMESTAMP_URL"] = "http://127.0.0.1:9/tsa"  # nothing listens
    identity = signing.load_identity(app.config)
    assert identity.timestamper is not None
    facts = facts_of(certificate)
    pdf = signing.sign_pdf(render_certificate_pdf(facts), identity, signing.certificate_reason(facts.code))
    assert "Signature is Valid." in pdf_signatures(pdf)
    assert "signed without a timestamp" in caplog.text
