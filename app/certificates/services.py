"""Issuing and looking up certificates.

Completing a course freezes the certificate's facts in the completing transaction; the PDF is
a rendering of those facts, made afterwards with no transaction open (by a background thread
right after the commit, or by whoever first needs the file) and stored once with its SHA-256.
A quiz submit that completes a course therefore costs what any submit costs, and no write
waits for WeasyPrint.
"""

import hashlib
import logging
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app

from app.accounts.models import Role, User
from app.audit import services as audit
from app.certificates import signing
from app.certificates.certificate_document import CertificateFacts, render_certificate_pdf
from app.certificates.codes import display_code, generate_code, normalize_code
from app.certificates.models import Certificate, CertificateStatus
from app.content.models import Course
from app.database import begin_write_transaction, end_read_transaction, utcnow
from app.extensions import db
from app.progress import enrolment_summary
from app.progress.models import CourseCompletion, Enrolment
from app.progress.signals import course_completed

log = logging.getLogger(__name__)
RENDERER_KEY = "hocso.certificate_renderer"


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
    """Freeze the facts under a new code (caller commits); the PDF is rendered later."""
    config = current_app.config
    certificate = Certificate(
        code=_unused_code(),
        user_id=user.id,
        course_id=course.id,
        completion_id=completion.id,
        full_name=_nfc(user.full_name),
        unit_name=_nfc(user.unit.display_name if user.unit else ""),
        course_title=_nfc(course.title),
        completed_on=completion.completed_at.astimezone(_local_zone()).date(),
        score=completion.score,
        issuer=_nfc(config["CERTIFICATE_ISSUER"]),
        signer_name=_nfc(config["CERTIFICATE_SIGNER_NAME"]),
        signer_title=_nfc(config["CERTIFICATE_SIGNER_TITLE"]),
    )
    db.session.add(certificate)
    db.session.flush()
    _refresh_certified(user.id, course.id)
    audit.record("certificate.issued", target=certificate.code, learner=user.username,
                 course=course.slug)
    return certificate


def facts_of(certificate: Certificate) -> CertificateFacts:
    """The facts frozen on the certificate record, as printed."""
    return CertificateFacts(
        code=certificate.display_code,
        full_name=certificate.full_name,
        unit_name=certificate.unit_name,
        course_title=certificate.course_title,
        completed_on=certificate.completed_on,
        score=certificate.score,
        issuer=certificate.issuer,
        signer_name=certificate.signer_name,
        signer_title=certificate.signer_title,
        verify_url=verify_url(certificate.code),
    )


def stored_pdf(certificate: Certificate) -> bytes:
    """The issued PDF; rendered, signed and stored the first time it is needed (caller commits).

    No transaction is open while it renders and signs. Two requests may render at once; the first to
    store wins and both return the stored file, so a certificate has exactly one PDF and hash.
    """
    if certificate.pdf_sha256 is not None:
        return certificate.pdf
    certificate_id, facts = certificate.id, facts_of(certificate)
    end_read_transaction()
    pdf = render_certificate_pdf(facts, timeout_seconds=current_app.config["PDF_RENDER_TIMEOUT_SECONDS"])
    identity = signing.current_identity()
    if identity is not None:  # signed here, so the stored file and its hash are the signed ones
        pdf = signing.sign_pdf(pdf, identity, signing.certificate_reason(facts.code))
    begin_write_transaction()
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.pdf_sha256.is_(None))
        .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                pdf_signed_by=identity.name[:300] if identity else None,
                pdf_signed_with_development_key=bool(identity and identity.development))
    )
    db.session.expire(certificate)
    return db.session.scalar(sa.select(Certificate.pdf).where(Certificate.id == certificate_id))


