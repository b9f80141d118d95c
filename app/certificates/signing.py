"""Signing certificate PDFs with the issuer's key: PAdES B-B, or B-T with a timestamp server.

The key comes from configuration (a PKCS#12 file, or a PEM key and certificate); it is loaded
once per process. Signing runs in the worker, on PDFs our own renderer made, with no database
transaction open.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import BinaryIO

from flask import Flask, current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

log = logging.getLogger(__name__)
EXTENSION_KEY = "hocso.signing"
FIELD_NAME = "HocsoSignature"
TIMESTAMP_TIMEOUT_SECONDS = 10


class SigningKeyError(RuntimeError):
    """The configured signing key or certificate cannot be loaded."""


@dataclass(frozen=True)
class SigningIdentity:
    """The loaded key, and what the verify page says about it."""

    signer: signers.SimpleSigner
    name: str  # the certificate's subject, as a reader shows it ("Common Name: ...")
    common_name: str
    fingerprint: str  # SHA-256 of the signing certificate (DER), hex
    development: bool
    timestamper: TimeStamper | None = None

    @property
    def certificates_der(self) -> list[bytes]:
        """The signing certificate and its chain, DER, for checking uploaded files."""
        chain = [self.signer.signing_cert, *self.signer.cert_registry]
        return list(dict.fromkeys(certificate.dump() for certificate in chain))


def load_identity(config) -> SigningIdentity | None:
    """The signing identity the configuration names, or None when it names no key."""
    passphrase = config["CERTIFICATE_SIGNING_PASSPHRASE"].encode() or None
    chain = [config["CERTIFICATE_SIGNING_CHAIN"]] if config["CERTIFICATE_SIGNING_CHAIN"] else None
    if config["CERTIFICATE_SIGNING_PKCS12"]:
        signer = signers.SimpleSigner.load_pkcs12(config["CERTIFICATE_SIGNING_PKCS12"],
                                                  ca_chain_files=chain, passphrase=passphrase)
        source = config["CERTIFICATE_SIGNING_PKCS12"]
    elif config["CERTIFICATE_SIGNING_KEY"] or config["CERTIFICATE_SIGNING_CERT"]:
        signer = signers.SimpleSigner.load(config["CERTIFICATE_SIGNING_KEY"],
                                           config["CERTIFICATE_SIGNING_CERT"],
                                           ca_chain_files=chain, key_passphrase=passphrase)
        source = f"{config['CERTIFICATE_SIGNING_KEY']} and {config['CERTIFICATE_SIGNING_CERT']}"
    else:
        return None
    if signer is None:  # pyHanko logged why
        raise SigningKeyError(f"cannot load the signing key from {source}: check the files and "
                              "CERTIFICATE_SIGNING_PASSPHRASE")
    certificate = signer.signing_cert
    url = config["CERTIFICATE_SIGNING_TIMESTAMP_URL"]
    return SigningIdentity(
        signer=signer,
        name=certificate.subject.human_friendly,
        common_name=_common_name(certificate),
        fingerprint=hashlib.sha256(certificate.dump()).hexdigest(),
        development=bool(config["CERTIFICATE_SIGNING_DEVELOPMENT_KEY"]),
        timestamper=RequestsHTTPTimeStamper(url, timeout=TIMESTAMP_TIMEOUT_SECONDS) if url else None,
    )


def _common_name(certificate) -> str:
    attributes = certificate.subject.native
    return attributes.get("common_name") or certificate.subject.human_friendly


def init_app(app: Flask) -> None:
    identity = load_identity(app.config)
    app.extensions[EXTENSION_KEY] = identity
    if identity is None and not app.testing:
        log.warning("No certificate signing key is configured: certificate PDFs are not signed. "
                    "Set CERTIFICATE_SIGNING_PKCS12 or CERTIFICATE_SIGNING_KEY/_CERT.")


def current_identity() -> SigningIdentity | None:
    """This app's signing identity, or None when PDFs are not signed."""
    return current_app.extensions.get(EXTENSION_KEY)


def sign_pdf(pdf: bytes, identity: SigningIdentity, reason: str) -> bytes:
    """`pdf` with a PAdES signature by `identity` appended (an incremental update)."""
    output = io.BytesIO()
    sign_pdf_stream(io.BytesIO(pdf), output, identity, reason)
    return output.getvalue()


def sign_pdf_stream(source: BinaryIO, output: BinaryIO, identity: SigningIdentity, reason: str) -> None:
    """`source` signed into `output` (readable and seekable, e.g. a file opened "w+b"), never
    held whole in memory: pyHanko copies the original in chunks and appends the signature."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=identity.common_name,
    )
    try:
        _signed(source, output, metadata, identity.signer, identity.timestamper)
    except TimestampRequestError:  # still a valid signature; the time is then the signer's own
        log.warning("timestamp server unreachable: certificate PDF signed without a timestamp")
        source.seek(0)
        output.seek(0)
        output.truncate()
        _signed(source, output, metadata, identity.signer, None)


def _signed(source: BinaryIO, output: BinaryIO, metadata, signer, timestamper) -> None:
    signers.sign_pdf(IncrementalPdfFileWriter(source), metadata, signer=signer,
                     timestamper=timestamper, output=output)


def certificate_reason(display_code: str) -> str:
    """The signature's reason: names the certificate, so an altered copy can still be traced."""
    return f"Giấy chứng nhận Hocso {display_code}"
