"""Is this uploaded PDF a certificate we issued? The file is read in memory and never stored.

The answer rests on the SHA-256 of the exact bytes against the issued records; the signature,
read in a bounded child (pdf_inspection), says who signed the file, and whether a file that
matches no record is one of ours altered after issue or someone else's.
"""

import enum
import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa

from app.certificates import signing
from app.certificates.models import Certificate
from app.certificates.pdf_inspection import Inspection, SignatureFinding, inspect_pdf
from app.certificates.services import find_by_code
from app.extensions import db

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # readers accept the header anywhere in the first kilobyte
_CODE_IN_REASON = re.compile(r"([0-9A-Z]{5}(?:-[0-9A-Z]{5}){3})\s*$")


class Outcome(enum.StrEnum):
    ISSUED = "issued"  # exactly the bytes of an issued PDF
    ALTERED = "altered"  # signed with our key, but changed since
    OTHER_SIGNED = "other_signed"  # signed with our key, intact, yet no one certificate (a print batch)
    FOREIGN = "foreign"  # a readable PDF this system did not issue
    DAMAGED = "damaged"  # cut short or corrupt: no PDF reader could trust it
    NOT_PDF = "not_pdf"
    EMPTY = "empty"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class FileVerdict:
    outcome: Outcome
    certificate: Certificate | None = None  # the issued record (for ALTERED: the one it claims)
    signature: SignatureFinding | None = None
    signed_by_us: bool = False  # by this system's signing key
    development_key: bool = False


def verify_uploaded_pdf(data: bytes, max_bytes: int) -> FileVerdict:
    """What `data` (read up to max_bytes + 1) is; never raises for any content."""
    if not data:
        return FileVerdict(Outcome.EMPTY)
    if len(data) > max_bytes:
        return FileVerdict(Outcome.TOO_LARGE)
    if PDF_MAGIC not in data[:MAGIC_WINDOW]:
        return FileVerdict(Outcome.NOT_PDF)
    identity = signing.current_identity()
    inspection = inspect_pdf(data, identity.certificates_der if identity else [])
    digest = hashlib.sha256(data).hexdigest()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.pdf_sha256 == digest))
    ours = _our_signature(inspection, identity)
    if certificate is not None:
        signature = ours or _last(inspection)
        return FileVerdict(Outcome.ISSUED, certificate, signature, signed_by_us=ours is not None,
                           development_key=certificate.pdf_signed_with_development_key)
    if not inspection.readable:
        return FileVerdict(Outcome.DAMAGED)
    if ours is not None and ours.valid and ours.whole_file:
        return FileVerdict(Outcome.OTHER_SIGNED, signature=ours, signed_by_us=True,
                           development_key=bool(identity and identity.development))
    if ours is not None:
        return FileVerdict(Outcome.ALTERED, _claimed_certificate(ours), ours, signed_by_us=True,
                           development_key=bool(identity and identity.development))
    return FileVerdict(Outcome.FOREIGN, signature=_last(inspection))


def _our_signature(inspection: Inspection, identity) -> SignatureFinding | None:
    if identity is None:
        return None
    for finding in reversed(inspection.signatures):
        if finding.signer_fingerprint == identity.fingerprint:
            return finding
    return None


def _last(inspection: Inspection) -> SignatureFinding | None:
    return inspection.signatures[-1] if inspection.signatures else None


def _claimed_certificate(finding: SignatureFinding) -> Certificate | None:
    # The reason is inside the bytes our key signed, so the code in it is ours to believe.
    match = _CODE_IN_REASON.search(finding.reason)
    return find_by_code(match.group(1)) if match else None