def public_record(certificate: Certificate) -> dict:
    """The printed facts and the status, for `/verify/<code>.json` (documented in the README)."""
    superseded_by = certificate.superseded_by if certificate.superseded_by_id else None
    return {
        "code": certificate.display_code,
        "status": certificate.status,
        "full_name": certificate.full_name,
        "unit_name": certificate.unit_name,
        "course_title": certificate.course_title,
        "completed_on": certificate.completed_on.isoformat(),
        "score": certificate.score,
        "issuer": certificate.issuer,
        "signer_name": certificate.signer_name,
        "signer_title": certificate.signer_title,
        "issued_at": _utc_iso(certificate.issued_at),
        "revoked_at": _utc_iso(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "superseded_by": superseded_by.display_code if superseded_by else None,
        "pdf_sha256": certificate.pdf_sha256,
        "pdf_signed_by": certificate.pdf_signed_by,
        "pdf_signed_with_development_key": certificate.pdf_signed_with_development_key,
        "verify_url": verify_url(certificate.code),
    }


def _utc_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands back naive datetimes; every stored time is UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def downloadable_by(certificate: Certificate, user: User) -> bool:
    """Her own certificate's PDF, or any for an admin (batch prints, a lost copy); for anyone else
    the certificate does not exist (the public verify page shows what may be shown)."""
    return certificate.user_id == user.id or user.role == Role.ADMIN


def ids_without_pdf() -> list[int]:
    """Certificates whose PDF was never rendered (issued, not yet downloaded)."""
    return list(db.session.scalars(
        sa.select(Certificate.id).where(Certificate.pdf_sha256.is_(None)).order_by(Certificate.id)
    ))


def init_app(app: Flask) -> None:
    """The signing key and the renderer; a certificate for each course completion this app records."""
    signing.init_app(app)
    # One thread per process: rendering is CPU work in a child process, and a burst of
    # completions must queue here rather than fork a renderer per request.
    app.extensions[RENDERER_KEY] = ThreadPoolExecutor(max_workers=1,
                                                      thread_name_prefix="certificate-pdf")
    course_completed.connect(_issue_on_course_completed, sender=app)
    enrolment_summary.register_column(app, "certified", _has_valid_certificate())


def _issue_on_course_completed(_app: Flask, *, user: User, course: Course,
                               completion: CourseCompletion) -> None:
    """In the completing transaction, as the facts must be (the caller renders after commit)."""
    issue_certificate(user, course, completion)


def _refresh_certified(user_id: int, course_id: int) -> None:
    """After a certificate is issued, revoked or superseded: is one of hers valid now? (her
    enrolment's summary, app/progress/enrolment_summary.py)"""
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
        .values(certified=_has_valid_certificate())
        .execution_options(synchronize_session=False)
    )


def _has_valid_certificate() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        Certificate.user_id == Enrolment.user_id,
        Certificate.course_id == Enrolment.course_id,
        Certificate.status == CertificateStatus.VALID,
    )


def render_soon(completion_id: int) -> None:
    """Render the PDF of the certificate just issued for this completion, in the background;
    call it after the issuing commit. If this process dies first nothing is lost: the PDF is
    rendered when it is first needed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["CERTIFICATE_PDF_IN_BACKGROUND"]:
        end_read_transaction()  # the caller's session must not hold the lock the render needs
        _render_in_background(app, completion_id)  # tests: the PDF is there when the view returns
        return
    app.extensions[RENDERER_KEY].submit(_render_in_background, app, completion_id)


def _render_in_background(app: Flask, completion_id: int) -> None:
    with app.app_context():  # a context (and database session) of its own
        try:
            certificate = db.session.scalar(sa.select(Certificate).where(
                Certificate.completion_id == completion_id,
                Certificate.status == CertificateStatus.VALID,
                Certificate.pdf_sha256.is_(None),
            ))
            if certificate is not None:
                stored_pdf(certificate)
                db.session.commit()
        except Exception:  # the download renders it instead; say why this one failed
            log.exception("background rendering for completion %s failed", completion_id)
            db.session.rollback()
        finally:
            db.session.remove()


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
    _refresh_certified(certificate.user_id, certificate.course_id)
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
