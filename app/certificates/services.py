"""Issuing and looking up certificates."""

import hashlib
import unicodedata
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.certificates.certificate_document import CertificateFacts, render_certificate_pdf
from app.certificates.codes import display_code, generate_code, normalize_code
from app.certificates.models import Certificate, CertificateStatus
from app.content.models import Course
from app.database import utcnow
from app.extensions import db
from app.progress.models import CourseCompletion


def verify_url(code: str) -> str:
    """Public address of a certificate, from configuration only (never the request's Host)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/verify/{display_code(code)}"


def _unused_code() -> str:
    while True:
        code = generate_code()
        if db.session.scalar(sa.select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def issue_certificate(user: User, course: Course, completion: CourseCompletion) -> Certificate:
    """Freeze the facts, render the PDF once and store it with its hash (caller commits)."""
    config = current_app.config
    code = _unused_code()
    facts = CertificateFacts(
        code=display_code(code),
        full_name=_nfc(user.full_name),
        unit_name=_nfc(user.unit.display_name if user.unit else ""),
        course_title=_nfc(course.title),
        completed_on=completion.completed_at.astimezone(_local_zone()).date(),
        score=completion.score,
        issuer=_nfc(config["CERTIFICATE_ISSUER"]),
        signer_name=_nfc(config["CERTIFICATE_SIGNER_NAME"]),
        signer_title=_nfc(config["CERTIFICATE_SIGNER_TITLE"]),
        verify_url=verify_url(code),
    )
    pdf = render_certificate_pdf(facts, timeout_seconds=config["PDF_RENDER_TIMEOUT_SECONDS"])
    certificate = Certificate(
        code=code,
        user_id=user.id,
        course_id=course.id,
        completion_id=completion.id,
        full_name=facts.full_name,
        unit_name=facts.unit_name,
        course_title=facts.course_title,
        completed_on=facts.completed_on,
        score=facts.score,
        issuer=facts.issuer,
        signer_name=facts.signer_name,
        signer_title=facts.signer_title,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("certificate.issued", target=certificate.code, learner=user.username,
                 course=course.slug)
    return certificate


def _local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def find_by_code(typed_code: str) -> Certificate | None:
    """The certificate a typed or scanned code names, or None (also for malformed codes)."""
    code = normalize_code(typed_code)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def certificates_of(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )


def certificate_for(user: User, course: Course) -> Certificate | None:
    """The learner's current (valid) certificate for a course, if any."""
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.course_id == course.id,
            Certificate.status == CertificateStatus.VALID,
        )
    )


class CertificateStateError(ValueError):
    """The certificate is not valid any more, so it cannot be revoked or reissued."""


def revoke_certificate(certificate: Certificate, reason: str) -> Certificate:
    """Mark a certificate revoked; the record and its PDF stay for the verify page."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise CertificateStateError("a revocation needs a reason")
    if not certificate.is_valid:
        raise CertificateStateError(f"certificate is already {certificate.status}")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason
    audit.record("certificate.revoked", target=certificate.code, reason=reason)
    db.session.flush()
    return certificate


def reissue_certificate(certificate: Certificate) -> Certificate:
    """Issue a new certificate from the learner's current name and unit; the old one is superseded."""
    if not certificate.is_valid:
        raise CertificateStateError(f"certificate is already {certificate.status}")
    completion = db.session.get(CourseCompletion, certificate.completion_id)
    certificate.status = CertificateStatus.SUPERSEDED
    db.session.flush()
    replacement = issue_certificate(certificate.user, certificate.course, completion)
    certificate.superseded_by_id = replacement.id
    audit.record("certificate.reissued", target=certificate.code, replacement=replacement.code)
    db.session.flush()
    return replacement
