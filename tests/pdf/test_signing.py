"""Signed certificate PDFs: pdfsig calls the signature valid and names the signer; one changed
byte makes it invalid; keys load from PEM or PKCS#12, with their passphrase."""

import stat

import pytest

from app.certificates import signing
from app.certificates.certificate_document import render_certificate_pdf
from app.certificates.signing_keys import development_key_file, pkcs12_bytes
from tests.conftest import SIGNER_COMMON_NAME, SIGNING_PASSPHRASE
from tests.pdf.poppler import pdf_signatures, pdf_text

SETTINGS = {
    "CERTIFICATE_SIGNING_PKCS12": "", "CERTIFICATE_SIGNING_KEY": "", "CERTIFICATE_SIGNING_CERT": "",
    "CERTIFICATE_SIGNING_CHAIN": "", "CERTIFICATE_SIGNING_PASSPHRASE": "",
    "CERTIFICATE_SIGNING_TIMESTAMP_URL": "", "CERTIFICATE_SIGNING_DEVELOPMENT_KEY": False,
}


@pytest.fixture
def identity(signing_key_files):
    key, cert = signing_key_files
    return signing.load_identity({**SETTINGS, "CERTIFICATE_SIGNING_KEY": str(key),
                                  "CERTIFICATE_SIGNING_CERT": str(cert),
                                  "CERTIFICATE_SIGNING_PASSPHRASE": SIGNING_PASSPHRASE})


@pytest.fixture
def signed_pdf(identity, make_facts):
    facts = make_facts()
    return signing.sign_pdf(render_certificate_pdf(facts), identity, signing.certificate_reason(facts.code))


def test_pdfsig_reports_a_valid_pades_signature_by_the_signer(signed_pdf):
    report = pdf_signatures(signed_pdf)
    assert "Signature Validation: Signature is Valid." in report
    assert f"Signer Certificate Common Name: {SIGNER_COMMON_NAME}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Total document signed" in report


def test_the_signed_pdf_still_reads_as_the_certificate(signed_pdf):
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(signed_pdf)


def test_one_changed_byte_makes_the_signature_invalid(signed_pdf):
    position = signed_pdf.index(b"/Producer")  # inside the signed range, the file still parses
    tampered = signed_pdf[:position + 1] + b"Q" + signed_pdf[position + 2:]
    report = pdf_signatures(tampered)
    assert "Signature is Valid." not in report
    assert "Signature Validation:" in report


def test_a_pkcs12_file_with_a_passphrase_signs_too(tmp_path, make_facts):
    path = tmp_path / "signing.p12"
    path.write_bytes(pkcs12_bytes("Sở Nội vụ tỉnh Thử", "UBND tỉnh Thử", b"bi-mat"))
    identity = signing.load_identity({**SETTINGS, "CERTIFICATE_SIGNING_PKCS12": str(path),
                                      "CERTIFICATE_SIGNING_PASSPHRASE": "bi-mat"})
    pdf = signing.sign_pdf(render_certificate_pdf(make_facts()), identity, "thử")
    assert "Signer Certificate Common Name: Sở Nội vụ tỉnh Thử" in pdf_signatures(pdf)
    assert identity.common_name == "Sở Nội vụ tỉnh Thử" and not identity.development


def test_a_wrong_passphrase_is_a_clear_error_at_start_up(signing_key_files):
    key, cert = signing_key_files
    with pytest.raises(signing.SigningKeyError, match="CERTIFICATE_SIGNING_PASSPHRASE"):
        signing.load_identity({**SETTINGS, "CERTIFICATE_SIGNING_KEY": str(key),
                               "CERTIFICATE_SIGNING_CERT": str(cert),
                               "CERTIFICATE_SIGNING_PASSPHRASE": "sai"})


def test_no_key_configured_means_no_identity():
    assert signing.load_identity(SETTINGS) is None


def test_the_development_key_is_made_once_private_and_reused(tmp_path):
    path = tmp_path / "instance" / "development-signing-key.p12"
    first = development_key_file(path, "Sở thử").read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert development_key_file(path, "Sở thử").read_bytes() == first
    identity = signing.load_identity({**SETTINGS, "CERTIFICATE_SIGNING_PKCS12": str(path),
                                      "CERTIFICATE_SIGNING_DEVELOPMENT_KEY": True})
    assert identity.development and "development" in identity.common_name
